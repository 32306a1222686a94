package report

import (
	"encoding/csv"
	"fmt"
	"github.com/kvlab/kvlab/bench"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// CSVHeader is the first row WriteCSV writes.
var CSVHeader = []string{
	"workload", "engine", "sweep", "phase", "op", "count", "misses", "seconds", "ops_per_sec",
	"p50_ns", "p95_ns", "p99_ns", "p999_ns", "max_ns", "mean_ns",
	"write_amp", "read_amp", "blocks_per_get", "space_amp", "model_write_amp", "model_blocks_per_get", "model_space_amp", "disk_bytes", "live_bytes", "peak_rss",
	"user_bytes_written", "user_bytes_read", "num", "threads", "key_size", "value_size", "distribution", "error",
}

// WriteCSV writes one row per result, phase and operation kind, plus a row
// with op "all" for each phase's totals (its amplification figures, and the
// cost model's predictions of them, are on that row only; model_* cells are
// empty for engines without a model).
func WriteCSV(w io.Writer, results []*bench.Result) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return fmt.Errorf("bench: write csv: %w", err)
	}
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', 6, 64) }
	i := func(v int64) string { return strconv.FormatInt(v, 10) }
	for _, r := range results {
		var sweep []string
		for _, k := range slices.Sorted(maps.Keys(r.Sweep)) {
			sweep = append(sweep, k+"="+r.Sweep[k])
		}
		for _, ph := range []*bench.Phase{r.Load, r.Run} {
			if ph == nil {
				continue
			}
			p := r.Params
			common := func(op string, count, misses int64, rate float64, l bench.Latency) []string {
				return []string{r.Workload, r.Engine, strings.Join(sweep, ";"), ph.Name, op, i(count), i(misses), f(ph.Seconds), f(rate),
					i(l.P50), i(l.P95), i(l.P99), i(l.P999), i(l.Max), f(l.Mean)}
			}
			tail := func(all bool) []string {
				if !all {
					return []string{"", "", "", "", "", "", "", "", "", "", "", "", i(p.Num), strconv.Itoa(p.Threads), strconv.Itoa(p.KeySize), p.ValueSize, p.Distribution, ""}
				}
				mw, mb, ms := "", "", ""
				if m := ph.Model; m != nil {
					mw, mb, ms = f(m.WriteAmp), f(m.BlocksPerGet), f(m.SpaceAmp)
				}
				return []string{f(ph.WriteAmp), f(ph.ReadAmp), f(ph.BlocksPerGet), f(ph.SpaceAmp), mw, mb, ms, i(ph.DiskBytes), i(ph.LiveBytes), i(ph.PeakRSS),
					i(ph.UserBytesWritten), i(ph.UserBytesRead), i(p.Num), strconv.Itoa(p.Threads), strconv.Itoa(p.KeySize), p.ValueSize, p.Distribution, ph.Err}
			}
			for _, o := range ph.ByOp {
				if err := cw.Write(append(common(o.Op, o.Count, o.Misses, o.OpsPerSec, o.Latency), tail(false)...)); err != nil {
					return fmt.Errorf("bench: write csv: %w", err)
				}
			}
			if err := cw.Write(append(common("all", ph.Ops, 0, ph.OpsPerSec, bench.Latency{}), tail(true)...)); err != nil {
				return fmt.Errorf("bench: write csv: %w", err)
			}
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("bench: write csv: %w", err)
	}
	return nil
}
