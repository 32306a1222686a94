package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/kvlab/kvlab/bench"
	"github.com/kvlab/kvlab/kv"
)

// honestResults are a load-and-run of lsm, of bbolt buffering its updates
// into commits of 1000 and reading through a memory map, and of pebble.
func honestResults() []*bench.Result {
	lat := bench.Latency{P50: 1000, P95: 2000, P99: 5000, P999: 9000, Max: 20000, Mean: 1500}
	phase := func(name string, buffered bool, commits *bench.Commits) *bench.Phase {
		p := &bench.Phase{Name: name, Ops: 2000, Seconds: 1, OpsPerSec: 2000, MicrosPerOp: 500, WriteAmp: 2, ReadAmp: 3,
			BlocksPerGet: 1.5, SpaceAmp: 1.2, DiskBytes: 1 << 20, LiveBytes: 1 << 19, UserBytesWritten: 1 << 20, UserBytesRead: 1 << 19,
			Stats: kv.Stats{Ops: kv.OpStats{Gets: 1000}}, Commits: commits}
		if name == "load" {
			p.ByOp = []bench.OpResult{{Op: "write-batch", Count: 20, OpsPerSec: 20, Latency: lat}}
			return p
		}
		p.ByOp = []bench.OpResult{{Op: "read", Count: 1000, OpsPerSec: 1000, Latency: lat},
			{Op: "update", Count: 1000, OpsPerSec: 1000, Latency: lat, Buffered: buffered}}
		return p
	}
	params := bench.Params{Num: 2000, Threads: 1, Mix: map[string]float64{"read": 0.5, "update": 0.5}}
	bolt := &bench.Result{Engine: "bbolt", Workload: "ycsb-a", Persistent: true, Peer: true, Params: params,
		Load: phase("load", false, nil), Run: phase("run", true, &bench.Commits{Group: 1000, Count: 1, MicrosPerCommit: 4200, WritesPerCommit: 1000}),
		Unreported: []string{"Phase.ReadAmp"}}
	bolt.Run.ReadAmp, bolt.Run.BlocksPerGet = 0, 0
	pebble := &bench.Result{Engine: "pebble", Workload: "ycsb-a", Persistent: true, Peer: true, Params: params,
		Load: phase("load", false, nil), Run: phase("run", false, nil)}
	pebble.Run.BlocksPerGet = 0
	return []*bench.Result{
		{Engine: "lsm", Workload: "ycsb-a", Persistent: true, Params: params, Load: phase("load", false, nil), Run: phase("run", false, nil)},
		bolt, pebble,
	}
}

// tableBody returns the table's figure rows: the lines between the column
// header and the first note, reading or error line.
func tableBody(out string) []string {
	var body []string
	lines := strings.Split(out, "\n")
	h := slices.IndexFunc(lines, func(l string) bool { return slices.Equal(strings.Fields(l), []string{"lsm", "bbolt", "pebble"}) })
	for _, l := range lines[h+1:] {
		if l == "" || !strings.HasPrefix(l, "  ") {
			break
		}
		body = append(body, l)
	}
	return body
}

// TestEveryRowNamesItsPhase: every figure row of the table says whether it
// measures the load or the run phase (indented rows belong to the row
// above; engine counters kept from open say so), every CSV row names its
// phase, and every JSON phase object its name.
func TestEveryRowNamesItsPhase(t *testing.T) {
	rs := honestResults()
	var buf bytes.Buffer
	if err := WriteTable(&buf, rs, TableOptions{}); err != nil {
		t.Fatal(err)
	}
	body := tableBody(buf.String())
	if len(body) < 20 {
		t.Fatalf("only %d rows:\n%s", len(body), buf.String())
	}
	for _, l := range body {
		label := strings.TrimPrefix(l, "  ")
		if !strings.HasPrefix(label, "load ") && !strings.HasPrefix(label, "run ") && !strings.HasPrefix(label, "  ") &&
			!strings.Contains(label, " since open") {
			t.Errorf("row %q names no phase\n%s", l, buf.String())
		}
	}
	buf.Reset()
	if err := WriteCSV(&buf, rs); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := slices.Index(recs[0], "phase")
	for _, rec := range recs[1:] {
		if rec[col] != "load" && rec[col] != "run" {
			t.Errorf("csv row %v: phase %q", rec, rec[col])
		}
	}
	buf.Reset()
	if err := WriteJSON(&buf, rs); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		var m map[string]json.RawMessage
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatal(err)
		}
		for _, key := range []string{"load", "run"} {
			var ph struct{ Name string }
			if err := json.Unmarshal(m[key], &ph); err != nil || ph.Name != key {
				t.Errorf("json %q phase named %q (%v)", key, ph.Name, err)
			}
		}
	}
}

