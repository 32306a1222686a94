package report

import (
	"bytes"
	"context"
	"encoding/csv"
	"github.com/kvlab/kvlab/bench"
	"github.com/kvlab/kvlab/kv/memory"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/kvlab/kvlab/bench/workload"
	"github.com/kvlab/kvlab/kv"
)

// sampleResults runs two engines (the memory engine, and the memory engine
// posing as a persistent one with file I/O) through two workloads.
func sampleResults(t *testing.T) []*bench.Result {
	t.Helper()
	var out []*bench.Result
	for _, name := range []string{"fillrandom", "ycsb-a"} {
		w, _ := workload.LookupWorkload(name)
		out = append(out, runMemory(t, bench.Config{Workload: w, Num: 2000, Ops: 2000}))
		r, err := bench.Run(context.Background(), bench.Config{Engine: "disky", Workload: w, Num: 2000, Ops: 2000,
			OpenEngine: func(string) (kv.Engine, error) { return memory.New(), nil }})
		if err != nil {
			t.Fatal(err)
		}
		r.Engine, r.Persistent = "disky", true
		out = append(out, r)
	}
	return out
}

func TestJSONRoundTrip(t *testing.T) {
	rs := sampleResults(t)
	rs[0].Sweep = map[string]string{"memory.x": "1"}
	var buf bytes.Buffer
	if err := WriteJSON(&buf, rs); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(buf.String(), "\n"); n != len(rs) {
		t.Fatalf("%d lines for %d results", n, len(rs))
	}
	back, err := ReadJSON(strings.NewReader(buf.String() + "\n\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(back) != len(rs) {
		t.Fatalf("read %d results, wrote %d", len(back), len(rs))
	}
	for i := range rs {
		a, b := *rs[i], *back[i]
		a.Start, b.Start = a.Start.UTC().Round(0), b.Start.UTC().Round(0)
		if !reflect.DeepEqual(a.Run.ByOp, b.Run.ByOp) || a.Params.Num != b.Params.Num || a.Engine != b.Engine ||
			a.Run.OpsPerSec != b.Run.OpsPerSec || !reflect.DeepEqual(a.Sweep, b.Sweep) || a.Run.Stats.Ops != b.Run.Stats.Ops {
			t.Errorf("result %d changed in a round trip:\n%+v\n%+v", i, a, b)
		}
	}
	if _, err := ReadJSON(strings.NewReader("{not json\n")); err == nil {
		t.Error("bad JSON accepted")
	}
}

func TestCSVParsesBack(t *testing.T) {
	rs := sampleResults(t)
	var buf bytes.Buffer
	if err := WriteCSV(&buf, rs); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(rows[0], CSVHeader) {
		t.Fatalf("header %v", rows[0])
	}
	col := map[string]int{}
	for i, h := range CSVHeader {
		col[h] = i
	}
	found := 0
	for _, row := range rows[1:] {
		if len(row) != len(CSVHeader) {
			t.Fatalf("row of %d fields: %v", len(row), row)
		}
		if row[col["workload"]] == "ycsb-a" && row[col["engine"]] == "memory" && row[col["phase"]] == "run" && row[col["op"]] == "read" {
			found++
			want := rs[2].Run.Op("read")
			if n, _ := strconv.ParseInt(row[col["count"]], 10, 64); n != want.Count {
				t.Errorf("read count %d, want %d", n, want.Count)
			}
			if n, _ := strconv.ParseInt(row[col["p99_ns"]], 10, 64); n != want.Latency.P99 {
				t.Errorf("read p99 %d, want %d", n, want.Latency.P99)
			}
		}
	}
	// 2 workloads × 2 engines; fillrandom: run (insert, all); ycsb-a: load
	// (batch, all) and run (read, update, all).
	if found != 1 || len(rows) != 1+2*2+2*5 {
		t.Fatalf("found %d read rows, %d rows", found, len(rows))
	}
}

// TestBenchstatFormat parses the benchstat output back by the Go benchmark
// format's rules (golang.org/design/14313-benchmark-format): configuration
// lines "key: value", then "BenchmarkName iterations value unit ...".
// report_benchstat_test.go parses it with golang.org/x/perf/benchfmt.
func TestBenchstatFormat(t *testing.T) {
	rs := sampleResults(t)
	var buf bytes.Buffer
	if err := WriteBenchstat(&buf, rs); err != nil {
		t.Fatal(err)
	}
	config := map[string]string{}
	benchmarks := 0
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		f := strings.Fields(line)
		switch {
		case strings.HasPrefix(line, "Unit "):
			if len(f) < 3 || !strings.Contains(f[2], "=") {
				t.Errorf("bad unit line %q", line)
			}
		case strings.HasPrefix(line, "Benchmark"):
			benchmarks++
			if len(f) < 4 || len(f)%2 != 0 {
				t.Fatalf("bad benchmark line %q", line)
			}
			iters, err := strconv.Atoi(f[1])
			if err != nil || iters <= 0 {
				t.Fatalf("bad iterations in %q", line)
			}
			vals := map[string]float64{}
			for i := 2; i < len(f); i += 2 {
				v, err := strconv.ParseFloat(f[i], 64)
				if err != nil {
					t.Fatalf("bad value %q in %q", f[i], line)
				}
				vals[f[i+1]] = v
			}
			if f[0] == "BenchmarkYcsbA/engine=memory" {
				if iters != int(rs[2].Run.Ops) || vals["read-p99-ns"] != float64(rs[2].Run.Op("read").Latency.P99) ||
					vals["ns/op"] <= 0 || config["threads"] != "1" {
					t.Errorf("%q: iterations %d, values %v, config %v", line, iters, vals, config)
				}
			}
		default:
			k, v, ok := strings.Cut(line, ": ")
			if !ok || strings.ContainsAny(k, " \t") || k != strings.ToLower(k) {
				t.Fatalf("line %q is neither a benchmark, a unit nor a configuration line", line)
			}
			config[k] = v
		}
	}
	if benchmarks != 6 {
		t.Errorf("%d benchmark lines, want 6 (2 fill runs, 2 ycsb-a loads and runs)", benchmarks)
	}
}

