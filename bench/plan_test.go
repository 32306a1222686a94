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

func TestSizeForSmallRun(t *testing.T) {
	p := &Plan{Engines: []string{"lsm", "memory"}, Settings: map[string]map[string]string{"memory": {}}}
	notes := p.SizeForSmallRun()
	if p.Settings["lsm"]["memtable-size"] != "4MiB" || len(notes) != 1 || !strings.Contains(notes[0], "memtable-size=4MiB instead of its default 64MiB") {
		t.Errorf("default run: settings %v, notes %q", p.Settings, notes)
	}
	for _, tc := range []struct {
		engines  []string
		settings map[string]map[string]string
	}{
		{[]string{"memory"}, map[string]map[string]string{}},
		{[]string{"lsm"}, map[string]map[string]string{"lsm": {"memtable-size": "1MiB"}}},
	} {
		before := fmt.Sprint(tc.settings)
		p := &Plan{Engines: tc.engines, Settings: tc.settings}
		if notes := p.SizeForSmallRun(); len(notes) != 0 || fmt.Sprint(p.Settings) != before {
			t.Errorf("%+v: notes %q, settings %v", tc, notes, p.Settings)
		}
	}
}

// TestSmallRunFlushesAndCompacts runs lsm through fillrandom at the
// default run's size and memtable: the LSM must flush and compact, or the
// default run would measure nothing of it but its WAL.
func TestSmallRunFlushesAndCompacts(t *testing.T) {
	if testing.Short() {
		t.Skip("writes the default run's store")
	}
	p := &Plan{Engines: []string{"lsm"}}
	p.SizeForSmallRun()
	w, _ := workload.LookupWorkload("fillrandom")
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
