package btree

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/kvlab/kvlab/kv/costmodel"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol*math.Max(math.Abs(b), 1e-12) }

// btreeInput is a phase of random updates of 16-byte keys and 100-byte
// values over live bytes, with a 64 MiB pool unless settings say otherwise.
func btreeInput(live int64, settings map[string]string) costmodel.Input {
	s := map[string]string{"pool-size": "64MiB"}
	for k, v := range settings {
		s[k] = v
	}
	return costmodel.Input{Settings: s, KeySize: 16, ValueSize: 100, Compressibility: 1, LiveBytes: live, LiveBytesBefore: live}
}

func TestDirtyPagesMatchesSimulation(t *testing.T) {
	const seed = 7
	rng := rand.New(rand.NewPCG(seed, seed))
	for _, tc := range []struct{ pages, n int }{{100, 50}, {1000, 1000}, {1000, 5000}, {5000, 2000}} {
		s := Shape{PagesPerLevel: []float64{float64(tc.pages)}}
		const trials = 40
		total := 0
		for range trials {
			hit := make([]bool, tc.pages)
			for range tc.n {
				if i := rng.IntN(tc.pages); !hit[i] {
					hit[i] = true
					total++
				}
			}
		}
		got := float64(total) / trials
		if want := s.DirtyPages(float64(tc.n)); !near(got, want, 0.02) {
			t.Errorf("seed %d: %d updates over %d pages dirtied %.1f pages, model %.1f", seed, tc.n, tc.pages, got, want)
		}
	}
}

func TestShape(t *testing.T) {
	// One entry: a single leaf, height 1.
	s := PredictShape(1, 16, 100, 4096, 1)
	if s.Height() != 1 || s.Pages() != 1 {
		t.Fatalf("one key: %+v", s)
	}
	// 16-byte keys, 100-byte values: a leaf cell is 1+1+1+16+100+2 = 121
	// bytes, a branch cell 8+1+16+2 = 27; with full 4 KiB pages (fill 1)
	// the leaves are ceil(N·121 / 4064): the model divides bytes.
	const keys = 1e6
	s = PredictShape(keys, 16, 100, 4096, 1)
	if s.LeafCell != 121 || s.BranchCell != 27 || s.Fanout != math.Floor(4064.0/27) {
		t.Fatalf("cells %+v", s)
	}
	leaves := math.Ceil(keys * 121 / 4064)
	if s.PagesPerLevel[0] != leaves {
		t.Fatalf("leaves %v, want %v", s.PagesPerLevel[0], leaves)
	}
	// 29774 leaves need 199 branches under a root (the root holds at most
	// 150 children).
	if want := []float64{leaves, math.Ceil(leaves / s.Fanout), math.Ceil(leaves / s.Fanout / s.Fanout), 1}; !slices.Equal(s.PagesPerLevel, want) || want[2] != 2 {
		t.Fatalf("levels %v, want %v", s.PagesPerLevel, want)
	}
	// 100k entries: 2978 leaves, 20 branches, which one root holds.
	s = PredictShape(1e5, 16, 100, 4096, 1)
	if want := []float64{math.Ceil(1e5 * 121 / 4064), 20, 1}; !slices.Equal(s.PagesPerLevel, want) {
		t.Fatalf("100k keys: levels %v, want %v", s.PagesPerLevel, want)
	}
	// 300k entries in pages filled to ln 2 (as measured: 68.8%): the
	// 124 branches fit one root of up to 150 children, so height 3, as the
	// engine has.
	if s = PredictShape(3e5, 16, 100, 4096, math.Ln2); s.Height() != 3 {
		t.Fatalf("300k keys: levels %v, want height 3", s.PagesPerLevel)
	}
	// A lone leaf holds a full page: 33 cells of 121 bytes fit 4064.
	if s = PredictShape(33, 16, 100, 4096, math.Ln2); s.Height() != 1 {
		t.Fatalf("33 keys: levels %v, want one leaf", s.PagesPerLevel)
	}
	// Emptier pages mean more of them.
	if h := PredictShape(keys, 16, 100, 4096, math.Ln2); h.PagesPerLevel[0] <= leaves {
		t.Errorf("ln2 fill: %v leaves, not more than full pages' %v", h.PagesPerLevel[0], leaves)
	}
}

func TestCheckpointInterval(t *testing.T) {
	s := PredictShape(1e6, 16, 100, 4096, math.Ln2)
	// A huge pool: the WAL bound decides.
	if n := CheckpointInterval(s, 130, 1e9, 64<<20); !near(n, (64<<20)/130.0, 1e-9) {
		t.Errorf("WAL-bound interval %v, want %v", n, (64<<20)/130.0)
	}
	// A dirty budget of 1000 pages: a checkpoint when 1000 pages are dirty.
	n := CheckpointInterval(s, 130, 1000, 64<<20)
	if d := s.DirtyPages(n); !near(d, 1000, 1e-6) {
		t.Errorf("pool-bound interval %v dirties %v pages, want 1000", n, d)
	}
}

