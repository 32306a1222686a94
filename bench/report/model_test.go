package report

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"github.com/kvlab/kvlab/bench"
	"slices"
	"strings"
	"testing"

	"golang.org/x/perf/benchfmt"

	"github.com/kvlab/kvlab/bench/workload"
)

// TestDirtyPagesMatchesSimulation throws n uniformly random updates at P
// pages and compares the distinct pages hit with P·(1 − e^(−n/P)).

// btreeInput describes a store of live bytes of 16-byte keys and 100-byte
// values, with defaults of 4 KiB pages, a 64 MiB pool and checkpoints every
// 64 MiB of WAL.
// TestRunLSMHasModel runs the lsm engine with a small memtable and checks
// that the results carry the model and that the table and reading show it.
func TestRunLSMHasModel(t *testing.T) {
	w, _ := workload.LookupWorkload("fillrandom")
	res, err := bench.Run(context.Background(), bench.Config{Engine: "lsm", Workload: w, Num: 20000,
		Settings: map[string]string{"memtable-size": "64KiB", "l1-target-size": "256KiB"}})
	if err != nil {
		t.Fatal(err)
	}
	m := res.Run.Model
	if m == nil || m.Basis != "leveled compaction" || m.WriteAmp <= 1 || res.Run.WriteAmp <= 1 {
		t.Fatalf("model %+v, measured write amp %v", m, res.Run.WriteAmp)
	}
	if res.Run.Stats.LSM == nil || res.Run.Stats.LSM.Flushes == 0 {
		t.Fatalf("no flush with a 64 KiB memtable: %+v", res.Run.Stats.LSM)
	}
	mem := runMemory(t, bench.Config{Workload: w, Num: 20000})
	if mem.Run.Model != nil {
		t.Errorf("memory engine has a model: %+v", mem.Run.Model)
	}
	var buf bytes.Buffer
	if err := WriteTable(&buf, []*bench.Result{res, mem}, TableOptions{}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"    model ", "\"model\" rows are what the textbook cost model predicts", "lsm measured vs its cost model (leveled compaction): write amp"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "    model") && strings.Contains(l, "*") {
			t.Errorf("a model row is marked best: %q", l)
		}
	}
}

// TestModelOutsideItsDomain runs lsm on a store smaller than its L1
// target: the model's write and space figures are "n/a" in the table and
// absent from benchstat and csv.
func TestModelOutsideItsDomain(t *testing.T) {
	w, _ := workload.LookupWorkload("fillrandom")
	res, err := bench.Run(context.Background(), bench.Config{Engine: "lsm", Workload: w, Num: 20000, Settings: map[string]string{"memtable-size": "64KiB"}})
	if err != nil {
		t.Fatal(err)
	}
	p := res.Run
	if p.ModelNA != bench.NotOneLevel || p.Model == nil || p.Model.WriteAmp != 0 || p.Model.SpaceAmp != 0 || p.Model.BlocksPerGet <= 0 {
		t.Fatalf("model %+v, n/a %q", p.Model, p.ModelNA)
	}
	var buf bytes.Buffer
	if err := WriteTable(&buf, []*bench.Result{res}, TableOptions{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "model   ") || !strings.Contains(buf.String(), "note: lsm: model write and space amp n/a: store smaller than one level") {
		t.Errorf("no n/a model row:\n%s", buf.String())
	}
	buf.Reset()
	if err := WriteBenchstat(&buf, []*bench.Result{res}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "model-write-amp") || strings.Contains(buf.String(), "model-space-amp") {
		t.Errorf("benchstat has model figures outside the domain:\n%s", buf.String())
	}
}

// TestModelInEveryFormat gives one result a model and parses each output
// format back: JSON keeps it, CSV has it in the model_* columns of the
// phase's "all" row, benchstat as model-* units.
func TestModelInEveryFormat(t *testing.T) {
	rs := sampleResults(t)
	want := &bench.Model{Basis: "leveled compaction", WriteAmp: 3.5, BlocksPerGet: 2, SpaceAmp: 1.25, Levels: 2, Transient: "short"}
	rs[1].Run.Model = want // disky, fillrandom

	var js bytes.Buffer
	if err := WriteJSON(&js, rs); err != nil {
		t.Fatal(err)
	}
	back, err := ReadJSON(&js)
	if err != nil {
		t.Fatal(err)
	}
	if got := back[1].Run.Model; got == nil || *got != *want || back[0].Run.Model != nil {
		t.Errorf("JSON round trip: model %+v, want %+v", got, want)
	}

	var cb bytes.Buffer
	if err := WriteCSV(&cb, rs); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&cb).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	seen := 0
	for _, row := range rows[1:] {
		if row[col["workload"]] != "fillrandom" || row[col["op"]] != "all" {
			continue
		}
		seen++
		got := []string{row[col["model_write_amp"]], row[col["model_blocks_per_get"]], row[col["model_space_amp"]]}
		wantCells := []string{"", "", ""}
		if row[col["engine"]] == "disky" {
			wantCells = []string{"3.5", "2", "1.25"}
		}
		if !slices.Equal(got, wantCells) {
			t.Errorf("%s model cells %q, want %q", row[col["engine"]], got, wantCells)
		}
	}
	if seen != 2 {
		t.Fatalf("%d fillrandom total rows, want 2", seen)
	}

	var bs bytes.Buffer
	if err := WriteBenchstat(&bs, rs); err != nil {
		t.Fatal(err)
	}
	r := benchfmt.NewReader(&bs, "bench.txt")
	found := false
	for r.Scan() {
		if res, ok := r.Result().(*benchfmt.Result); ok && res.Name.String() == "Fillrandom/engine=disky" {
			for unit, v := range map[string]float64{"model-write-amp": 3.5, "model-blocks/get": 2, "model-space-amp": 1.25} {
				if got, ok := res.Value(unit); !ok || got != v {
					t.Errorf("%s = %v %v, want %v", unit, got, ok, v)
				}
			}
			found = true
		}
	}
	if err := r.Err(); err != nil || !found {
		t.Fatalf("benchstat: %v, found %v", err, found)
	}
}

