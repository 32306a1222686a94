package bench

import (
	"context"
	"math"
	"testing"

	"github.com/kvlab/kvlab/bench/workload"
	"github.com/kvlab/kvlab/kv"
)

// runNull runs cfg against the no-op engine.
func runNull(t *testing.T, cfg Config) *Result {
	t.Helper()
	cfg.Engine = "no-op"
	cfg.Dir = t.TempDir()
	cfg.OpenEngine = func(string) (kv.Engine, error) { return &nullEngine{}, nil }
	res, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestWorkloadMixes runs every built-in workload for 100k operations and
// checks each operation's share against the mix, to within 1 %.
func TestWorkloadMixes(t *testing.T) {
	for _, w := range workload.Workloads() {
		t.Run(w.Name, func(t *testing.T) {
			res := runNull(t, Config{Workload: w, Num: 1000, Ops: 100_000, ScanLength: workload.ScanLength{Min: 1, Max: 2}})
			if res.Run.Ops != 100_000 {
				t.Fatalf("%d operations, want 100000", res.Run.Ops)
			}
			mix, _ := w.Mix.Normalized()
			for _, op := range mix.Ops() {
				o := res.Run.Op(op.String())
				if o == nil {
					t.Fatalf("no %v operations", op)
				}
				share := float64(o.Count) / float64(res.Run.Ops)
				if math.Abs(share-mix[op]) > 0.01 {
					t.Errorf("%v: %.4f of operations, want %.4f ± 0.01", op, share, mix[op])
				}
			}
			if len(res.Run.ByOp) != len(mix) {
				t.Errorf("operations %v, want only those of %v", res.Run.ByOp, mix)
			}
		})
	}
}
