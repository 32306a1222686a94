package report

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/kvlab/kvlab/bench"
)

// TestReadingLinesAreShort: the reading under a table is a few lines,
// each at most MaxReadingWidth characters, however many engines ran and
// however long the cost model's account of a gap is; it has a line for
// the winner, for amplification, for the model and for the caveats.
func TestReadingLinesAreShort(t *testing.T) {
	long := strings.Repeat("the phase made 1234 writes, fewer than one checkpoint interval ", 4)
	var rs []*bench.Result
	for i, name := range []string{"lsm", "btree", "pebble", "leveldb", "badger", "bbolt"} {
		rs = append(rs, &bench.Result{Engine: name, Workload: "ycsb-a", Persistent: true,
			Params: bench.Params{Num: 1000, Threads: 1, KeySize: 16, ValueSize: "100", Mix: map[string]float64{"read": 0.5, "update": 0.5}},
			Run: &bench.Phase{Name: "run", Ops: 1000, Seconds: 1, OpsPerSec: float64(1000 * (i + 1)), WriteAmp: float64(i + 2), ReadAmp: 1.5,
				SpaceAmp: 1.2, MicrosPerOp: 1000, MiBPerSec: 0.1,
				ByOp:  []bench.OpResult{{Op: "read", Count: 500, Latency: bench.Latency{P99: int64(1000 * (i + 1))}}, {Op: "update", Count: 500, Latency: bench.Latency{P99: 2000}}},
				Model: &bench.Model{Basis: "leveled compaction", WriteAmp: 20, SpaceAmp: 1.1, Transient: long}}})
	}
	rs = append(rs, &bench.Result{Engine: "memory", Workload: "ycsb-a", Params: rs[0].Params,
		Run: &bench.Phase{Name: "run", Ops: 1000, Seconds: 0.1, OpsPerSec: 1e4}},
		&bench.Result{Engine: "stopped", Workload: "ycsb-a", Persistent: true, Params: rs[0].Params, Error: bench.Interrupted,
			Run: &bench.Phase{Name: "run", Ops: 10, Seconds: 1, OpsPerSec: 10}})
	var buf bytes.Buffer
	if err := WriteTable(&buf, rs, TableOptions{}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	_, reading, ok := strings.Cut(out, "\nreading:\n")
	if !ok {
		t.Fatalf("no reading:\n%s", out)
	}
	lines := strings.Split(strings.TrimSuffix(reading, "\n"), "\n")
	for _, l := range lines {
		if n := utf8.RuneCountInString(l); n > MaxReadingWidth {
			t.Errorf("reading line of %d characters: %q", n, l)
		}
		if !strings.HasPrefix(l, "  ") {
			t.Errorf("reading line not indented: %q", l)
		}
	}
	for _, want := range []string{
		"bbolt runs the mix 1.2× faster than badger (6.00k vs 5.00k ops/s)",
		"lsm writes 2.00 bytes per user byte",
		"lsm measured vs its cost model (leveled compaction): write amp 2.00 vs 20.0",
		"caveat: bbolt, badger, leveldb, pebble, btree, lsm are short of the model's steady state: the",
		"caveat: stopped was interrupted",
		"memory (no-I/O baseline) 10.0k ops/s",
	} {
		if !strings.Contains(strings.Join(lines, "\n"), want) {
			t.Errorf("reading lacks %q:\n%s", want, reading)
		}
	}
	if strings.Count(reading, long[:40]) != 1 {
		t.Errorf("want one caveat for the engines short of their model for the same reason:\n%s", reading)
	}
}

func TestWrap(t *testing.T) {
	got := wrap("aa bb cc dd", 5, 2)
	if strings.Join(got, "|") != "aa bb|  cc|  dd" {
		t.Fatalf("wrap = %q", got)
	}
	if got := wrap(strings.Repeat("x", 20), 5, 2); len(got) != 1 {
		t.Fatalf("a long word is split: %q", got)
	}
}
