package bench

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"github.com/kvlab/kvlab/bench/workload"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"golang.org/x/perf/benchfmt"

	"github.com/kvlab/kvlab/lsm/compaction"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol*math.Max(math.Abs(b), 1e-12) }

// TestDirtyPagesMatchesSimulation throws n uniformly random updates at P
// pages and compares the distinct pages hit with P·(1 − e^(−n/P)).
func TestDirtyPagesMatchesSimulation(t *testing.T) {
	const seed = 7
	rng := rand.New(rand.NewPCG(seed, seed))
	for _, tc := range []struct{ pages, n int }{{100, 50}, {1000, 1000}, {1000, 5000}, {5000, 2000}} {
		s := BTreeShape{PagesPerLevel: []float64{float64(tc.pages)}}
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

func TestBTreeShape(t *testing.T) {
	// One entry: a single leaf, height 1.
	s := PredictBTreeShape(1, 16, 100, 4096, 1)
	if s.Height() != 1 || s.Pages() != 1 {
		t.Fatalf("one key: %+v", s)
	}
	// 16-byte keys, 100-byte values: a leaf cell is 1+1+1+16+100+2 = 121
	// bytes, a branch cell 8+1+16+2 = 27; with full 4 KiB pages (fill 1)
	// the leaves are ceil(N·121 / 4064): the model divides bytes.
	const keys = 1e6
	s = PredictBTreeShape(keys, 16, 100, 4096, 1)
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
	s = PredictBTreeShape(1e5, 16, 100, 4096, 1)
	if want := []float64{math.Ceil(1e5 * 121 / 4064), 20, 1}; !slices.Equal(s.PagesPerLevel, want) {
		t.Fatalf("100k keys: levels %v, want %v", s.PagesPerLevel, want)
	}
	// 300k entries in pages filled to ln 2 (as measured: 68.8%): the
	// 124 branches fit one root of up to 150 children, so height 3, as the
	// engine has.
	if s = PredictBTreeShape(3e5, 16, 100, 4096, math.Ln2); s.Height() != 3 {
		t.Fatalf("300k keys: levels %v, want height 3", s.PagesPerLevel)
	}
	// A lone leaf holds a full page: 33 cells of 121 bytes fit 4064.
	if s = PredictBTreeShape(33, 16, 100, 4096, math.Ln2); s.Height() != 1 {
		t.Fatalf("33 keys: levels %v, want one leaf", s.PagesPerLevel)
	}
	// Emptier pages mean more of them.
	if h := PredictBTreeShape(keys, 16, 100, 4096, math.Ln2); h.PagesPerLevel[0] <= leaves {
		t.Errorf("ln2 fill: %v leaves, not more than full pages' %v", h.PagesPerLevel[0], leaves)
	}
}

func TestBTreeCheckpointInterval(t *testing.T) {
	s := PredictBTreeShape(1e6, 16, 100, 4096, math.Ln2)
	// A huge pool: the WAL bound decides.
	if n := BTreeCheckpointInterval(s, 130, 1e9, 64<<20); !near(n, (64<<20)/130.0, 1e-9) {
		t.Errorf("WAL-bound interval %v, want %v", n, (64<<20)/130.0)
	}
	// A pool of 2000 pages: a checkpoint when 1000 pages are dirty.
	n := BTreeCheckpointInterval(s, 130, 2000, 64<<20)
	if d := s.DirtyPages(n); !near(d, 1000, 1e-6) {
		t.Errorf("pool-bound interval %v dirties %v pages, want 1000", n, d)
	}
}

// btreeInput describes a store of live bytes of 16-byte keys and 100-byte
// values, with defaults of 4 KiB pages, a 64 MiB pool and checkpoints every
// 64 MiB of WAL.
func btreeInput(live int64, settings map[string]string) ModelInput {
	return ModelInput{Engine: "btree", Settings: settings, KeySize: 16, ValueSize: 100, Compressibility: 1, LiveBytes: live, LiveBytesBefore: live,
		Defaults: map[string]string{"page-size": "4KiB", "pool-size": "64MiB", "checkpoint-size": "64MiB"}}
}

func TestPredictBTree(t *testing.T) {
	const live = 1e6 * 116
	m, err := Predict(btreeInput(live, nil))
	if err != nil || m == nil {
		t.Fatal(m, err)
	}
	// Recompute from the documented formula with the defaults.
	s := PredictBTreeShape(1e6, 16, 100, 4096, math.Ln2)
	wal := 116.0 + 3 + 11
	n := BTreeCheckpointInterval(s, wal, (64<<20)/4096, 64<<20)
	want := (n*wal + 4096*(s.DirtyPages(n)+1)) / (n * 116)
	if !near(m.WriteAmp, want, 1e-9) || m.BlocksPerGet != float64(s.Height()) || m.Levels != s.Height() {
		t.Errorf("model %+v, want write amp %v, height %d", m, want, s.Height())
	}
	if m.WriteAmp <= wal/116 {
		t.Errorf("write amp %v is no more than the WAL's %v", m.WriteAmp, wal/116)
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
	long, _ := Predict(btreeInput(live, map[string]string{"checkpoint-size": "256MiB", "pool-size": "1GiB"}))
	if long.WriteAmp >= m.WriteAmp {
		t.Errorf("longer checkpoint interval: write amp %v, not below %v", long.WriteAmp, m.WriteAmp)
	}
	// The registered engine's defaults are used over the model's own.
	in := btreeInput(live, nil)
	in.Defaults["page-size"] = "16KiB"
	if d, _ := Predict(in); d.WriteAmp != big.WriteAmp {
		t.Errorf("defaults ignored: %v vs %v", d.WriteAmp, big.WriteAmp)
	}
	in.Defaults = nil // the model's own copy of btree.DefaultOptions
	if d, _ := Predict(in); d == nil || d.WriteAmp <= 1 {
		t.Errorf("built-in defaults: %+v", d)
	}
	if _, err := Predict(btreeInput(live, map[string]string{"page-size": "big"})); err == nil {
		t.Error("bad page size accepted")
	}
}

func TestPredictBTreeTransient(t *testing.T) {
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
}

func lsmInput(live int64, settings map[string]string) ModelInput {
	return ModelInput{Engine: "lsm", Settings: settings, KeySize: 16, ValueSize: 100, Compressibility: 0.5, LiveBytes: live, LiveBytesBefore: live}
}

func TestPredictLSM(t *testing.T) {
	const live = 1 << 30
	// Without compression or filters the table factor is (16+11+100)/116.
	m, err := Predict(lsmInput(live, map[string]string{"compression": "none", "bloom-bits": "0"}))
	if err != nil || m == nil {
		t.Fatal(m, err)
	}
	c := 127.0 / 116
	p := compaction.Predict(compaction.DefaultOptions(), uint64(c*live), uint64(c*(64<<20)), 0)
	wal := (116.0 + 3 + 19) / 116
	if want := wal + c*(p.WriteAmp-1); !near(m.WriteAmp, want, 1e-9) {
		t.Errorf("write amp %v, want %v", m.WriteAmp, want)
	}
	if m.BlocksPerGet != p.ReadAmpPerGet || m.Levels != p.Levels {
		t.Errorf("model %+v vs compaction.Predict %+v", m, p)
	}
	if want := c*p.SpaceAmp + float64(32<<20)/live; !near(m.SpaceAmp, want, 1e-9) {
		t.Errorf("space amp %v, want %v", m.SpaceAmp, want)
	}
	// Compression shrinks the table terms; filters cut the blocks per Get.
	def, _ := Predict(lsmInput(live, nil))
	if def.WriteAmp >= m.WriteAmp || def.SpaceAmp >= m.SpaceAmp {
		t.Errorf("compressed %+v not below uncompressed %+v", def, m)
	}
	if def.BlocksPerGet >= m.BlocksPerGet || def.BlocksPerGet < 1 {
		t.Errorf("bloom filters: %v blocks per get vs %v without", def.BlocksPerGet, m.BlocksPerGet)
	}
	// A smaller level ratio means more levels.
	r4, _ := Predict(lsmInput(4*live, map[string]string{"level-ratio": "4"}))
	r10, _ := Predict(lsmInput(4*live, nil))
	if r4.Levels <= r10.Levels {
		t.Errorf("4 GiB: ratio 4: %d levels, ratio 10: %d", r4.Levels, r10.Levels)
	}
	if _, err := Predict(lsmInput(live, map[string]string{"no-such-knob": "1"})); err == nil {
		t.Error("unknown setting accepted")
	}
	// Engines without a model.
	if m, err := Predict(ModelInput{Engine: "memory", KeySize: 16}); m != nil || err != nil || HasModel("pebble") {
		t.Errorf("memory: %+v %v", m, err)
	}
}

func TestPredictLSMTransient(t *testing.T) {
	const mib = 1 << 20
	for _, tc := range []struct {
		written, before, live int64
		want                  string
	}{
		{10 * mib, 100 * mib, 100 * mib, "less than one memtable"},
		{100 * mib, 100 * mib, 100 * mib, "less than the 4 memtables"},
		{300 * mib, 0, 300 * mib, "the store grew from"},
		{600 * mib, 300 * mib, 300 * mib, "rewrote 2.0×"},
		{3000 * mib, 300 * mib, 300 * mib, ""},
	} {
		in := lsmInput(tc.live, nil)
		in.UserBytesWritten, in.LiveBytesBefore = tc.written, tc.before
		m, _ := Predict(in)
		if tc.want == "" && m.Transient != "" || !strings.Contains(m.Transient, tc.want) {
			t.Errorf("%+v: transient %q, want %q", tc, m.Transient, tc.want)
		}
	}
	if m, _ := Predict(lsmInput(10*mib, nil)); !strings.Contains(m.ReadTransient, "fits in one memtable") {
		t.Errorf("small store: read transient %q", m.ReadTransient)
	}
}

// TestRunLSMHasModel runs the lsm engine with a small memtable and checks
// that the results carry the model and that the table and reading show it.
func TestRunLSMHasModel(t *testing.T) {
	w, _ := workload.LookupWorkload("fillrandom")
	res, err := Run(context.Background(), Config{Engine: "lsm", Workload: w, Num: 20000, Settings: map[string]string{"memtable-size": "64KiB"}})
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
	mem := runMemory(t, Config{Workload: w, Num: 20000})
	if mem.Run.Model != nil {
		t.Errorf("memory engine has a model: %+v", mem.Run.Model)
	}
	var buf bytes.Buffer
	if err := WriteTable(&buf, []*Result{res, mem}, TableOptions{}); err != nil {
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

// TestModelInEveryFormat gives one result a model and parses each output
// format back: JSON keeps it, CSV has it in the model_* columns of the
// phase's "all" row, benchstat as model-* units.
func TestModelInEveryFormat(t *testing.T) {
	rs := sampleResults(t)
	want := &Model{Basis: "leveled compaction", WriteAmp: 3.5, BlocksPerGet: 2, SpaceAmp: 1.25, Levels: 2, Transient: "short"}
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
	mk := func(name string, wa, space float64, m *Model) *Result {
		return &Result{Engine: name, Workload: "w", Persistent: true, Params: Params{Mix: map[string]float64{"update": 1}},
			Run: &Phase{Name: "run", Ops: 10, OpsPerSec: 10, WriteAmp: wa, SpaceAmp: space, Model: m}}
	}
	fits := mk("fits", 4, 1.1, &Model{Basis: "b", WriteAmp: 4.4, SpaceAmp: 1.2, Transient: "never shown"})
	short := mk("short", 1.2, 1.1, &Model{Basis: "b", WriteAmp: 4.4, SpaceAmp: 1.2, Transient: "it was short"})
	off := mk("off", 12, 1.1, &Model{Basis: "b", WriteAmp: 4.4, SpaceAmp: 1.2})
	// A read-only run on a store its load wrote: the load's account counts.
	ro := mk("ro", 0, 3, &Model{Basis: "b", WriteAmp: 4.4, SpaceAmp: 1.2})
	ro.Load = &Phase{Name: "load", Ops: 10, WriteAmp: 1.1, Model: &Model{Basis: "b", WriteAmp: 4.4, SpaceAmp: 1.2, Transient: "the load grew the store"}}
	got := Reading([]*Result{fits, short, off, ro})
	for _, want := range []string{
		"fits measured vs its cost model (b): write amp 4.00 vs 4.40, space amp 1.10 vs 1.20, within 1.50×",
		"short measured vs its cost model (b): write amp 1.20 vs 4.40, space amp 1.10 vs 1.20 — short of the model's steady state: it was short",
		"off measured vs its cost model (b): write amp 12.0 vs 4.40, space amp 1.10 vs 1.20 — the model's simplifications miss this run by more than 1.50×",
		"ro measured vs its cost model (b): write amp 1.10 vs 4.40, space amp 3.00 vs 1.20 — short of the model's steady state: the load grew the store",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("reading lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "never shown") {
		t.Errorf("a transient shown for figures within 1.5× of the model:\n%s", got)
	}
	// A sweep sums the gaps up: how many points, and the first account.
	for i, r := range []*Result{fits, short, off} {
		r.Sweep = map[string]string{"e.x": fmt.Sprint(i)}
	}
	sr := SweepReading([]*Result{fits, short, off})
	for _, want := range []string{"write amp from 1.20 at x=1 to 12.0 at x=2 (model 4.40 and 4.40)",
		"measured amplification is more than 1.50× from the cost model's at 2 of 3 points, short of its steady state: it was short"} {
		if !strings.Contains(sr, want) {
			t.Errorf("sweep reading lacks %q:\n%s", want, sr)
		}
	}
	off.Run.Model.Transient, short.Run.WriteAmp = "", 4
	if sr := SweepReading([]*Result{fits, short, off}); !strings.Contains(sr, "at 1 of 3 points, which had run long enough by the model's own measure") {
		t.Errorf("sweep reading without an account:\n%s", sr)
	}
}

// TestPredictLSMMisses checks that Gets of absent keys are predicted to read
// only the blocks the Bloom filters let through, weighed by the hit ratio.
func TestPredictLSMMisses(t *testing.T) {
	const live = 1e6 * 116
	blocks := func(hits, gets int64) float64 {
		in := lsmInput(live, nil)
		in.GetHits, in.Gets = hits, gets
		m, err := Predict(in)
		if err != nil || m == nil {
			t.Fatal(m, err)
		}
		return m.BlocksPerGet
	}
	hit, miss, half := blocks(100, 100), blocks(0, 100), blocks(50, 100)
	if hit < 1 || miss <= 0 || miss > 0.1 {
		t.Fatalf("blocks per get: present %.3f, absent %.3f; want >= 1 and in (0, 0.1]", hit, miss)
	}
	if d := half - (hit+miss)/2; d > 1e-9 || d < -1e-9 {
		t.Fatalf("half hits predict %.4f, want the mean %.4f", half, (hit+miss)/2)
	}
	if noGets := blocks(0, 0); noGets != hit {
		t.Fatalf("a phase without Gets predicts %.3f, want the present-key figure %.3f", noGets, hit)
	}
}
