package report

import (
	"fmt"
	"github.com/kvlab/kvlab/bench"
	"slices"
	"strings"

	"github.com/kvlab/kvlab/bench/workload"
)

// row is one line of the side-by-side table: a label and, per result, a
// value. better is +1 when higher is better, -1 when lower is, 0 when the
// row is informational (no best figure is marked).
type row struct {
	label  string
	better int
	format func(float64) string
	value  func(*bench.Result) (float64, bool)
	text   func(*bench.Result) string // instead of value, for text rows
	// buffered, if set, marks the results whose figure measures writes
	// the engine only buffered (bench.OpResult.Buffered): their cell is
	// marked with bufferedMark and never the best.
	buffered func(*bench.Result) bool
}

// bufferedMark follows a latency of writes an engine only buffered into a
// group committed later (bench.GroupedWrites); the table's note explains it.
const bufferedMark = "†"

// phaseOf returns the named phase of r.
func phaseOf(r *bench.Result, name string) *bench.Phase {
	if name == "load" {
		return r.Load
	}
	return r.Run
}

// phaseRow makes a row from a figure of one phase; a zero figure is "not
// applicable" unless zeroOK.
func phaseRow(label, phase string, better int, format func(float64) string, zeroOK bool, f func(*bench.Phase) float64) row {
	return row{label: label, better: better, format: format, value: func(r *bench.Result) (float64, bool) {
		p := phaseOf(r, phase)
		if p == nil {
			return 0, false
		}
		v := f(p)
		return v, v != 0 || zeroOK
	}}
}

