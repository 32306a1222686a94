// Package bench is kvlab's workload benchmark: the db_bench and YCSB
// workloads, the key and value generators behind them, a runner that drives
// any registered engine through a load phase and a run phase from many
// goroutines, HDR latency histograms, and reports of throughput, latency
// percentiles and write, read and space amplification as a table, JSON
// lines, CSV or benchstat input.
//
// A benchmark is a Config passed to Run, in the style of Pebble's bench:
//
//	w, _ := bench.LookupWorkload("ycsb-a")
//	res, err := bench.Run(ctx, bench.Config{Engine: "lsm", Dir: dir, Workload: w, Num: 100000})
//	bench.WriteTable(os.Stdout, []*bench.Result{res}, bench.TableOptions{})
//
// # Reading the source
//
// rng.go, permutation.go, zipfian.go and distribution.go choose key numbers;
// keys.go turns them into fixed-size keys and values.go makes the values.
// workload.go and ycsb.go define the workloads and parse YCSB properties
// files. runner.go holds Config and Run, phase.go runs and times one phase,
// worker.go is one client goroutine and ops.go the operations it issues;
// histogram.go, procstat.go and measure.go take the figures that result.go
// holds. The report_*.go files render results, reading.go writes the
// one-line reading of each workload, sweep.go expands a sweep over engine
// options into points, overhead.go measures the harness itself and
// progress.go draws a progress bar. Package bench/plot charts results.
//
// # Honest measurement
//
// Keys and values are generated without allocating (values are slices of a
// shared random buffer); each goroutine records latencies in its own
// histograms, merged after the phase. The harness's own cost per operation
// is measured by running the same workload against a no-op engine
// (MeasureOverhead) and printed under the table, so that a reader can see it
// is not what the benchmark measures.
package bench
