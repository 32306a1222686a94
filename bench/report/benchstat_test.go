package report

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/perf/benchfmt"
)

// TestBenchstatParsesBack parses WriteBenchstat's output with benchfmt, the
// parser benchstat uses.
func TestBenchstatParsesBack(t *testing.T) {
	rs := sampleResults(t)
	rs[3].Sweep = map[string]string{"disky.bloom-bits": "10"}
	var buf bytes.Buffer
	if err := WriteBenchstat(&buf, rs); err != nil {
		t.Fatal(err)
	}
	r := benchfmt.NewReader(bytes.NewReader(buf.Bytes()), "bench.txt")
	var names []string
	for r.Scan() {
		switch rec := r.Result().(type) {
		case *benchfmt.SyntaxError:
			t.Fatalf("benchfmt: %v\n%s", rec, buf.String())
		case *benchfmt.Result:
			names = append(names, rec.Name.String())
			if rec.Name.String() == "YcsbA/engine=memory" {
				if rec.Iters != int(rs[2].Run.Ops) {
					t.Errorf("iterations %d, want %d", rec.Iters, rs[2].Run.Ops)
				}
				if v, ok := rec.Value("ops/s"); !ok || v != float64(int64(rs[2].Run.OpsPerSec+0.5)) {
					t.Errorf("ops/s %v %v, want %v", v, ok, rs[2].Run.OpsPerSec)
				}
				if v, ok := rec.Value("sec/op"); !ok || v <= 0 {
					t.Errorf("sec/op %v %v", v, ok)
				}
				found := false
				for _, v := range rec.Values {
					unit := v.Unit
					if v.OrigUnit != "" {
						unit = v.OrigUnit
					}
					if unit == "read-p99-ns" {
						found = true
						val := v.Value
						if v.OrigUnit != "" {
							val = v.OrigValue
						}
						if int64(val) != rs[2].Run.Op("read").Latency.P99 {
							t.Errorf("read p99 %v, want %d", val, rs[2].Run.Op("read").Latency.P99)
						}
					}
				}
				if !found {
					t.Errorf("no read-p99-ns in %+v", rec.Values)
				}
				if rec.GetConfig("threads") != "1" {
					t.Errorf("config threads = %q", rec.GetConfig("threads"))
				}
			}
			if strings.HasPrefix(rec.Name.String(), "YcsbA/engine=disky") {
				if _, ok := rec.Value("write-amp"); ok {
					t.Error("write-amp on an engine without I/O")
				}
			}
		}
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	want := []string{"Fillrandom/engine=memory", "Fillrandom/engine=disky", "YcsbALoad/engine=memory", "YcsbA/engine=memory",
		"YcsbALoad/engine=disky/bloom-bits=10", "YcsbA/engine=disky/bloom-bits=10"}
	if !reflect.DeepEqual(names, want) {
		t.Fatalf("benchmarks %q, want %q", names, want)
	}
	if u := r.Units().GetBetter("ops/s"); u != 1 {
		t.Errorf("ops/s better = %d, want higher", u)
	}
}
