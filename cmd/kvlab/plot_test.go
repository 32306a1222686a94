package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPlotShapeAndTimeline: bench --timeline keeps a timeline in the
// results, which plot draws; plot --shape draws a kept B+tree store and
// refuses a directory without one.
func TestPlotShapeAndTimeline(t *testing.T) {
	dir := t.TempDir()
	out := dir + "/r.jsonl"
	code, _, stderr := runCLI(t, "", "bench", "--engines", "lsm,btree", "--workloads", "fillrandom", "--num", "20k", "--timeline",
		"--set", "lsm.memtable-size=64KiB", "--set", "btree.checkpoint-size=128KiB", "--out", out, "--dir", dir, "--keep")
	if code != 0 {
		t.Fatalf("bench: exit %d: %s", code, stderr)
	}
	svg := dir + "/r.svg"
	if code, _, stderr := runCLI(t, "", "plot", out, "-o", svg); code != 0 {
		t.Fatalf("plot: exit %d: %s", code, stderr)
	}
	b, _ := os.ReadFile(svg)
	for _, want := range []string{"LSM shape over time: lsm fillrandom", "B+tree shape over time: btree fillrandom", "flushes (", "checkpoints ("} {
		if !strings.Contains(string(b), want) {
			t.Errorf("plot lacks %q", want)
		}
	}
	stores, _ := filepath.Glob(dir + "/kvlab-bench-*/btree-fillrandom-0")
	if len(stores) != 1 {
		t.Fatalf("kept stores %v", stores)
	}
	if code, _, stderr := runCLI(t, "", "plot", "--shape", stores[0], "-o", dir+"/shape.svg"); code != 0 || !strings.Contains(stderr, "height") {
		t.Fatalf("plot --shape: exit %d: %s", code, stderr)
	}
	b, _ = os.ReadFile(dir + "/shape.svg")
	if !strings.Contains(string(b), "B+tree pages per level") {
		t.Error("no shape chart")
	}
	if code, _, stderr := runCLI(t, "", "plot", "--shape", dir, "-o", dir+"/x.svg"); code != 2 || !strings.Contains(stderr, "B+tree store") {
		t.Errorf("plot --shape of no store: exit %d: %s", code, stderr)
	}
	if code, _, _ := runCLI(t, "", "plot", "-o", dir+"/x.svg"); code != 2 {
		t.Errorf("plot with nothing to draw: exit %d", code)
	}
}
