package main

import (
	"encoding/csv"
	"encoding/json"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/perf/benchfmt"

	"github.com/kvlab/kvlab/bench/report"
)

// TestBenchEveryFormatParsesBack reads every machine format back with the
// reader its users have: JSON with report.ReadJSON (and every field name,
// at every depth, snake_case), CSV with encoding/csv (every numeric cell a
// plain decimal or empty, never 0 for a figure that does not apply), and
// benchstat input with benchfmt; MB/s is in each, beside ops/s and µs/op.
func TestBenchEveryFormatParsesBack(t *testing.T) {
	base := []string{"bench", "--engines", "lsm,memory", "--workloads", "fillrandom,readrandom", "--num", "3000"}

	code, out, stderr := runCLI(t, "", append(base, "--format", "json")...)
	if code != 0 {
		t.Fatalf("json: exit %d, %s", code, stderr)
	}
	rs, err := report.ReadJSON(strings.NewReader(out))
	if err != nil || len(rs) != 4 {
		t.Fatalf("json: %d results, %v", len(rs), err)
	}
	for _, r := range rs {
		if r.Format != report.ResultsFormat || r.Run.MiBPerSec <= 0 || r.Run.MicrosPerOp <= 0 || r.Run.OpsPerSec <= 0 {
			t.Errorf("%s %s: format %d, %g MiB/s, %g µs/op", r.Engine, r.Workload, r.Format, r.Run.MiBPerSec, r.Run.MicrosPerOp)
		}
	}
	snake := regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	for i, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var v any
		if err := json.Unmarshal([]byte(line), &v); err != nil {
			t.Fatal(err)
		}
		var walk func(path string, v any)
		walk = func(path string, v any) {
			switch x := v.(type) {
			case map[string]any:
				for k, c := range x {
					// The keys of these objects are data (file kinds, figure,
					// operation and option names), not field names.
					data := slices.Contains([]string{"io", "extra", "mix", "settings", "sweep"}, path[strings.LastIndexByte(path, '.')+1:])
					if !data && !snake.MatchString(k) {
						t.Errorf("line %d: field %s.%s is not snake_case", i+1, path, k)
					}
					walk(path+"."+k, c)
				}
			case []any:
				for _, c := range x {
					walk(path, c)
				}
			}
		}
		walk("", v)
		if !strings.Contains(line, `"stats":{"engine":`) {
			t.Errorf("line %d: no snake_case stats", i+1)
		}
	}

	code, out, stderr = runCLI(t, "", append(base, "--format", "csv")...)
	if code != 0 {
		t.Fatalf("csv: exit %d, %s", code, stderr)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || len(rows) < 9 || !slices.Equal(rows[0], report.CSVHeader) {
		t.Fatalf("csv: %v, %d rows, header %v", err, len(rows), rows[0])
	}
	col := func(name string) int { return slices.Index(rows[0], name) }
	empty := 0
	for _, row := range rows[1:] {
		for j, cell := range row {
			name := rows[0][j]
			if slices.Contains(report.CSVTextColumns, name) {
				continue
			}
			if cell == "" {
				empty++
				continue
			}
			if _, err := strconv.ParseFloat(cell, 64); err != nil || strings.ContainsAny(cell, "eE") {
				t.Errorf("csv %s = %q: not a plain decimal", name, cell)
			}
		}
		if row[col("op")] == "all" {
			if row[col("mib_per_sec")] == "" || row[col("micros_per_op")] == "" || row[col("p99_ns")] != "" {
				t.Errorf("csv all row %v: want MiB/s and µs/op, no latency", row)
			}
			if row[col("engine")] == "memory" && (row[col("write_amp")] != "" || row[col("disk_bytes")] != "" || row[col("model_write_amp")] != "") {
				t.Errorf("csv: the no-I/O baseline has amplification or disk figures: %v", row)
			}
		}
		if row[col("op")] == "insert" && row[col("misses")] != "" {
			t.Errorf("csv: inserts have a misses figure: %v", row)
		}
	}
	if empty == 0 {
		t.Error("csv: no empty cells")
	}

	code, out, stderr = runCLI(t, "", append(base, "--format", "benchstat")...)
	if code != 0 {
		t.Fatalf("benchstat: exit %d, %s", code, stderr)
	}
	r := benchfmt.NewReader(strings.NewReader(out), "bench.txt")
	n := 0
	for r.Scan() {
		switch rec := r.Result().(type) {
		case *benchfmt.SyntaxError:
			t.Fatalf("benchfmt: %v", rec)
		case *benchfmt.Result:
			n++
			if v, ok := rec.Value("MiB/s"); !ok || v <= 0 {
				if _, ok := rec.Value("B/s"); !ok {
					t.Errorf("%s: no MiB/s", rec.Name)
				}
			}
			if v, ok := rec.Value("sec/op"); !ok || v <= 0 {
				t.Errorf("%s: no time per op", rec.Name)
			}
		}
	}
	if err := r.Err(); err != nil || n < 6 {
		t.Fatalf("benchstat: %d results, %v\n%s", n, err, out)
	}

	code, out, _ = runCLI(t, "", base...)
	for _, want := range []string{"run µs/op", "run MiB/s", "load MiB/s"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}
