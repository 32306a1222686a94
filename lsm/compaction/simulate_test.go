package compaction

import (
	"fmt"
	"reflect"
	"testing"
)

// simOpts are scaled-down options (4 MiB L1, 512 KiB files, 1 MiB
// memtables) so that a multi-level store simulates in seconds.
var simOpts = Options{L0CompactionThreshold: 4, L1TargetSize: 4 << 20, LevelRatio: 10, TargetFileSize: 512 << 10}

const simMemtable = 1 << 20

// TestPredictMatchesSimulation runs the policy in the simulator, writing
// each store several times over, and checks that every step kept the tree
// valid, that the measured write amplification is within a factor of 1.3
// of the model's prediction and space amplification within 1.5, and that
// the data reaches the level the model predicts.
func TestPredictMatchesSimulation(t *testing.T) {
	lives := []uint64{40 << 20, 200 << 20}
	overwrite := uint64(8)
	if testing.Short() {
		lives, overwrite = []uint64{40 << 20}, 4
	}
	for _, live := range lives {
		t.Run(fmt.Sprintf("live=%dMiB", live>>20), func(t *testing.T) {
			flushes := int(overwrite * live / simMemtable)
			r := Simulate(simOpts, simMemtable, flushes, live, 1)
			if r.Err != nil {
				t.Fatal(r.Err)
			}
			m := Predict(simOpts, live, simMemtable, 10)
			wa, sa := r.WriteAmp(), r.SpaceAmp(live)
			t.Logf("measured WA %.2f SA %.2f (%d compactions, %d trivial moves); predicted %+v", wa, sa, r.Compactions, r.TrivialMoves, m)
			if wa < m.WriteAmp/1.3 || wa > m.WriteAmp*1.3 {
				t.Errorf("write amp %.2f, predicted %.2f", wa, m.WriteAmp)
			}
			if sa < m.SpaceAmp/1.5 || sa > m.SpaceAmp*1.5 {
				t.Errorf("space amp %.2f, predicted %.2f", sa, m.SpaceAmp)
			}
			deepest := 0
			for level := range len(r.LevelBytesWritten) {
				if r.Final.NumFiles(level) > 0 {
					deepest = level
				}
			}
			if deepest != m.Levels {
				t.Errorf("data reached L%d, model says %d levels below L0", deepest, m.Levels)
			}
			if r.UserBytes != uint64(flushes)*simMemtable || r.WALBytes != r.UserBytes {
				t.Errorf("user bytes %d, WAL bytes %d", r.UserBytes, r.WALBytes)
			}
		})
	}
}

func TestSimulateDeterministic(t *testing.T) {
	a := Simulate(simOpts, simMemtable, 60, 16<<20, 42)
	b := Simulate(simOpts, simMemtable, 60, 16<<20, 42)
	if a.Err != nil || !reflect.DeepEqual(a.LevelBytesWritten, b.LevelBytesWritten) || a.Compactions != b.Compactions {
		t.Fatalf("two runs with one seed differ: %+v vs %+v", a, b)
	}
	c := Simulate(simOpts, simMemtable, 60, 16<<20, 43)
	if reflect.DeepEqual(a.LevelBytesWritten, c.LevelBytesWritten) {
		t.Fatal("the seed changes nothing")
	}
}

// TestSimulateSplitsOutputs checks that compaction outputs respect the
// target file size (one user key, here one simulated chunk, of slack).
func TestSimulateSplitsOutputs(t *testing.T) {
	r := Simulate(simOpts, simMemtable, 100, 32<<20, 7)
	if r.Err != nil {
		t.Fatal(r.Err)
	}
	chunk := simOpts.TargetFileSize / 64
	files := 0
	for level := 1; level < len(r.Final.Levels); level++ {
		for _, tb := range r.Final.Levels[level] {
			files++
			if tb.Size > simOpts.TargetFileSize+2*chunk {
				t.Errorf("L%d table %d has %d bytes, target %d", level, tb.FileNum, tb.Size, simOpts.TargetFileSize)
			}
		}
	}
	if files < 32<<20/int(simOpts.TargetFileSize) {
		t.Errorf("only %d tables below L0", files)
	}
}