func TestTableMarksBestAndReads(t *testing.T) {
	rs := sampleResults(t)
	// Make the comparison deterministic.
	rs[0].Run.OpsPerSec, rs[1].Run.OpsPerSec = 1000, 3100
	rs[1].Run.WriteAmp = 9.2
	third := *rs[1]
	third.Engine = "other"
	run := *rs[1].Run
	run.OpsPerSec, run.WriteAmp = 1000, 2.4
	third.Run = &run
	rs = append(rs[:2], append([]*bench.Result{&third}, rs[2:]...)...)
	var buf bytes.Buffer
	if err := WriteTable(&buf, rs, TableOptions{VerifyIO: true}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		"fillrandom: ", "ycsb-a: load 2000 keys",
		"memory", "disky", "other",
		"3.10k*", // best throughput among persistent engines, marked
		"reading:\n  disky writes 3.1× faster than other (3.10k vs 1.00k ops/s)\n  other writes 2.40 bytes per user byte, disky 9.20\n",
		"memory (no-I/O baseline)",
		"I/O check",
		"update p99",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "1000*") {
		t.Errorf("the baseline's figure is marked best among persistent engines:\n%s", out)
	}
}

func TestSweepTable(t *testing.T) {
	axes := []bench.SweepAxis{{Engine: "lsm", Option: "bloom-bits", Values: []string{"0", "10"}}, {Engine: "lsm", Option: "block-size", Values: []string{"4KiB", "16KiB", "64KiB"}}}
	points := bench.SweepPoints(axes)
	if len(points) != 6 || points[0]["lsm.bloom-bits"] != "0" || points[5]["lsm.block-size"] != "64KiB" || points[5]["lsm.bloom-bits"] != "10" {
		t.Fatalf("points %v", points)
	}
	if a, err := bench.ParseSweepAxis("lsm.bloom-bits=0, 5,10"); err != nil || len(a.Values) != 3 || a.Key() != "lsm.bloom-bits" {
		t.Fatalf("ParseSweepAxis: %+v %v", a, err)
	}
	for _, bad := range []string{"lsm.bloom-bits", "bloom-bits=1", "lsm.x=1,,2", ".x=1"} {
		if _, err := bench.ParseSweepAxis(bad); err == nil {
			t.Errorf("ParseSweepAxis(%q) accepted", bad)
		}
	}
	w, _ := workload.LookupWorkload("readrandom")
	var rs []*bench.Result
	for i, v := range []string{"0", "10"} {
		r := runMemory(t, bench.Config{Workload: w, Num: 1000, Sweep: map[string]string{"memory.bits": v}})
		r.Run.OpsPerSec = float64(1000 * (i + 1))
		rs = append(rs, r)
	}
	var buf bytes.Buffer
	if err := WriteSweepTable(&buf, rs); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"sweep: memory on readrandom", "memory.bits", "2.00k*", "throughput peaks at bits=10"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("sweep table lacks %q:\n%s", want, buf.String())
		}
	}
}

