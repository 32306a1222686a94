package main

import (
	"bytes"
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/kvlab/kvlab"
	"github.com/kvlab/kvlab/bench"
	"github.com/kvlab/kvlab/bench/report"
	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/kv/memory"
)

// small keeps the CLI runs short.
var small = []string{"--num", "2000"}

func TestBenchBadInputExitsTwo(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	os.WriteFile(file, []byte("x"), 0o644)
	props := filepath.Join(dir, "bad.properties")
	os.WriteFile(props, []byte("readproportoin=1\n"), 0o644)
	for _, args := range [][]string{
		{"bench", "--engines", "no-such-engine"},
		{"bench", "--engines", "memory,memory"},
		{"bench", "--engines", "memory", "--workloads", "no-such-workload"},
		{"bench", "--engines", "memory", "--set", "memory.bogus=1"},
		{"bench", "--engines", "memory", "--set", "lsm.bloom-bits=10"},
		{"bench", "--engines", "memory", "--set", "malformed"},
		{"bench", "--engines", "memory", "--num", "10q"},
		{"bench", "--engines", "memory", "--num", "-5"},
		{"bench", "--engines", "memory", "--num", "0"},
		{"bench", "--engines", "memory", "--reads", "-1"},
		{"bench", "--engines", "memory", "--threads", "-1"},
		{"bench", "--engines", "memory", "--threads", "0"},
		{"bench", "--engines", "memory", "--value-size", "5XB"},
		{"bench", "--engines", "memory", "--value-size", "100-10"},
		{"bench", "--engines", "memory", "--key-size", "4"},
		{"bench", "--engines", "memory", "--duration", "-1s"},
		{"bench", "--engines", "memory", "--duration", "soon"},
		{"bench", "--engines", "memory", "--distribution", "gaussian"},
		{"bench", "--engines", "memory", "--distribution", "zipfian:1"},
		{"bench", "--engines", "memory", "--scan-length", "0"},
		{"bench", "--engines", "memory", "--compressibility", "0"},
		{"bench", "--engines", "memory", "--format", "xml"},
		{"bench", "--engines", "memory", "--count", "0"},
		{"bench", "--engines", "memory", "--count", "0"},
		{"bench", "--engines", "memory", "--dir", filepath.Join(file, "sub")},
		{"bench", "--engines", "memory", "--out", filepath.Join(file, "out.jsonl")},
		{"bench", "--engines", "memory", "--workload-file", filepath.Join(dir, "missing.properties")},
		{"bench", "--engines", "memory", "--workload-file", props},
		{"bench", "extra-argument"},
		{"bench", "--engines", "lsm", "--set", "lsm.memtable-size=4XB", "--num", "1000"},
		{"bench", "--engines", "lsm", "--set", "lsm.level-ratio=-3", "--num", "1000"},
		{"sweep", "--engine", "lsm", "--set", "lsm.memtable-size=1XB,2MiB", "--num", "1000", "--out", filepath.Join(dir, "never.jsonl")},
		{"sweep", "--set", "memory.x=1,2"},
		{"sweep", "--engine", "no-such-engine", "--set", "x.y=1"},
		{"sweep", "--engine", "memory"},
		{"sweep", "--engine", "memory", "--set", "memory.bogus=1,2"},
		{"sweep", "--engine", "memory", "--set", "lsm.bloom-bits=1,2"},
		{"sweep", "--engine", "memory", "--set", "memory.a=1,2", "--set", "memory.b=1,2", "--set", "memory.c=1,2"},
		{"sweep", "--engine", "memory", "--set", "memory.a=1,,2"},
		{"sweep", "--engine", "memory", "--set", "memory.a=1", "--workload", "nope"},
		{"plot", filepath.Join(dir, "missing.jsonl"), "-o", filepath.Join(dir, "x.svg")},
		{"plot", file, "-o", filepath.Join(dir, "x.svg")},
		{"plot", file},
		{"plot", file, "-o", filepath.Join(dir, "x.gif")},
		{"plot", "-o", filepath.Join(dir, "x.svg")},
	} {
		code, _, stderr := runCLI(t, "", args...)
		if code != 2 {
			t.Errorf("kvlab %v exited %d, want 2 (stderr %q)", args, code, stderr)
		}
		if lines := strings.Count(strings.TrimSpace(stderr), "\n"); !strings.HasPrefix(stderr, "kvlab: ") || lines > 0 {
			t.Errorf("kvlab %v: want one 'kvlab: ...' line on stderr, got %q", args, stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "never.jsonl")); err == nil {
		t.Error("a sweep refused for its settings left an empty results file")
	}
}

// TestBenchShowsModel runs lsm beside the memory engine: the table has the
// cost model's rows and the reading compares the two.
func TestBenchShowsModel(t *testing.T) {
	code, out, stderr := runCLI(t, "", "bench", "--engines", "lsm,memory", "--workloads", "fillrandom", "--num", "20k", "--set", "lsm.memtable-size=64KiB")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"    model ", "lsm measured vs its cost model (leveled compaction): write amp", "lsm flushes"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// Fair sizing applies with --num too, but leaves the caller's memtable.
	if !strings.Contains(out, "note: sized to 2.2MiB of keys and values") || !strings.Contains(out, "lsm block-cache=283KiB l1-target-size=566KiB target-file-size=256KiB;") {
		t.Errorf("the sizing note is missing, or scaled the caller's memtable:\n%s", out)
	}
}

func TestBenchFormatsParseBack(t *testing.T) {
	base := append([]string{"bench", "--engines", "memory", "--workloads", "readrandom,ycsb-a"}, small...)
	code, out, stderr := runCLI(t, "", append(base, "--format", "json")...)
	if code != 0 {
		t.Fatalf("json: exit %d, %s", code, stderr)
	}
	rs, err := report.ReadJSON(strings.NewReader(out))
	if err != nil || len(rs) != 2 || rs[0].Workload != "readrandom" || rs[1].Run.Op("update") == nil || rs[0].HarnessNsPerOp <= 0 {
		t.Fatalf("json results %v, %v", rs, err)
	}
	code, out, _ = runCLI(t, "", append(base, "--format", "csv")...)
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if code != 0 || err != nil || len(rows) < 5 || rows[0][0] != "workload" {
		t.Fatalf("csv: exit %d, %v, %d rows", code, err, len(rows))
	}
	code, out, _ = runCLI(t, "", append(base, "--format", "benchstat", "--count", "2")...)
	if code != 0 || strings.Count(out, "\nBenchmarkReadrandom/engine=memory\t2000\t") != 2 || !strings.Contains(out, "BenchmarkYcsbA/engine=memory") {
		t.Fatalf("benchstat: exit %d:\n%s", code, out)
	}
	code, out, _ = runCLI(t, "", append(base, "--verify-io")...)
	for _, want := range []string{"readrandom: load 2000 keys", "read p99", "reading:\n  memory (no-I/O baseline)", "harness: ", "I/O check"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("table (exit %d) lacks %q:\n%s", code, want, out)
		}
	}
}

