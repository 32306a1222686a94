package report

import (
	"strings"
	"testing"

	"github.com/kvlab/kvlab/bench"
)

func TestCrossovers(t *testing.T) {
	mk := func(engine, read string, ops float64, p99 int64) *bench.Result {
		return &bench.Result{Engine: engine, Workload: "ycsb-a-mix", Sweep: map[string]string{"read": read},
			Run: &bench.Phase{Name: "run", Ops: 1, OpsPerSec: 1, Device: &bench.DevicePhase{OpsPerSec: ops,
				ByOp: []bench.DeviceOp{{Op: "read", Latency: bench.Latency{P99: p99}}}}}}
	}
	rs := []*bench.Result{
		mk("lsm", "0.05", 100, 50), mk("btree", "0.05", 10, 100),
		mk("lsm", "0.5", 50, 80), mk("btree", "0.5", 40, 90),
		mk("lsm", "0.95", 20, 120), mk("btree", "0.95", 60, 70),
	}
	cs := Crossovers(rs)
	if len(cs) != 2 {
		t.Fatalf("crossovers %+v", cs)
	}
	for _, c := range cs {
		if c.Overtaker != "btree" || c.Leader != "lsm" || c.Before != "read=0.5" || c.After != "read=0.95" {
			t.Errorf("crossover %+v", c)
		}
	}
	lines := strings.Join(SweepReadingLines(rs), "\n")
	if !strings.Contains(lines, "btree overtakes lsm in throughput between read=0.5 and read=0.95") {
		t.Errorf("reading:\n%s", lines)
	}
}