// TestModelReading: the reading puts each engine's measurements beside its
// model, and explains a wide gap with the model's own account of why the
// phase was short of steady state, or says the model misses.
func TestModelReading(t *testing.T) {
	mk := func(name string, wa, space float64, m *bench.Model) *bench.Result {
		return &bench.Result{Engine: name, Workload: "w", Persistent: true, Params: bench.Params{Mix: map[string]float64{"update": 1}},
			Run: &bench.Phase{Name: "run", Ops: 10, OpsPerSec: 10, WriteAmp: wa, SpaceAmp: space, Model: m}}
	}
	fits := mk("fits", 4, 1.1, &bench.Model{Basis: "b", WriteAmp: 4.4, SpaceAmp: 1.2, Transient: "never shown"})
	short := mk("short", 1.2, 1.1, &bench.Model{Basis: "b", WriteAmp: 4.4, SpaceAmp: 1.2, Transient: "it was short"})
	off := mk("off", 12, 1.1, &bench.Model{Basis: "b", WriteAmp: 4.4, SpaceAmp: 1.2})
	// A read-only run on a store its load wrote: the load's account counts.
	ro := mk("ro", 0, 3, &bench.Model{Basis: "b", WriteAmp: 4.4, SpaceAmp: 1.2})
	ro.Load = &bench.Phase{Name: "load", Ops: 10, WriteAmp: 1.1, Model: &bench.Model{Basis: "b", WriteAmp: 4.4, SpaceAmp: 1.2, Transient: "the load grew the store"}}
	got := Reading([]*bench.Result{fits, short, off, ro})
	for _, want := range []string{
		"fits measured vs its cost model (b): write amp 4.00 vs 4.40, space amp 1.10 vs 1.20, within 1.50×",
		"short measured vs its cost model (b): write amp 1.20 vs 4.40, space amp 1.10 vs 1.20: short of its steady state (see the caveat)",
		"caveat: short is short of the model's steady state: it was short",
		"off measured vs its cost model (b): write amp 12.0 vs 4.40, space amp 1.10 vs 1.20: the model's simplifications miss this run by more than 1.50×",
		"ro measured vs its cost model (b): write amp 1.10 vs 4.40, space amp 3.00 vs 1.20: short of its steady state (see the caveat)",
		"caveat: ro is short of the model's steady state: the load grew the store",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("reading lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "never shown") {
		t.Errorf("a transient shown for figures within 1.5× of the model:\n%s", got)
	}
	// A sweep sums the gaps up: how many points, and the first account.
	for i, r := range []*bench.Result{fits, short, off} {
		r.Sweep = map[string]string{"e.x": fmt.Sprint(i)}
	}
	sr := SweepReading([]*bench.Result{fits, short, off})
	for _, want := range []string{"write amp from 1.20 at x=1 to 12.0 at x=2 (model 4.40 and 4.40)",
		"measured amplification is more than 1.50× from the cost model's at 2 of 3 points, short of its steady state: it was short"} {
		if !strings.Contains(sr, want) {
			t.Errorf("sweep reading lacks %q:\n%s", want, sr)
		}
	}
	off.Run.Model.Transient, short.Run.WriteAmp = "", 4
	if sr := SweepReading([]*bench.Result{fits, short, off}); !strings.Contains(sr, "at 1 of 3 points, which had run long enough by the model's own measure") {
		t.Errorf("sweep reading without an account:\n%s", sr)
	}
}
