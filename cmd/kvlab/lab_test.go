package main

import (
	"os"
	"path/filepath"
	"slices"
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

// agreeWithModel checks that every steady-state row (a run that reached
// its steady state) of a lab is within 1.5× of its cost model on space
// amplification, and on write amplification when the phase wrote enough
// to measure it (the model's Transient is empty: a phase of a few
// thousand writes, less than a memtable or a checkpoint interval, wrote
// too little to measure the steady state's write amplification).
func agreeWithModel(t *testing.T, rs []*bench.Result) {
	t.Helper()
	const tol = 1.5
	far := func(a, b float64) bool { return a > 0 && b > 0 && (a > tol*b || b > tol*a) }
	for _, r := range rs {
		p := r.Run
		if r.Steady == nil || !r.Steady.Reached || p == nil || p.Model == nil {
			continue
		}
		if p.UserBytesWritten > 0 && p.Model.Transient == "" && far(p.WriteAmp, p.Model.WriteAmp) {
			t.Errorf("%s: write amp %.2f, model %.2f: more than %.1f× apart in steady state", r.Label(), p.WriteAmp, p.Model.WriteAmp, tol)
		}
		if far(p.SpaceAmp, p.Model.SpaceAmp) {
			t.Errorf("%s: space amp %.2f, model %.2f: more than %.1f× apart in steady state", r.Label(), p.SpaceAmp, p.Model.SpaceAmp, tol)
		}
	}
}

// steadyRows fails the test unless every result reached its steady state.
func steadyRows(t *testing.T, rs []*bench.Result) {
	t.Helper()
	for _, r := range rs {
		if r.Steady == nil || !r.Steady.Reached {
			t.Errorf("%s: steady state %+v", r.Label(), r.Steady)
		}
	}
}

// TestLabLSMWriteAmp: each level's own write amplification rises with the
// level ratio (the textbook's 1 + ratio/2 per level), the total stays
// within 1.5× of the model in steady state; and a larger memtable lowers
// the write amplification (fewer, larger flushes, fewer merges per byte),
// as the model says.
func TestLabLSMWriteAmp(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the lab's sweeps scaled down")
	}
	rs := runLab(t, "lsm-write-amp", "--num", "30k", "--reads", "60k", "--set", "lsm.level-ratio=2,10",
		"--set", "lsm.l1-target-size=300KiB", "--set", "lsm.memtable-size=64KiB", "--set", "lsm.target-file-size=64KiB")
	if len(rs) != 2 {
		t.Fatalf("%d results", len(rs))
	}
	steadyRows(t, rs)
	agreeWithModel(t, rs)
	if lo, hi := levelWriteAmp(rs[0], 2), levelWriteAmp(rs[1], 2); !(lo > 0 && hi > 1.2*lo) {
		t.Errorf("L2's own write amp %.2f at ratio 2, %.2f at ratio 10: want it to rise by more than 1.2×", lo, hi)
	}
	if m0, m1 := levelModel(rs[0]), levelModel(rs[1]); len(m0) < 3 || len(m1) < 3 || !(m1[2] > m0[2]) {
		t.Errorf("the model's L2 write amp does not rise with the ratio: %v, %v", m0, m1)
	}

	rs = runLab(t, "lsm-write-amp", "--num", "30k", "--reads", "30k", "--set", "lsm.level-ratio=10",
		"--set", "lsm.memtable-size=64KiB,256KiB", "--set", "lsm.l1-target-size=849KiB", "--set", "lsm.target-file-size=212KiB")
	if len(rs) != 2 {
		t.Fatalf("%d results", len(rs))
	}
	steadyRows(t, rs)
	agreeWithModel(t, rs)
	small, big := rs[0].Run, rs[1].Run
	if !(small.WriteAmp > 1.3*big.WriteAmp) {
		t.Errorf("write amp with a 64 KiB memtable %.2f, with 256 KiB %.2f: want it to fall by more than 1.3×", small.WriteAmp, big.WriteAmp)
	}
	if small.Model == nil || big.Model == nil || !(small.Model.WriteAmp > big.Model.WriteAmp) {
		t.Errorf("the model does not fall with the memtable: %+v, %+v", small.Model, big.Model)
	}
}

// TestLabBTreeWriteAmp: write amplification rises with the page size.
func TestLabBTreeWriteAmp(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the lab's sweep scaled down")
	}
	rs := runLab(t, "btree-write-amp", "--num", "30k", "--reads", "30k", "--set", "btree.page-size=1KiB,16KiB")
	if len(rs) != 2 {
		t.Fatalf("%d results", len(rs))
	}
	steadyRows(t, rs)
	agreeWithModel(t, rs)
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
	steadyRows(t, rs)
	agreeWithModel(t, rs)
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
	steadyRows(t, rs)
	agreeWithModel(t, rs)
}

// TestLabCrossover: on the simulated disk the LSM leads the update-only
// mix in throughput and p99, and the B+tree leads the scan-only mix in
// both: each engine overtakes the other along the sweep, on both figures.
// The cause is asserted too: an LSM scan reads more blocks from the
// device than a B+tree scan (one per sorted run against a leaf or two).
func TestLabCrossover(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the lab's sweep scaled down")
	}
	rs := runLab(t, "crossover", "--num", "30k", "--reads", "3000", "--mix", "scan=0,1", "--set", "lsm.l1-target-size=256KiB")
	at := map[string]*bench.Phase{}
	for _, r := range rs {
		at[r.Engine+" "+r.Sweep["scan"]] = r.Run
	}
	for _, k := range []string{"lsm 0", "btree 0", "lsm 1", "btree 1"} {
		if at[k] == nil || at[k].Device == nil {
			t.Fatalf("%s: no result on the device", k)
		}
	}
	tp, p99 := report.ThroughputOf, report.P99Of
	if !(tp(at["lsm 0"]) > tp(at["btree 0"]) && p99(at["lsm 0"]) < p99(at["btree 0"])) {
		t.Errorf("updates only: lsm %.0f ops/s p99 %.0fns, btree %.0f ops/s p99 %.0fns: want lsm ahead on both",
			tp(at["lsm 0"]), p99(at["lsm 0"]), tp(at["btree 0"]), p99(at["btree 0"]))
	}
	if !(tp(at["btree 1"]) > tp(at["lsm 1"]) && p99(at["btree 1"]) < p99(at["lsm 1"])) {
		t.Errorf("scans only: lsm %.0f ops/s p99 %.0fns, btree %.0f ops/s p99 %.0fns: want btree ahead on both",
			tp(at["lsm 1"]), p99(at["lsm 1"]), tp(at["btree 1"]), p99(at["btree 1"]))
	}
	if l, b := at["lsm 1"].Device.RandomReadsPerOp, at["btree 1"].Device.RandomReadsPerOp; !(l > b) {
		t.Errorf("device reads per scan: lsm %.2f, btree %.2f: want more for the LSM", l, b)
	}
	var names []string
	for _, c := range report.Crossovers(rs) {
		names = append(names, c.Figure)
	}
	if !slices.Contains(names, "throughput") || !slices.Contains(names, "p99") {
		t.Errorf("crossovers %v: want one in throughput and one in p99", report.Crossovers(rs))
	}
	agreeWithModel(t, rs)
}
