package bench

import (
	"context"
	"testing"

	"github.com/kvlab/kvlab/bench/workload"
)

// BenchmarkHarness measures the harness's own cost per operation against
// the no-op engine, per workload.
func BenchmarkHarness(b *testing.B) {
	for _, name := range []string{"fillrandom", "readrandom", "seekrandom", "ycsb-a", "ycsb-d", "ycsb-e"} {
		b.Run(name, func(b *testing.B) {
			w, err := workload.LookupWorkload(name)
			if err != nil {
				b.Fatal(err)
			}
			ns, err := MeasureOverhead(context.Background(), Config{Workload: w, Num: 10000, Ops: int64(max(b.N, 1000))})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(ns, "harness-ns/op")
		})
	}
}
