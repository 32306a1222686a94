package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/kvlab/kvlab/bench"
)

// TestTableRepetitions: --count N gives one column per engine, the median
// and the min–max range.
func TestTableRepetitions(t *testing.T) {
	var rs []*bench.Result
	for _, ops := range []float64{100, 300, 200} {
		rs = append(rs, &bench.Result{Engine: "memory", Workload: "readrandom",
			Params: bench.Params{Num: 10, Threads: 1, Mix: map[string]float64{"read": 1}},
			Run:    &bench.Phase{Name: "run", Ops: 10, Seconds: 10 / ops, OpsPerSec: ops}})
	}
	var buf bytes.Buffer
	if err := WriteTable(&buf, rs, TableOptions{}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.Contains(out, "repetitions: 3 of each") || !strings.Contains(out, "200 (100–300)") || strings.Count(out, "memory") > 2 {
		t.Errorf("table of 3 repetitions:\n%s", out)
	}
}