func TestPredict(t *testing.T) {
	const live = 1e6 * 116
	m, err := Predict(btreeInput(live, nil))
	if err != nil || m == nil {
		t.Fatal(m, err)
	}
	// Recompute from the documented formula with the defaults. A 64 MiB
	// log would see every leaf copied; the shadow budget (1/8 of the
	// pages) ends the epoch first.
	s := PredictShape(1e6, 16, 100, 4096, math.Ln2)
	wal := 116.0 + 3 + 11
	logEpoch := float64(64<<20) / wal
	budget := math.Floor(math.Floor(s.Pages()) * defaultShadowBudget) // shadowBudget: integer pages
	epoch := s.updatesDirtying(logEpoch, budget)
	if epoch >= logEpoch || !near(s.DirtyPages(epoch), budget, 1e-6) {
		t.Fatalf("epoch %v updates dirty %v pages, want %v (budget) before the log's %v updates", epoch, s.DirtyPages(epoch), budget, logEpoch)
	}
	n := min(CheckpointInterval(s, wal, (64<<20)/8*3/4096, 64<<20), epoch) // the mapped dirty budget
	want := (n*wal + 4096*(s.DirtyPages(n)+1)) / (n * 116)
	if !near(m.WriteAmp, want, 1e-9) || m.BlocksPerGet != float64(s.Height()) || m.Levels != s.Height() {
		t.Errorf("model %+v, want write amp %v, height %d", m, want, s.Height())
	}
	if m.WriteAmp <= wal/116 {
		t.Errorf("write amp %v is no more than the WAL's %v", m.WriteAmp, wal/116)
	}
	if want := ((s.Pages()+2*budget+2)*4096 + epoch*wal/2) / live; !near(m.SpaceAmp, want, 1e-6) {
		t.Errorf("space amp %v, want %v (the tree, two epochs of copies, half an epoch of WAL)", m.SpaceAmp, want)
	}
	if m.SpaceAmp < 1/math.Ln2 {
		t.Errorf("space amp %v below the pages' fill alone (%v)", m.SpaceAmp, 1/math.Ln2)
	}
	// Larger pages write more per changed key; a longer checkpoint interval
	// (with a pool that can hold it) writes less.
	big, _ := Predict(btreeInput(live, map[string]string{"page-size": "16KiB"}))
	if big.WriteAmp <= m.WriteAmp || big.Levels > m.Levels {
		t.Errorf("16 KiB pages: %+v vs 4 KiB %+v", big, m)
	}
	// (Only without the shadow budget: with it, the budget ends the epoch
	// whatever the log size.)
	long, _ := Predict(btreeInput(live, map[string]string{"checkpoint-size": "256MiB", "pool-size": "1GiB", "shadow-budget": "1"}))
	if long.WriteAmp >= m.WriteAmp {
		t.Errorf("longer checkpoint interval: write amp %v, not below %v", long.WriteAmp, m.WriteAmp)
	}
	capped, _ := Predict(btreeInput(live, map[string]string{"checkpoint-size": "256MiB", "pool-size": "1GiB"}))
	if !near(capped.WriteAmp, m.WriteAmp, 1e-9) || !near(capped.SpaceAmp, m.SpaceAmp, 0.01) {
		t.Errorf("longer log under the shadow budget: %+v, want the budget's %+v", capped, m)
	}
	if long.SpaceAmp <= 2*m.SpaceAmp-1/math.Ln2 {
		t.Errorf("without the shadow budget: space amp %v, with it %v: want the copies of a longer epoch", long.SpaceAmp, m.SpaceAmp)
	}
	// The engine's own defaults apply where the settings are silent.
	if d, _ := Predict(costmodel.Input{KeySize: 16, ValueSize: 100, Compressibility: 1, LiveBytes: live, LiveBytesBefore: live}); d == nil || d.WriteAmp <= 1 {
		t.Errorf("built-in defaults: %+v", d)
	}
	if _, err := Predict(btreeInput(live, map[string]string{"no-such-knob": "1"})); err == nil {
		t.Error("unknown setting accepted")
	}
	if _, err := Predict(btreeInput(live, map[string]string{"page-size": "big"})); err == nil {
		t.Error("bad page size accepted")
	}
}

func TestPredictTransient(t *testing.T) {
	in := btreeInput(116e6, nil)
	in.UserBytesWritten = 116 * 1000 // far fewer writes than a checkpoint interval
	m, _ := Predict(in)
	if !strings.Contains(m.Transient, "fewer than one checkpoint interval") {
		t.Errorf("short run: transient %q", m.Transient)
	}
	in.UserBytesWritten = 116e6 * 20
	in.LiveBytesBefore = 0
	if m, _ = Predict(in); !strings.Contains(m.Transient, "the tree grew") {
		t.Errorf("fill from empty: transient %q", m.Transient)
	}
	in.LiveBytesBefore = in.LiveBytes
	if m, _ = Predict(in); m.Transient != "" {
		t.Errorf("long run of updates: transient %q", m.Transient)
	}
	in.LiveBytes = in.LiveBytesBefore / 10
	if m, _ = Predict(in); !strings.Contains(m.Transient, "shrank") {
		t.Errorf("deletes: transient %q", m.Transient)
	}
}
