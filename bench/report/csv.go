package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/kvlab/kvlab/bench"
)

// CSVHeader is the first row WriteCSV writes.
var CSVHeader = []string{
	"workload", "engine", "sweep", "phase", "op", "count", "misses", "seconds", "ops_per_sec", "micros_per_op", "mib_per_sec",
	"p50_ns", "p95_ns", "p99_ns", "p999_ns", "max_ns", "mean_ns",
	"write_amp", "read_amp", "blocks_per_get", "space_amp", "model_write_amp", "model_blocks_per_get", "model_space_amp", "disk_bytes", "live_bytes", "peak_rss",
	"user_bytes_written", "user_bytes_read", "num", "threads", "key_size", "value_size", "distribution", "error",
	"buffered", "commits", "micros_per_commit",
}

// CSVTextColumns are the columns of CSVHeader that hold text; every other
// cell is a plain decimal number or empty.
var CSVTextColumns = []string{"workload", "engine", "sweep", "phase", "op", "value_size", "distribution", "error"}

// WriteCSV writes one row per result, phase and operation kind, plus a row
// with op "all" for each phase's totals.
//
// Numbers are plain decimals (never exponents: 0.000012, not 1.2e-05), so
// that a spreadsheet reads them as numbers. A cell is empty, not 0, where
// the figure does not apply or was not measured: latencies on "all" rows;
// micros_per_op, mib_per_sec and the amplification and size figures on the
// per-operation rows (they are the phase's, on its "all" row); misses of
// operations that do not look keys up; amplification figures the phase
// has none of (no file I/O, nothing written or read); figures the engine
// does not report; the cost model's columns for engines without a model,
// and those outside the model's domain (bench.Phase.ModelNA: "n/a: store
// smaller than one level").
//
// Every row names its phase ("load" or "run"). buffered is 1 on the rows
// of writes the engine only buffered into a group committed later
// (bench.OpResult.Buffered: their latency is the buffering); commits and
// micros_per_commit, on the "all" row of such a phase, are its commits and
// their mean time (bench.Phase.Commits).
func WriteCSV(w io.Writer, results []*bench.Result) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return fmt.Errorf("bench: write csv: %w", err)
	}
	for _, r := range results {
		var sweep []string
		for _, k := range slices.Sorted(maps.Keys(r.Sweep)) {
			sweep = append(sweep, k+"="+r.Sweep[k])
		}
		for _, ph := range []*bench.Phase{r.Load, r.Run} {
			if ph == nil {
				continue
			}
			for _, o := range ph.ByOp {
				misses := ""
				if looksUp(o.Op) {
					misses = csvInt(o.Misses)
				}
				l := o.Latency
				row := []string{r.Workload, r.Engine, strings.Join(sweep, ";"), ph.Name, o.Op, csvInt(o.Count), misses,
					csvFloat(ph.Seconds), csvFloat(o.OpsPerSec), "", "",
					csvInt(l.P50), csvInt(l.P95), csvInt(l.P99), csvInt(l.P999), csvInt(l.Max), csvFloat(l.Mean),
					"", "", "", "", "", "", "", "", "", "", "", ""}
				buf := ""
				if o.Buffered {
					buf = "1"
				}
				row = append(append(row, csvParams(r.Params, "")...), buf, "", "")
				if err := cw.Write(row); err != nil {
					return fmt.Errorf("bench: write csv: %w", err)
				}
			}
			mw, mb, ms := "", "", ""
			if m := ph.Model; m != nil {
				// A zero model figure is outside the model's domain (bench.Phase.ModelNA).
				mw, mb, ms = nonZero(m.WriteAmp), nonZero(m.BlocksPerGet), nonZero(m.SpaceAmp)
			}
			disk := ""
			if r.Persistent {
				disk = csvInt(ph.DiskBytes)
			}
			row := []string{r.Workload, r.Engine, strings.Join(sweep, ";"), ph.Name, "all", csvInt(ph.Ops), "",
				csvFloat(ph.Seconds), csvFloat(ph.OpsPerSec), nonZero(ph.MicrosPerOp), nonZero(ph.MiBPerSec),
				"", "", "", "", "", "",
				nonZero(ph.WriteAmp), readAmpCell(r, ph), nonZero(ph.BlocksPerGet), nonZero(ph.SpaceAmp), mw, mb, ms,
				disk, csvInt(ph.LiveBytes), nonZero(float64(ph.PeakRSS)),
				csvInt(ph.UserBytesWritten), csvInt(ph.UserBytesRead)}
			commits, perCommit := "", ""
			if c := ph.Commits; c != nil {
				commits, perCommit = csvInt(c.Count), nonZero(c.MicrosPerCommit)
			}
			row = append(append(row, csvParams(r.Params, ph.Err)...), "", commits, perCommit)
			if err := cw.Write(row); err != nil {
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

// csvParams are the run's parameters and the phase's error, the last
// columns of every row.
func csvParams(p bench.Params, err string) []string {
	return []string{csvInt(p.Num), strconv.Itoa(p.Threads), strconv.Itoa(p.KeySize), p.ValueSize, p.Distribution, err}
}

// looksUp reports whether the named operation looks a key up, so that
// its misses are a figure.
func looksUp(op string) bool {
	switch op {
	case "read", "read-missing", "read-modify-write", "scan":
		return true
	}
	return false
}

// csvFloat renders v in plain decimal, the shortest form that reads back
// to v: never an exponent.
func csvFloat(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// nonZero renders v, or "" for 0 (not applicable or not measured).
func nonZero(v float64) string {
	if v == 0 {
		return ""
	}
	return csvFloat(v)
}

func csvInt(v int64) string { return strconv.FormatInt(v, 10) }

// readAmpCell is the phase's read amplification, empty where the engine
// leaves it unmeasured (Phase.ReadAmp unreported) as the table shows "-".
func readAmpCell(r *bench.Result, ph *bench.Phase) string {
	if r.Unreports("Phase.ReadAmp") {
		return ""
	}
	return nonZero(ph.ReadAmp)
}