// TestBufferedWritesMarked: the latency of writes an engine only buffered
// is marked † in the table and never the best, a note gives the commits'
// figures, the table has commit rows, CSV marks the rows and gives the
// commits, and JSON keeps both.
func TestBufferedWritesMarked(t *testing.T) {
	rs := honestResults()
	var buf bytes.Buffer
	if err := WriteTable(&buf, rs, TableOptions{}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, l := range tableBody(out) {
		f := strings.Fields(l)
		if !strings.HasPrefix(strings.TrimSpace(l), "run update p") {
			continue
		}
		// lsm, bbolt, pebble: bbolt's cell is marked, the best is between
		// the other two (equal here: none marked).
		cells := f[len(f)-3:]
		if !strings.HasSuffix(cells[1], bufferedMark) || strings.Contains(cells[1], bestMark) {
			t.Errorf("row %q: bbolt's cell %q not marked %s, or marked best", l, cells[1], bufferedMark)
		}
		if strings.HasSuffix(cells[0], bufferedMark) || strings.HasSuffix(cells[2], bufferedMark) {
			t.Errorf("row %q: an engine committing each write is marked", l)
		}
	}
	for _, want := range []string{"note: † bbolt: bbolt buffers single writes and commits them 1000 at a time", "4.2ms each",
		"run commits", "run time/commit"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}
	if strings.Contains(out, "run read p50  †") {
		t.Errorf("reads marked buffered:\n%s", out)
	}
	buf.Reset()
	if err := WriteCSV(&buf, rs); err != nil {
		t.Fatal(err)
	}
	recs, _ := csv.NewReader(&buf).ReadAll()
	h := recs[0]
	get := func(rec []string, name string) string { return rec[slices.Index(h, name)] }
	seen := 0
	for _, rec := range recs[1:] {
		want := ""
		if get(rec, "engine") == "bbolt" && get(rec, "phase") == "run" && get(rec, "op") == "update" {
			want = "1"
			seen++
		}
		if get(rec, "buffered") != want {
			t.Errorf("csv %v: buffered %q, want %q", rec, get(rec, "buffered"), want)
		}
		if get(rec, "engine") == "bbolt" && get(rec, "phase") == "run" && get(rec, "op") == "all" {
			if get(rec, "commits") != "1" || get(rec, "micros_per_commit") != "4200" {
				t.Errorf("csv bbolt run: commits %q, µs/commit %q", get(rec, "commits"), get(rec, "micros_per_commit"))
			}
		}
	}
	if seen != 1 {
		t.Errorf("%d buffered csv rows, want 1", seen)
	}
	buf.Reset()
	if err := WriteBenchstat(&buf, rs); err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(buf.String(), "\n") {
		bolt := strings.Contains(l, "engine=bbolt") && !strings.Contains(l, "Load/")
		if bolt != strings.Contains(l, "update-buffered-p50-ns") || bolt != strings.Contains(l, "4.2e+06 ns/commit") {
			t.Errorf("benchstat line %q: buffered unit or commit time wrong", l)
		}
	}
	buf.Reset()
	if err := WriteJSON(&buf, rs); err != nil {
		t.Fatal(err)
	}
	back, err := ReadJSON(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if c := back[1].Run.Commits; c == nil || c.Group != 1000 || !back[1].Run.Op("update").Buffered || back[0].Run.Op("update").Buffered {
		t.Errorf("json lost the marking: %+v", back[1].Run)
	}
}

// TestReadAmpRowsConsistent: the read-amplification rows have a figure
// for each engine that measures it and "-" (CSV: empty) for each that
// cannot, never a zero marked best: bbolt reads through a memory map, the
// peers count no blocks.
func TestReadAmpRowsConsistent(t *testing.T) {
	rs := honestResults()
	var buf bytes.Buffer
	if err := WriteTable(&buf, rs, TableOptions{}); err != nil {
		t.Fatal(err)
	}
	rows := map[string][]string{}
	for _, l := range tableBody(buf.String()) {
		f := strings.Fields(l)
		rows[strings.Join(f[:len(f)-3], " ")] = f[len(f)-3:]
	}
	for label, want := range map[string][]string{
		"run read amp (bytes)": {"3.00", "-", "3.00"},
		"run blocks per get":   {"1.50", "-", "-"},
	} {
		if !slices.Equal(rows[label], want) {
			t.Errorf("row %q = %q, want %q\n%s", label, rows[label], want, buf.String())
		}
	}
	buf.Reset()
	WriteCSV(&buf, rs)
	recs, _ := csv.NewReader(&buf).ReadAll()
	h := recs[0]
	for _, rec := range recs[1:] {
		if rec[slices.Index(h, "op")] != "all" || rec[slices.Index(h, "phase")] != "run" {
			continue
		}
		want := map[string]string{"lsm": "3", "bbolt": "", "pebble": "3"}[rec[slices.Index(h, "engine")]]
		if got := rec[slices.Index(h, "read_amp")]; got != want {
			t.Errorf("csv %s read_amp %q, want %q", rec[1], got, want)
		}
	}
}