func TestBenchOutThenPlot(t *testing.T) {
	dir := t.TempDir()
	results := filepath.Join(dir, "results.jsonl")
	props := filepath.Join(dir, "workloadx.properties")
	os.WriteFile(props, []byte("recordcount=1000\noperationcount=3000\nreadproportion=0.5\nupdateproportion=0.4\nscanproportion=0.1\nmaxscanlength=10\nrequestdistribution=latest\nworkload=site.ycsb.workloads.CoreWorkload\n"), 0o644)
	code, out, stderr := runCLI(t, "", "bench", "--engines", "memory", "--workload-file", props, "--dir", dir, "--out", results, "--threads", "2")
	if code != 0 || !strings.Contains(out, "workloadx: load 1000 keys, run 3000 ops") || !strings.Contains(stderr, "property workload ignored") {
		t.Fatalf("bench: exit %d\n%s\n%s", code, out, stderr)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("the stores were not removed from --dir: %v", entries)
	}
	img := filepath.Join(dir, "out.svg")
	if code, _, stderr := runCLI(t, "", "plot", results, "-o", img); code != 0 {
		t.Fatalf("plot: exit %d, %s", code, stderr)
	}
	if b, err := os.ReadFile(img); err != nil || !bytes.Contains(b, []byte("<svg")) || !bytes.Contains(b, []byte("Latency: workloadx")) {
		t.Fatalf("plot wrote %d bytes, %v", len(b), err)
	}
}