func TestTableEngineFigures(t *testing.T) {
	phase := func(lsm bool) *bench.Phase {
		p := &bench.Phase{Name: "run", Ops: 100, Seconds: 1, OpsPerSec: 100, UserBytesWritten: 1000, WriteAmp: 3,
			ByOp: []bench.OpResult{{Op: "insert", Count: 100, OpsPerSec: 100, Latency: bench.Latency{P50: 1000, P99: 5000, Max: 9000}}}}
		if lsm {
			p.Stats.LSM = &kv.LSMStats{Compactions: 7, Levels: []kv.LevelStats{{Level: 0, Files: 2}, {Level: 1, Files: 5}}}
			p.Stats.IO = map[string]kv.IOStats{"wal": {BytesWritten: 1000}, "sstable": {BytesWritten: 2000}}
			p.LevelBytesWritten = []int64{1000, 1000}
		} else {
			p.Stats.BTree = &kv.BTreeStats{Height: 3, FillFactor: 0.69}
			p.Stats.IO = map[string]kv.IOStats{"btree-pages": {BytesWritten: 3000}}
		}
		return p
	}
	rs := []*bench.Result{
		{Engine: "lsm", Workload: "fillrandom", Persistent: true, Run: phase(true), Params: bench.Params{Mix: map[string]float64{"insert": 1}}, Settings: map[string]string{"bloom-bits": "5"}},
		{Engine: "btree", Workload: "fillrandom", Persistent: true, Run: phase(false), Params: bench.Params{Mix: map[string]float64{"insert": 1}}},
	}
	var buf bytes.Buffer
	if err := WriteTable(&buf, rs, TableOptions{}); err != nil {
		t.Fatal(err)
	}
	lines := map[string]string{}
	for _, l := range strings.Split(buf.String(), "\n") {
		f := strings.Fields(l)
		if len(f) >= 3 {
			lines[strings.Join(f[:len(f)-2], " ")] = strings.Join(f[len(f)-2:], " ")
		}
	}
	for label, want := range map[string]string{
		"run lsm compactions":         "7 -",
		"run btree height":            "- 3",
		"run btree leaf fill":         "- 69.0%",
		"wal bytes/user byte":         "1.00 -",
		"btree-pages bytes/user byte": "- 3.00",
		"L1 bytes/user byte":          "1.00 -",
	} {
		if want != "" && lines[label] != want {
			t.Errorf("row %q = %q, want %q\n%s", label, lines[label], want, buf.String())
		} else if want == "" && !strings.Contains(buf.String(), label) {
			t.Errorf("no row %q\n%s", label, buf.String())
		}
	}
	if !strings.Contains(buf.String(), "L0:2 L1:5       -") || !strings.Contains(buf.String(), "lsm and btree write about as fast (100 vs 100 ops/s)") {
		t.Errorf("files per level or reading missing:\n%s", buf.String())
	}
	if !strings.Contains(buf.String(), "settings: lsm bloom-bits=5") {
		t.Errorf("settings not shown:\n%s", buf.String())
	}
}

