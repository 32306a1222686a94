// Package bench is kvlab's workload benchmark runner: it drives any
// registered engine through the db_bench and YCSB workloads of package
// bench/workload, a load phase and a run phase from many goroutines, and
// measures throughput, HDR latency percentiles and write, read and space
// amplification into Results, which package bench/report renders as a
// table, JSON lines, CSV or benchstat input.
//
// A benchmark is a Config passed to Run, in the style of Pebble's bench:
//
//	w, _ := bench.LookupWorkload("ycsb-a")
//	res, err := bench.Run(ctx, bench.Config{Engine: "lsm", Dir: dir, Workload: w, Num: 100000})
//	report.WriteTable(os.Stdout, []*bench.Result{res}, report.TableOptions{})
//
// # Reading the source
//
// Package bench/workload defines the workloads and generates their keys and
// values; package bench/report renders results. Here, plan.go runs a plan
// of engines × workloads × repetitions (or of sweep points) and
// runner.go holds Config and Run, one engine through one workload: phase.go
// runs and times one phase, worker.go is one client goroutine and ops.go
// the operations it issues; histogram.go, procstat.go and measure.go take
// the figures that result.go holds. store.go records in a kept store how
// its keys were written (StoreParams), so that a run-only Config
// (Phases RunOnly) finds them. sweep.go expands a sweep over engine
// options into points, overhead.go measures the harness itself and
// progress.go draws a progress bar. device.go turns a simulated device's
// charges (Config.Device, vfs.Device) into modelled time per operation
// beside the measured one (Phase.Device); steady.go brings a store to its
// steady state before the run phase (Config.Steady) and counts the
// background work a phase covered; sizing.go scales every engine's memory
// knobs to the data by the rule each publishes (Plan.FairSizing). Package
// bench/plot charts results.
//
// A model's write and space figures are shown only inside its domain: an
// LSM whose tables fill no level below L0 has them zeroed, with
// Phase.ModelNA saying why ("n/a: store smaller than one level").
//
// # Measured beside predicted
//
// Each engine owns its textbook cost model (kvlab.EngineInfo.Model:
// lsm.Predict for leveled compaction, btree.Predict for checkpointed
// copy-on-write pages; the types are in kv/costmodel). The runner attaches
// each phase's prediction to the Phase (Phase.Model), and every report
// shows it beside the measurement: "model" rows in the table, model_*
// columns in the CSV, model-* units in benchstat, dashed lines on sweep
// charts. A model describes the steady state, which a short run on a small
// store has usually not reached: the model then says why
// (Model.Transient), and the reading quotes it when the two differ by more
// than 1.5×, rather than hide the gap.
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