// tableRows returns the rows for one workload's results.
func tableRows(rs []*bench.Result) []row {
	var rows []row
	some := func(f func(*bench.Result) bool) bool { return slices.ContainsFunc(rs, f) }
	if some(func(r *bench.Result) bool { return r.Load != nil }) {
		rows = append(rows,
			phaseRow("load keys/s", "load", +1, formatRate, false, func(p *bench.Phase) float64 { return p.OpsPerSec }),
			phaseRow("load MiB/s", "load", +1, formatMiBPerSec, false, func(p *bench.Phase) float64 { return p.MiBPerSec }),
			phaseRow("load time", "load", -1, formatSeconds, false, func(p *bench.Phase) float64 { return p.Seconds }),
			phaseRow("load write amp", "load", -1, formatRatio, false, func(p *bench.Phase) float64 { return p.WriteAmp }),
			modelRow("  model", "load", func(p *bench.Phase) float64 { return p.WriteAmp }, func(m *bench.Model) float64 { return m.WriteAmp }),
			phaseRow("load peak RSS", "load", -1, formatBytes, false, func(p *bench.Phase) float64 { return float64(p.PeakRSS) }),
			phaseRow("  private (not mapped files)", "load", -1, formatBytes, false, func(p *bench.Phase) float64 { return float64(p.PeakPrivateRSS) }),
		)
		rows = append(rows, deviceRows(rs, "load")...)
	}
	rows = append(rows,
		phaseRow("run ops/s", "run", +1, formatRate, false, func(p *bench.Phase) float64 { return p.OpsPerSec }),
		phaseRow("run µs/op", "run", -1, formatMicros, false, func(p *bench.Phase) float64 { return p.MicrosPerOp }),
		phaseRow("run MiB/s", "run", +1, formatMiBPerSec, false, func(p *bench.Phase) float64 { return p.MiBPerSec }),
		phaseRow("run time", "run", 0, formatSeconds, false, func(p *bench.Phase) float64 { return p.Seconds }),
	)
	rows = append(rows, deviceRows(rs, "run")...)
	for op := workload.Op(0); op < workload.NumOps; op++ {
		name := op.String()
		if !some(func(r *bench.Result) bool { return r.Run.Op(name) != nil }) {
			continue
		}
		lat := func(label string, f func(bench.Latency) int64) row {
			rw := phaseRow(fmt.Sprintf("run %s %s", name, label), "run", -1, func(v float64) string { return formatNanos(v) }, false,
				func(p *bench.Phase) float64 {
					if o := p.Op(name); o != nil {
						return float64(f(o.Latency))
					}
					return 0
				})
			rw.buffered = func(r *bench.Result) bool { o := r.Run.Op(name); return o != nil && o.Buffered }
			return rw
		}
		if len(rs[0].Params.Mix) > 1 {
			rows = append(rows, phaseRow("run "+name+" ops/s", "run", +1, formatRate, false, func(p *bench.Phase) float64 {
				if o := p.Op(name); o != nil {
					return o.OpsPerSec
				}
				return 0
			}))
		}
		rows = append(rows,
			lat("p50", func(l bench.Latency) int64 { return l.P50 }),
			lat("p95", func(l bench.Latency) int64 { return l.P95 }),
			lat("p99", func(l bench.Latency) int64 { return l.P99 }),
			lat("p99.9", func(l bench.Latency) int64 { return l.P999 }),
			lat("max", func(l bench.Latency) int64 { return l.Max }),
		)
		if some(func(r *bench.Result) bool { o := r.Run.Op(name); return o != nil && o.Misses > 0 }) {
			rows = append(rows, phaseRow("run "+name+" not found", "run", 0, formatPercent, true, func(p *bench.Phase) float64 {
				if o := p.Op(name); o != nil && o.Count > 0 {
					return float64(o.Misses) / float64(o.Count)
				}
				return 0
			}))
		}
	}
	if some(func(r *bench.Result) bool { return r.Run != nil && r.Run.Commits != nil }) {
		commits := func(p *bench.Phase) bool { return p.Commits != nil }
		rows = append(rows,
			structRow("run commits", "", 0, formatCount, commits, func(p *bench.Phase) float64 { return float64(p.Commits.Count) }),
			structRow("run writes/commit", "", 0, formatRatio, commits, func(p *bench.Phase) float64 { return p.Commits.WritesPerCommit }),
			structRow("run time/commit", "", 0, formatNanos, commits, func(p *bench.Phase) float64 { return p.Commits.MicrosPerCommit * 1e3 }),
		)
	}
	rows = append(rows,
		phaseRow("run write amp", "run", -1, formatRatio, false, func(p *bench.Phase) float64 { return p.WriteAmp }),
		modelRow("  model", "run", func(p *bench.Phase) float64 { return p.WriteAmp }, func(m *bench.Model) float64 { return m.WriteAmp }),
	)
	for _, kind := range ioKinds(rs) {
		rows = append(rows, phaseRow("  "+kind+" bytes/user byte", "run", 0, formatRatio, false, func(p *bench.Phase) float64 {
			if p.UserBytesWritten == 0 {
				return 0
			}
			return float64(p.Stats.IO[kind].BytesWritten) / float64(p.UserBytesWritten)
		}))
	}
	levels := 0
	for _, r := range rs {
		if r.Run != nil {
			levels = max(levels, len(r.Run.LevelBytesWritten))
		}
	}
	for l := range levels {
		rows = append(rows, structRow(fmt.Sprintf("  L%d bytes/user byte", l), "", 0, formatRatio,
			func(p *bench.Phase) bool { return len(p.LevelBytesWritten) > l && p.UserBytesWritten > 0 },
			func(p *bench.Phase) float64 { return float64(p.LevelBytesWritten[l]) / float64(p.UserBytesWritten) }))
	}
	rows = append(rows,
		readRow("run read amp (bytes)", false, func(p *bench.Phase) float64 { return p.ReadAmp }),
		readRow("run blocks per get", true, func(p *bench.Phase) float64 { return p.BlocksPerGet }),
		modelRow("  model", "run", func(p *bench.Phase) float64 { return p.BlocksPerGet }, func(m *bench.Model) float64 { return m.BlocksPerGet }),
		phaseRow("run cache hit ratio", "run", +1, formatPercent, false, func(p *bench.Phase) float64 { return p.CacheHitRatio }),
		phaseRow("run space amp", "run", -1, formatRatio, false, func(p *bench.Phase) float64 { return p.SpaceAmp }),
		modelRow("  model", "run", func(p *bench.Phase) float64 { return p.SpaceAmp }, func(m *bench.Model) float64 { return m.SpaceAmp }),
		phaseRow("run disk", "run", -1, formatBytes, false, func(p *bench.Phase) float64 { return float64(p.DiskBytes) }),
		phaseRow("run live data", "run", 0, formatBytes, false, func(p *bench.Phase) float64 { return float64(p.LiveBytes) }),
		phaseRow("run peak RSS", "run", -1, formatBytes, false, func(p *bench.Phase) float64 { return float64(p.PeakRSS) }),
		phaseRow("  private (not mapped files)", "run", -1, formatBytes, false, func(p *bench.Phase) float64 { return float64(p.PeakPrivateRSS) }),
	)
	rows = append(rows, engineRows(rs)...)
	return rows
}

