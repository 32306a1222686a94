package bench

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/kvlab/kvlab/bench/workload"
	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/kv/memory"
)

func TestFairSizing(t *testing.T) {
	w, _ := workload.LookupWorkload("readrandom")
	p := &Plan{Engines: []string{"lsm", "btree", "memory"}, Workloads: []workload.Workload{w}, DefaultNum: SmallRunNum,
		Settings: map[string]map[string]string{"btree": {"pool-size": "1MiB"}}}
	if got, want := p.DataBytes(w), int64(SmallRunNum*116); got != want {
		t.Fatalf("data bytes %d, want %d", got, want)
	}
	notes := p.FairSizing()
	// 46.4 MB: write buffers 1/16 (2.77 MiB), caches 1/8, rounded down to KiB.
	want := map[string]map[string]string{
		"lsm":    {"memtable-size": "2832KiB", "block-cache": "5664KiB", "l1-target-size": "11328KiB", "target-file-size": "2832KiB"},
		"btree":  {"pool-size": "1MiB", "checkpoint-size": "2832KiB"},
		"memory": {},
	}
	if fmt.Sprint(p.Settings) != fmt.Sprint(want) {
		t.Errorf("settings %v, want %v", p.Settings, want)
	}
	if len(notes) != 1 || !strings.Contains(notes[0], "lsm block-cache=5664KiB l1-target-size=11328KiB memtable-size=2832KiB target-file-size=2832KiB; btree checkpoint-size=2832KiB; not scaled: memory") {
		t.Errorf("notes %q", notes)
	}
	// A large store keeps the defaults: nothing is scaled up.
	big := &Plan{Engines: []string{"lsm"}, Workloads: []workload.Workload{w}, Config: Config{Num: 100_000_000}}
	if notes := big.FairSizing(); len(notes) != 0 || len(big.Settings["lsm"]) != 0 {
		t.Errorf("a 11.6 GB store: notes %q, settings %v", notes, big.Settings)
	}
	// A sweep point's own setting stays.
	sw := &Plan{Engines: []string{"lsm"}, Workloads: []workload.Workload{w}, Config: Config{Num: 10_000},
		Points: []SweepPoint{{Settings: map[string]string{"memtable-size": "64KiB"}}, {Settings: map[string]string{"memtable-size": "128KiB"}}}}
	sw.FairSizing()
	if sw.Points[0].Settings["memtable-size"] != "64KiB" || sw.Points[1].Settings["block-cache"] != "256KiB" {
		t.Errorf("sweep points %+v", sw.Points)
	}
}

// TestSmallRunFlushesAndCompacts runs lsm through fillrandom at the
// default run's size and memtable: the LSM must flush and compact, or the
// default run would measure nothing of it but its WAL.
func TestSmallRunFlushesAndCompacts(t *testing.T) {
	if testing.Short() {
		t.Skip("writes the default run's store")
	}
	w, _ := workload.LookupWorkload("fillrandom")
	p := &Plan{Engines: []string{"lsm"}, Workloads: []workload.Workload{w}, Config: Config{Num: SmallRunNum}}
	p.FairSizing()
	res, err := Run(context.Background(), Config{Engine: "lsm", Workload: w, Num: SmallRunNum, Settings: p.Settings["lsm"]})
	if err != nil {
		t.Fatal(err)
	}
	st := res.Run.Stats.LSM
	if st == nil || st.Flushes < 2 || st.Compactions < 1 {
		t.Fatalf("lsm at the default size: %+v", st)
	}
	if m := res.Run.Model; m == nil || m.WriteAmp <= 1 {
		t.Fatalf("no cost model beside the measurement: %+v", m)
	}
}

// TestPlanInterleavesAndRepeats runs two engines twice through two
// workloads: engines alternate within a workload, every result carries the
// harness's cost, and each run had a store of its own.
func TestPlanInterleavesAndRepeats(t *testing.T) {
	var dirs []string
	open := func(dir string) (kv.Engine, error) {
		dirs = append(dirs, dir)
		return memory.New(), nil
	}
	fill, _ := workload.LookupWorkload("fillrandom")
	read, _ := workload.LookupWorkload("readrandom")
	p := &Plan{Config: Config{Num: 500, OpenEngine: open}, Engines: []string{"a", "b"},
		Workloads: []workload.Workload{fill, read}, Count: 2, Root: t.TempDir()}
	rs, err := p.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rs {
		got = append(got, r.Engine+"/"+r.Workload)
		if r.HarnessNsPerOp <= 0 {
			t.Errorf("%s/%s: no harness cost", r.Engine, r.Workload)
		}
	}
	want := "a/fillrandom b/fillrandom a/fillrandom b/fillrandom a/readrandom b/readrandom a/readrandom b/readrandom"
	if strings.Join(got, " ") != want {
		t.Errorf("order %q, want %q", strings.Join(got, " "), want)
	}
	seen := map[string]bool{}
	for _, d := range dirs {
		if seen[d] {
			t.Errorf("store directory %s used twice", d)
		}
		seen[d] = true
	}
	if len(dirs) != 8 {
		t.Errorf("%d stores opened, want 8", len(dirs))
	}
}

// TestPlanSweep runs a sweep plan: one result per point, labelled, with the
// point's settings.
func TestPlanSweep(t *testing.T) {
	w, _ := workload.LookupWorkload("fillrandom")
	p := &Plan{Config: Config{Num: 500}, Engines: []string{"memory"}, Workloads: []workload.Workload{w},
		Points: []SweepPoint{{Label: map[string]string{"memory.x": "1"}}, {Label: map[string]string{"memory.x": "2"}}},
		Root:   t.TempDir()}
	rs, err := p.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 2 || rs[0].Sweep["memory.x"] != "1" || rs[1].Sweep["memory.x"] != "2" {
		t.Fatalf("sweep results %+v", rs)
	}
}

// TestPlanStopsAtFailure checks that a failing run ends the plan with its
// error and the results before it.
func TestPlanStopsAtFailure(t *testing.T) {
	w, _ := workload.LookupWorkload("fillrandom")
	n := 0
	open := func(string) (kv.Engine, error) {
		if n++; n == 2 {
			return nil, fmt.Errorf("no engine today")
		}
		return memory.New(), nil
	}
	p := &Plan{Config: Config{Num: 100, OpenEngine: open}, Engines: []string{"a", "b", "c"}, Workloads: []workload.Workload{w}, Root: t.TempDir()}
	rs, err := p.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "no engine today") || len(rs) < 1 {
		t.Fatalf("results %d, err %v", len(rs), err)
	}
}
