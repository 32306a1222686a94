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
// Package bench/workload defines the workloads and generates their keys and
// values. runner.go holds Config and Run, phase.go runs and times one phase,
// worker.go is one client goroutine and ops.go the operations it issues;
// histogram.go, procstat.go and measure.go take the figures that result.go
// holds. The report_*.go files render results, reading.go writes the
// one-line reading of each workload, sweep.go expands a sweep over engine
// options into points, overhead.go measures the harness itself and
// progress.go draws a progress bar. Package bench/plot charts results.
//
// # Measured beside predicted
//
// model.go, model_lsm.go and model_btree.go hold the textbook cost models
// (Predict): leveled compaction for lsm (compaction.Predict on the engine's
// settings, corrected for compression and the WAL's framing) and
// checkpointed copy-on-write pages for btree (the WAL plus
// P·(1 − e^(−n/P)) pages dirtied by n random updates between checkpoints).
// The runner attaches each phase's prediction to the Phase (Phase.Model),
// and every report shows it beside the measurement: "model" rows in the
// table, model_* columns in the CSV, model-* units in benchstat, dashed
// lines on sweep charts. A model describes the steady state, which a short
// run on a small store has usually not reached: the model then says why
// (Model.Transient), and the reading quotes it when the two differ by more
// than 1.5×, rather than hide the gap.
//
// # Figures an engine does not report
//
// An engine whose Stats fill kv.LSMStats or kv.BTreeStats only in part (the
// peers) names the fields it leaves at zero through PartialStats; the
// report shows "-" for them, so that an unmeasured zero is never read as a
// figure, let alone marked as the best one.
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