// TestUnreportedFiguresShowDash: an engine that does not measure a figure
// (a peer's LSM without tables per Get or filter false positives) shows "-"
// in its row, never its zero, and is never marked best.
func TestUnreportedFiguresShowDash(t *testing.T) {
	run := func(tables float64, fp int64) *bench.Phase {
		return &bench.Phase{Name: "run", Ops: 100, Seconds: 1, OpsPerSec: 100,
			ByOp:  []bench.OpResult{{Op: "read", Count: 100, OpsPerSec: 100}},
			Stats: kv.Stats{Ops: kv.OpStats{Gets: 100}, LSM: &kv.LSMStats{TablesPerGet: tables, BloomFalsePositives: fp, BloomNegatives: 100, Stalls: 3}}}
	}
	mk := func(engine string, p *bench.Phase, unreported ...string) *bench.Result {
		return &bench.Result{Engine: engine, Workload: "readrandom", Persistent: true, Run: p, Unreported: unreported,
			Params: bench.Params{Mix: map[string]float64{"read": 1}}}
	}
	rs := []*bench.Result{
		mk("lsm", run(1.5, 2)),
		mk("lsm2", run(0.9, 1)),
		mk("pebble", run(0, 0), "LSM.TablesPerGet", "LSM.BloomFalsePositives"),
		mk("badger", run(0, 0), "LSM.TablesPerGet", "LSM.BloomFalsePositives", "LSM.Stalls"),
	}
	var buf bytes.Buffer
	if err := WriteTable(&buf, rs, TableOptions{}); err != nil {
		t.Fatal(err)
	}
	rows := map[string][]string{}
	for _, l := range strings.Split(buf.String(), "\n") {
		if f := strings.Fields(l); len(f) > 4 && (strings.HasPrefix(strings.TrimSpace(l), "lsm ") || strings.HasPrefix(strings.TrimSpace(l), "run lsm ")) {
			rows[strings.Join(f[:len(f)-4], " ")] = f[len(f)-4:]
		}
	}
	for label, want := range map[string][]string{
		"run lsm tables per get":      {"1.50", "0.90*", "-", "-"},
		"run lsm bloom false +":       {"2.0%", "1.0%*", "-", "-"},
		"lsm write stalls since open": {"3", "3", "3", "-"},
	} {
		if !slices.Equal(rows[label], want) {
			t.Errorf("row %q = %q, want %q\n%s", label, rows[label], want, buf.String())
		}
	}
	// A phase without Gets has no per-Get figures: "-", not 0.
	noGets := mk("lsm3", run(0, 0))
	noGets.Run.Stats.Ops.Gets = 0
	var ng bytes.Buffer
	if err := WriteTable(&ng, []*bench.Result{noGets, rs[0]}, TableOptions{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(strings.Fields(ng.String()), " "), "run lsm tables per get - 1.50 run lsm bloom false + - 2.0%") {
		t.Errorf("tables per get without Gets:\n%s", ng.String())
	}
	if r := (&bench.Result{Unreported: []string{"LSM.Flushes"}}); !r.Unreports("LSM.Flushes") || r.Unreports("") || r.Unreports("LSM.Stalls") {
		t.Error("Unreports")
	}
	// Only one engine reports the figure: nothing to compare, nothing marked.
	var one bytes.Buffer
	if err := WriteTable(&one, []*bench.Result{rs[0], rs[2]}, TableOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(one.String(), "\n") {
		if strings.Contains(l, "tables per get") && (strings.Contains(l, "*") || !strings.HasSuffix(strings.TrimSpace(l), "-")) {
			t.Errorf("row %q: want the peer's cell \"-\" and no mark", l)
		}
	}
}

// runMemory runs cfg against the memory engine.
func runMemory(t *testing.T, cfg bench.Config) *bench.Result {
	t.Helper()
	cfg.Engine = "memory"
	res, err := bench.Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return res
}
