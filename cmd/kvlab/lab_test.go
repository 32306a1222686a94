package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kvlab/kvlab/bench"
	"github.com/kvlab/kvlab/bench/report"
)

// runLab runs a lab's preset scaled down by extra flags and returns its
// results, read from its --out file (or from --format json for bench).
func runLab(t *testing.T, name string, extra ...string) []*bench.Result {
	t.Helper()
	l, ok := lookupLab(name)
	if !ok {
		t.Fatalf("no lab %s", name)
	}
	out := filepath.Join(t.TempDir(), name+".jsonl")
	args := append([]string{"lab", "run", name}, extra...)
	if l.args[0] == "sweep" {
		args = append(args, "--out", out)
	} else {
		args = append(args, "--format", "json")
	}
	code, stdout, stderr := runCLI(t, "", args...)
	if code != 0 {
		t.Fatalf("lab %s: exit %d: %s", name, code, stderr)
	}
	var r *os.File
	if l.args[0] == "sweep" {
		f, err := os.Open(out)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		r = f
	}
	var rs []*bench.Result
	var err error
	if r != nil {
		rs, err = report.ReadJSON(r)
	} else {
		rs, err = report.ReadJSON(strings.NewReader(stdout))
	}
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

func TestLabList(t *testing.T) {
	code, out, _ := runCLI(t, "", "lab", "list")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, l := range labs {
		if !strings.Contains(out, l.name) {
			t.Errorf("lab list lacks %s", l.name)
		}
		if _, err := os.Stat(filepath.Join("..", "..", "docs", "labs", l.name+".md")); err != nil {
			t.Errorf("lab %s has no handout: %v", l.name, err)
		}
	}
	if code, _, stderr := runCLI(t, "", "lab", "run", "no-such-lab"); code != 2 || !strings.Contains(stderr, "no lab") {
		t.Errorf("unknown lab: exit %d, %s", code, stderr)
	}
}

// TestLabLSMWriteAmp: write amplification falls as the memtable grows
// (fewer, larger flushes, fewer compactions per byte), in the model's
// direction, every point in steady state. (The level ratio's effect is not
// asserted: at these sizes it does not show; see the handout.)
func TestLabLSMWriteAmp(t *testing.T) {
	rs := runLab(t, "lsm-write-amp", "--num", "30k", "--reads", "30k", "--set", "lsm.memtable-size=64KiB,1MiB", "--set", "lsm.level-ratio=10")
	if len(rs) != 2 {
		t.Fatalf("%d results", len(rs))
	}
	small, big := rs[0].Run, rs[1].Run
	if !(small.WriteAmp > 1.5*big.WriteAmp) {
		t.Errorf("write amp with a 64 KiB memtable %.2f, with 1 MiB %.2f: want it to fall by more than 1.5×", small.WriteAmp, big.WriteAmp)
	}
	if small.Model == nil || big.Model == nil || !(small.Model.WriteAmp > big.Model.WriteAmp) {
		t.Errorf("the model does not fall with the memtable: %+v, %+v", small.Model, big.Model)
	}
	for _, r := range rs {
		if r.Steady == nil || !r.Steady.Reached {
			t.Errorf("%s: steady state %+v", r.Label(), r.Steady)
		}
	}
}

// TestLabBTreeWriteAmp: write amplification rises with the page size.
func TestLabBTreeWriteAmp(t *testing.T) {
	rs := runLab(t, "btree-write-amp", "--num", "30k", "--reads", "30k", "--set", "btree.page-size=1KiB,16KiB")
	if len(rs) != 2 {
		t.Fatalf("%d results", len(rs))
	}
	if lo, hi := rs[0].Run.WriteAmp, rs[1].Run.WriteAmp; !(hi > 2*lo) {
		t.Errorf("write amp at 1 KiB pages %.2f, at 16 KiB %.2f: want it to rise by more than 2×", lo, hi)
	}
}

// TestLabReadAmpBloom: blocks per get and device time per get fall with
// the Bloom filter's bits.
func TestLabReadAmpBloom(t *testing.T) {
	rs := runLab(t, "read-amp-bloom", "--num", "30k", "--reads", "5000", "--set", "lsm.bloom-bits=0,10")
	if len(rs) != 2 {
		t.Fatalf("%d results", len(rs))
	}
	none, ten := rs[0].Run, rs[1].Run
	if !(ten.BlocksPerGet < none.BlocksPerGet) {
		t.Errorf("blocks per get: %.2f without a filter, %.2f with 10 bits: want fewer", none.BlocksPerGet, ten.BlocksPerGet)
	}
	if none.Device == nil || ten.Device == nil || !(ten.Device.DeviceMicrosPerOp < none.Device.DeviceMicrosPerOp) {
		t.Errorf("device time per get: %+v vs %+v", none.Device, ten.Device)
	}
}

// TestLabSpaceAmp: after overwrites in steady state the LSM's space
// amplification is below the B+tree's.
func TestLabSpaceAmp(t *testing.T) {
	rs := runLab(t, "space-amp", "--num", "30k", "--reads", "10k", "--workloads", "overwrite")
	var lsm, btree *bench.Result
	for _, r := range rs {
		switch r.Engine {
		case "lsm":
			lsm = r
		case "btree":
			btree = r
		}
	}
	if lsm == nil || btree == nil || !(lsm.Run.SpaceAmp < btree.Run.SpaceAmp) {
		t.Fatalf("space amp: lsm %+v, btree %+v", lsm, btree)
	}
}

// TestLabCrossover: on the simulated device the LSM leads write-heavy
// mixes, and the B+tree gains on it as reads rise.
func TestLabCrossover(t *testing.T) {
	rs := runLab(t, "crossover", "--num", "30k", "--reads", "5000", "--mix", "read=0.05,0.95")
	at := map[string]float64{}
	for _, r := range rs {
		at[r.Engine+" "+r.Sweep["read"]] = report.ThroughputOf(r.Run)
	}
	write := at["btree 0.05"] / at["lsm 0.05"]
	read := at["btree 0.95"] / at["lsm 0.95"]
	if !(write < 1 && read > 2*write) {
		t.Errorf("btree/lsm modelled throughput: %.2f at read=0.05, %.2f at read=0.95: want lsm ahead on writes and btree gaining on reads", write, read)
	}
}
