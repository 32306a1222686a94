// Package report renders benchmark results (bench.Result) for people and
// for programs: the side-by-side table with the best figure of each row
// marked and a reading under it, the sweep table, CSV, benchstat input, and
// the JSON-lines results file (docs/format/results.md) that `kvlab plot`
// reads back with ReadJSON.
//
// # Reading the source
//
// table.go lays out one table per workload from the rows that rows.go
// defines (throughput, latency percentiles, amplification, engine figures)
// and model.go adds (the cost model's predictions beside the measurements);
// format.go renders the figures. reading.go writes the reading under each
// table in a few short lines, sweep.go the sweep table and its reading.
// csv.go, benchstat.go and json.go are the machine formats; json.go also
// reads results back, refusing a newer format version with
// ErrResultsVersion, and upgrade.go upgrades version 1 lines on reading.
//
// # Figures an engine does not report
//
// An engine whose Stats fill kv.LSMStats or kv.BTreeStats only in part (the
// peers) names the fields it leaves at zero (bench.Result.Unreported); the
// reports show "-" for them, so that an unmeasured zero is never read as a
// figure, let alone marked as the best one.
package report