func TestSweepRunsEachPoint(t *testing.T) {
	engine, knob := "", ""
	for _, e := range kvlab.Engines() {
		for _, k := range e.Knobs() {
			if k.Name == "bloom-bits" && e.Persistent {
				engine, knob = e.Name, k.Name
			}
		}
		if engine != "" {
			break
		}
	}
	if engine == "" {
		t.Skip("no registered engine has a bloom-bits option")
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "sweep.jsonl")
	code, table, stderr := runCLI(t, "", "sweep", "--engine", engine, "--set", engine+"."+knob+"=0,10", "--workload", "readmissing",
		"--num", "2000", "--dir", dir, "--out", out)
	if code != 0 {
		t.Fatalf("sweep: exit %d, %s", code, stderr)
	}
	if !strings.Contains(table, "sweep: "+engine+" on readmissing") || !strings.Contains(table, "reading:\n  throughput peaks at") {
		t.Errorf("sweep table:\n%s", table)
	}
	if bench.HasModel(engine) && !strings.Contains(table, "  model  ") {
		t.Errorf("sweep of %s without the cost model's columns:\n%s", engine, table)
	}
	f, _ := os.Open(out)
	defer f.Close()
	rs, err := report.ReadJSON(f)
	if err != nil || len(rs) != 2 || rs[1].Sweep[engine+"."+knob] != "10" || rs[1].Settings[knob] != "10" {
		t.Fatalf("sweep results %+v, %v", rs, err)
	}
}

func TestBenchDefaultEnginesSkipUnregistered(t *testing.T) {
	var errb bytes.Buffer
	engines, err := resolveEngines("", &errb)
	if err != nil || len(engines) == 0 {
		t.Fatalf("resolveEngines: %v, %v", engines, err)
	}
	for _, e := range defaultBenchEngines {
		_, lookupErr := kvlab.Lookup(e)
		if registered := lookupErr == nil; registered != strings.Contains(strings.Join(engines, ","), e) {
			t.Errorf("engine %s registered %v but chosen %v", e, registered, engines)
		}
	}
	if len(engines) < len(defaultBenchEngines) && strings.Count(errb.String(), "\n") != 1 {
		t.Errorf("want a one-line note about the skipped engines, got %q", errb.String())
	}
}

// failingEngine is a memory engine whose writes fail after a number of
// them: an engine error in the middle of a run.
type failingEngine struct {
	*memory.DB
	n atomic.Int64
}

var errDiskOnFire = errors.New("disk on fire")

func (f *failingEngine) Write(b *kv.Batch, o kv.WriteOptions) error {
	if f.n.Add(int64(b.Len())) > 3000 {
		return errDiskOnFire
	}
	return f.DB.Write(b, o)
}

func (f *failingEngine) Put(k, v []byte) error {
	var b kv.Batch
	b.Put(k, v)
	return f.Write(&b, kv.WriteOptions{})
}

var registerFailing sync.Once

func TestBenchEngineErrorMidRun(t *testing.T) {
	registerFailing.Do(func() {
		kvlab.Register(kvlab.EngineInfo{Name: "failing-test", Description: "fails after 3000 writes",
			Open: func(string, kvlab.Options) (kv.Engine, error) { return &failingEngine{DB: memory.New()}, nil }})
	})
	code, out, stderr := runCLI(t, "", "bench", "--engines", "memory,failing-test", "--workloads", "ycsb-a,readrandom", "--num", "2000")
	if code != 1 {
		t.Fatalf("exit %d, want 1 (stderr %q)", code, stderr)
	}
	if !strings.Contains(stderr, "disk on fire") || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
		t.Errorf("stderr %q: want one line with the engine's error", stderr)
	}
	for _, want := range []string{"ycsb-a: load 2000 keys", "failing-test", "error: bench: failing-test ycsb-a:", "(figures so far shown)", "failing-test failed", "read p99"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "readrandom:") {
		t.Errorf("the run went on after the engine error:\n%s", out)
	}
}