// ioKinds returns the file kinds any result's run phase wrote to, when
// there is more than one kind to tell apart.
func ioKinds(rs []*bench.Result) []string {
	seen := map[string]bool{}
	for _, r := range rs {
		if r.Run == nil {
			continue
		}
		for k, io := range r.Run.Stats.IO {
			if io.BytesWritten > 0 {
				seen[k] = true
			}
		}
	}
	kinds := make([]string, 0, len(seen))
	for k := range seen {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	if len(kinds) < 2 {
		return nil
	}
	return kinds
}

// engineRows are the engine-specific figures of the run phase.
func engineRows(rs []*bench.Result) []row {
	var rows []row
	has := func(f func(*bench.Phase) bool) bool {
		return slices.ContainsFunc(rs, func(r *bench.Result) bool { return r.Run != nil && f(r.Run) })
	}
	if has(func(p *bench.Phase) bool { return p.Stats.LSM != nil }) {
		lsm := func(label, field string, better int, format func(float64) string, f func(p *bench.Phase) float64) row {
			return structRow(label, "LSM."+field, better, format, func(p *bench.Phase) bool { return p.Stats.LSM != nil }, f)
		}
		// Per-Get figures of a phase without Gets are not applicable.
		lsmGets := func(label, field string, format func(float64) string, f func(p *bench.Phase) float64) row {
			return structRow(label, "LSM."+field, -1, format, func(p *bench.Phase) bool { return p.Stats.LSM != nil && p.Stats.Ops.Gets > 0 }, f)
		}
		rows = append(rows,
			// The phase's own flushes and compactions (Background); the
			// engine's counters count from open.
			lsm("run lsm flushes", "Flushes", 0, formatCount, func(p *bench.Phase) float64 {
				if p.Background != nil {
					return float64(p.Background.Flushes)
				}
				return float64(p.Stats.LSM.Flushes)
			}),
			lsm("run lsm compactions", "Compactions", 0, formatCount, func(p *bench.Phase) float64 {
				if p.Background != nil {
					return float64(p.Background.Compactions)
				}
				return float64(p.Stats.LSM.Compactions)
			}),
			lsm("lsm write stalls since open", "Stalls", -1, formatCount, func(p *bench.Phase) float64 { return float64(p.Stats.LSM.Stalls) }),
			lsmGets("run lsm tables per get", "TablesPerGet", formatRatio, func(p *bench.Phase) float64 { return p.Stats.LSM.TablesPerGet }),
			lsmGets("run lsm bloom false +", "BloomFalsePositives", formatPercent, func(p *bench.Phase) float64 {
				l := p.Stats.LSM
				return fraction(l.BloomFalsePositives, l.BloomFalsePositives+l.BloomNegatives)
			}),
		)
		rows = append(rows, row{label: "run lsm files per level", text: func(r *bench.Result) string {
			if r.Run == nil || r.Run.Stats.LSM == nil {
				return ""
			}
			var parts []string
			for _, l := range r.Run.Stats.LSM.Levels {
				if l.Files > 0 {
					parts = append(parts, fmt.Sprintf("L%d:%d", l.Level, l.Files))
				}
			}
			return strings.Join(parts, " ")
		}})
	}
	if has(func(p *bench.Phase) bool { return p.Stats.BTree != nil }) {
		bt := func(label, field string, better int, format func(float64) string, f func(p *bench.Phase) float64) row {
			return structRow(label, "BTree."+field, better, format, func(p *bench.Phase) bool { return p.Stats.BTree != nil }, f)
		}
		rows = append(rows,
			bt("run btree height", "Height", 0, formatCount, func(p *bench.Phase) float64 { return float64(p.Stats.BTree.Height) }),
			bt("run btree leaf fill", "FillFactor", 0, formatPercent, func(p *bench.Phase) float64 { return p.Stats.BTree.FillFactor }),
			bt("run btree checkpoints", "Checkpoints", 0, formatCount, func(p *bench.Phase) float64 {
				if p.Background != nil {
					return float64(p.Background.Checkpoints)
				}
				return float64(p.Stats.BTree.Checkpoints)
			}),
			bt("run btree pages read/op", "PagesReadPerOp", -1, formatRatio, func(p *bench.Phase) float64 { return p.Stats.BTree.PagesReadPerOp }),
			bt("run btree pages written/op", "PagesWrittenPerOp", -1, formatRatio, func(p *bench.Phase) float64 { return p.Stats.BTree.PagesWrittenPerOp }),
		)
	}
	return rows
}

// structRow is a run-phase row of an engine-specific figure: "-" for the
// engines without that kind of figures and for those that do not report
// field (Result.Unreported), so that a zero they leave is never a figure,
// let alone the best one. field is "" for a figure every engine with the
// structure reports.
func structRow(label, field string, better int, format func(float64) string, has func(*bench.Phase) bool, f func(*bench.Phase) float64) row {
	return row{label: label, better: better, format: format, value: func(r *bench.Result) (float64, bool) {
		if r.Run == nil || !has(r.Run) || r.Unreports(field) {
			return 0, false
		}
		return f(r.Run), true
	}}
}

// fraction is a/b, or 0 when either is not positive.
func fraction(a, b int64) float64 {
	if a <= 0 || b <= 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// readRow is a read-amplification row of the run phase, present for every
// engine that measures it whenever the phase read anything: a zero is then
// a measurement (every Get served from memory), not "not applicable". An
// engine without files has no read amplification, a peer counts no blocks
// (blocks, set for blocks per get), and an engine that reads through a
// memory map (bbolt: Phase.ReadAmp unreported) has no byte count: they
// show "-", in every table, and CSV leaves the cell empty.
func readRow(label string, blocks bool, f func(*bench.Phase) float64) row {
	return row{label: label, better: -1, format: formatRatio, value: func(r *bench.Result) (float64, bool) {
		p := r.Run
		if p == nil || !r.Persistent || blocks && r.Peer || !blocks && r.Unreports("Phase.ReadAmp") {
			return 0, false
		}
		v := f(p)
		read := p.UserBytesRead > 0
		if blocks {
			read = p.Stats.Ops.Gets > 0
		}
		return v, v != 0 || read
	}}
}
