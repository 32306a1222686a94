package report

import (
	"fmt"
	"github.com/kvlab/kvlab/bench"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"github.com/kvlab/kvlab/internal/units"
)

// TableOptions adjust WriteTable.
type TableOptions struct {
	// VerifyIO adds, per phase, the engines' own byte accounting beside
	// the operating system's counters.
	VerifyIO bool
}

// bestMark follows the best figure of each row.
const bestMark = "*"

// WriteTable writes, for each workload, a table with one column per
// engine (or sweep point) and a row per figure, the best figure of each
// row marked with *, followed by a reading of the results in a few short
// lines (ReadingLines).
func WriteTable(w io.Writer, results []*bench.Result, o TableOptions) error {
	bw := &errWriter{w: w}
	modelExplained := false
	for i, group := range groupByWorkload(results) {
		if i > 0 {
			fmt.Fprintln(bw)
		}
		writeWorkloadTable(bw, group, o, i == 0, &modelExplained)
	}
	return bw.err
}

// groupByWorkload splits results by workload, in order of first appearance.
func groupByWorkload(results []*bench.Result) [][]*bench.Result {
	var groups [][]*bench.Result
	index := map[string]int{}
	for _, r := range results {
		i, ok := index[r.Workload]
		if !ok {
			i = len(groups)
			index[r.Workload] = i
			groups = append(groups, nil)
		}
		groups[i] = append(groups[i], r)
	}
	return groups
}

func writeWorkloadTable(w io.Writer, rs []*bench.Result, o TableOptions, first bool, modelExplained *bool) {
	fmt.Fprintf(w, "%s: %s\n", rs[0].Workload, describeParams(rs[0]))
	var set []string
	for _, r := range rs {
		if s := settingsText(r, false); s != "" && !slices.Contains(set, r.Label()+" "+s) {
			set = append(set, r.Label()+" "+s)
		}
	}
	if len(set) > 0 {
		fmt.Fprintf(w, "settings: %s\n", strings.Join(set, "; "))
	}
	writeDeviceHeader(w, rs)
	writeSteadyHeader(w, rs)
	groups := groupByLabel(rs)
	all := rs
	if repeated(groups) {
		counts := map[int]bool{}
		rs = make([]*bench.Result, len(groups))
		for i, g := range groups {
			rs[i] = representative(g)
			counts[len(g)] = true
		}
		n := "several"
		if len(counts) == 1 {
			n = fmt.Sprint(len(groups[0]))
		}
		fmt.Fprintf(w, "repetitions: %s of each; figures are the median (min–max when they differ); the reading is the median run's\n", n)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "\t")
	for _, r := range rs {
		fmt.Fprintf(tw, "%s \t", r.Label())
	}
	fmt.Fprintln(tw)
	type line struct {
		label string
		cells []string
	}
	var lines []line
	width := 0
	for _, rw := range tableRows(all) {
		cells, ok := renderRow(rw, rs)
		if len(all) > len(rs) {
			cells, ok = renderRepeated(rw, groups)
		}
		if !ok {
			continue
		}
		lines = append(lines, line{rw.label, cells})
		width = max(width, utf8.RuneCountInString(rw.label))
	}
	for _, l := range lines {
		// Labels read left-aligned, figures right-aligned.
		fmt.Fprintf(tw, "%s%s\t", l.label, strings.Repeat(" ", width-utf8.RuneCountInString(l.label)))
		for _, c := range l.cells {
			fmt.Fprintf(tw, "%s\t", c)
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
	if o.VerifyIO {
		writeIOCheck(w, rs, first)
	}
	var osIO []string
	for _, r := range rs {
		switch {
		case r.Interrupted():
			fmt.Fprintf(w, "interrupted: %s stopped by Ctrl-C; the figures so far are shown\n", r.Label())
		case r.Error != "":
			fmt.Fprintf(w, "error: %s (figures so far shown)\n", r.Error)
		}
		if r.Run != nil && r.Run.IOSource == "os" || r.Load != nil && r.Load.IOSource == "os" {
			osIO = append(osIO, r.Label())
		}
	}
	switch len(osIO) {
	case 0:
	case 1:
		fmt.Fprintf(w, "note: %s does its own file I/O: its amplification comes from /proc/self/io, not per-file accounting\n", osIO[0])
	default:
		fmt.Fprintf(w, "note: %s do their own file I/O: their amplification comes from /proc/self/io, not per-file accounting\n", strings.Join(osIO, ", "))
	}
	writeBufferedNote(w, rs)
	if !*modelExplained && slices.ContainsFunc(rs, func(r *bench.Result) bool { return modelOf(r) != nil }) {
		*modelExplained = true
		fmt.Fprintf(w, "note: \"model\" rows are what the textbook cost model predicts at steady state (%s), not measurements\n", modelBases(rs))
	}
	for _, r := range rs {
		for _, p := range []*bench.Phase{r.Load, r.Run} {
			if p != nil && p.ModelNA != "" {
				fmt.Fprintf(w, "note: %s: model write and space amp %s (%s phase)\n", r.Label(), p.ModelNA, p.Name)
			}
		}
	}
	WriteReading(w, ReadingLines(rs))
	if h := rs[0].HarnessNsPerOp; h > 0 {
		fmt.Fprintf(w, "harness: %s/op per client on a no-op engine (keys, values, clock, histogram)%s\n",
			formatNanos(h), harnessShare(rs, h))
	}
}

// harnessShare compares the harness's cost with the fastest engine's time
// per operation and client.
func harnessShare(rs []*bench.Result, h float64) string {
	var fastest *bench.Result
	per := func(r *bench.Result) float64 {
		return r.Run.Seconds * 1e9 * float64(r.Params.Threads) / float64(r.Run.Ops)
	}
	for _, r := range rs {
		if r.Run != nil && r.Run.Ops > 0 && (fastest == nil || per(r) < per(fastest)) {
			fastest = r
		}
	}
	if fastest == nil {
		return ""
	}
	return fmt.Sprintf(" = %.0f%% of %s's %s", 100*h/per(fastest), fastest.Label(), formatNanos(per(fastest)))
}

// renderRow formats a row's cells, marking the best; ok is false when no
// result has the figure.
func renderRow(rw row, rs []*bench.Result) ([]string, bool) {
	cells := make([]string, len(rs))
	if rw.text != nil {
		nonEmpty := false
		for i, r := range rs {
			cells[i] = rw.text(r) + " "
			if t := strings.TrimSpace(cells[i]); t == "" {
				cells[i] = "- "
			} else {
				nonEmpty = true
			}
		}
		return cells, nonEmpty
	}
	vals := make([]float64, len(rs))
	have := make([]bool, len(rs))
	n := 0
	for i, r := range rs {
		vals[i], have[i] = rw.value(r)
		if have[i] {
			n++
		}
	}
	if n == 0 {
		return nil, false
	}
	best := bestIndex(rw.better, rs, vals, competing(rw, rs, have), rw.format)
	for i := range rs {
		switch {
		case !have[i]:
			cells[i] = "- "
		case rw.buffered != nil && rw.buffered(rs[i]):
			cells[i] = rw.format(vals[i]) + bufferedMark
		case best >= 0 && rw.format(vals[i]) == rw.format(vals[best]):
			cells[i] = rw.format(vals[i]) + bestMark
		default:
			cells[i] = rw.format(vals[i]) + " "
		}
	}
	return cells, true
}

// competing returns which results compete for the row's best figure: those
// that have it, less those whose figure measures only buffered writes.
func competing(rw row, rs []*bench.Result, have []bool) []bool {
	if rw.buffered == nil {
		return have
	}
	c := slices.Clone(have)
	for i, r := range rs {
		if rw.buffered(r) {
			c[i] = false
		}
	}
	return c
}

// bestIndex returns the result with the best value, or -1. The no-I/O
// baseline (a non-persistent engine) competes only when fewer than two
// persistent engines have the figure; nothing is marked when fewer than two
// compete or all look equal once formatted (ties with the best are marked
// by the caller).
func bestIndex(better int, rs []*bench.Result, vals []float64, have []bool, format func(float64) string) int {
	if better == 0 {
		return -1
	}
	persistent := 0
	for i, r := range rs {
		if have[i] && r.Persistent {
			persistent++
		}
	}
	best, competing := -1, 0
	allEqual := true
	for i, r := range rs {
		if !have[i] || (persistent >= 2 && !r.Persistent) {
			continue
		}
		competing++
		if best >= 0 && format(vals[i]) != format(vals[best]) {
			allEqual = false
		}
		if best < 0 || (better > 0 && vals[i] > vals[best]) || (better < 0 && vals[i] < vals[best]) {
			best = i
		}
	}
	if competing < 2 || allEqual {
		return -1
	}
	return best
}

// describeParams renders a result's parameters in one line.
func describeParams(r *bench.Result) string {
	p := r.Params
	var parts []string
	switch {
	case p.Phase == "load":
		parts = append(parts, fmt.Sprintf("load %s keys into a store kept for later runs (load phase only)", formatCount(float64(p.Num))))
	case p.Phase == "run":
		parts = append(parts, fmt.Sprintf("on a store of %s keys loaded before", formatCount(float64(p.Num))))
	case r.Load != nil:
		parts = append(parts, fmt.Sprintf("load %s keys", formatCount(float64(p.Num))))
	default:
		parts = append(parts, fmt.Sprintf("%s keys", formatCount(float64(p.Num))))
	}
	switch {
	case p.Phase == "load":
	case p.Ops > 0 && p.DurationSec > 0:
		parts = append(parts, fmt.Sprintf("run %s ops or %gs", formatCount(float64(p.Ops)), p.DurationSec))
	case p.Ops > 0:
		parts = append(parts, fmt.Sprintf("run %s ops", formatCount(float64(p.Ops))))
	default:
		parts = append(parts, fmt.Sprintf("run %gs", p.DurationSec))
	}
	if p.WarmupSec > 0 {
		parts = append(parts, fmt.Sprintf("after %gs warm-up", p.WarmupSec))
	}
	keys := fmt.Sprintf("%d B keys", p.KeySize)
	if p.KeyFormat != "" {
		keys = fmt.Sprintf("%d B %s keys", p.KeySize, p.KeyFormat)
	}
	parts = append(parts, fmt.Sprintf("%s, %s B values (compressibility %g)", keys, p.ValueSize, p.Compressibility))
	if len(p.Mix) > 1 || p.Mix["read"] > 0 || p.Mix["update"] > 0 || p.Mix["scan"] > 0 {
		parts = append(parts, p.Distribution+" keys")
	}
	if p.ScanLength != "" {
		parts = append(parts, "scans of "+p.ScanLength)
	}
	threads := "1 thread"
	if p.Threads != 1 {
		threads = fmt.Sprintf("%d threads", p.Threads)
	}
	parts = append(parts, threads)
	if p.Sync {
		parts = append(parts, "synced writes")
	}
	return strings.Join(parts, ", ")
}

// writeIOCheck prints each engine's byte accounting beside /proc/self/io.
func writeIOCheck(w io.Writer, rs []*bench.Result, explain bool) {
	fmt.Fprintln(w, "I/O check: engine accounting vs /proc/self/io")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "\t")
	for _, r := range rs {
		for _, ph := range []*bench.Phase{r.Load, r.Run} {
			if ph != nil {
				fmt.Fprintf(tw, "%s %s \t", r.Label(), ph.Name)
			}
		}
	}
	fmt.Fprintln(tw)
	line := func(label string, f func(*bench.Phase) string) {
		fmt.Fprintf(tw, "%s\t", label)
		for _, r := range rs {
			for _, ph := range []*bench.Phase{r.Load, r.Run} {
				if ph != nil {
					fmt.Fprintf(tw, "%s \t", f(ph))
				}
			}
		}
		fmt.Fprintln(tw)
	}
	size := func(n int64) string { return units.FormatSize(n) }
	osv := func(ph *bench.Phase, f func(*bench.ProcIO) int64) string {
		if ph.OSIO == nil {
			return "n/a"
		}
		return size(f(ph.OSIO))
	}
	diff := func(a, b int64) string {
		if max(a, b) < 1<<20 {
			return "(too little)"
		}
		if b == 0 {
			return "n/a"
		}
		return fmt.Sprintf("%+.1f%%", (float64(a)/float64(b)-1)*100)
	}
	line("engine bytes written", func(ph *bench.Phase) string { return size(ph.Stats.TotalIO().BytesWritten) })
	line("OS wchar (write calls)", func(ph *bench.Phase) string { return osv(ph, func(p *bench.ProcIO) int64 { return p.WChar }) })
	line("  wchar vs engine", func(ph *bench.Phase) string {
		if ph.OSIO == nil {
			return "n/a"
		}
		return diff(ph.OSIO.WChar, ph.Stats.TotalIO().BytesWritten)
	})
	line("OS write_bytes (to disk)", func(ph *bench.Phase) string {
		return osv(ph, func(p *bench.ProcIO) int64 { return p.WriteBytes - p.CancelledWriteBytes })
	})
	line("engine bytes read", func(ph *bench.Phase) string { return size(ph.Stats.TotalIO().BytesRead) })
	line("OS rchar (read calls)", func(ph *bench.Phase) string { return osv(ph, func(p *bench.ProcIO) int64 { return p.RChar }) })
	line("  rchar vs engine", func(ph *bench.Phase) string {
		if ph.OSIO == nil {
			return "n/a"
		}
		return diff(ph.OSIO.RChar, ph.Stats.TotalIO().BytesRead)
	})
	line("OS read_bytes (from disk)", func(ph *bench.Phase) string { return osv(ph, func(p *bench.ProcIO) int64 { return p.ReadBytes }) })
	tw.Flush()
	if !explain {
		return
	}
	fmt.Fprintln(w, "  wchar/rchar count bytes through write/read system calls, what the engines' vfs accounting counts (plus the")
	fmt.Fprintln(w, "  process's own output, such as /proc reads and the progress bar); they should agree within a few percent.")
	fmt.Fprintln(w, "  Under 1 MiB the process's own small reads and writes swamp the comparison.")
	fmt.Fprintln(w, "  write_bytes counts page-cache pages dirtied for the disk (whole pages, rewrites of a dirty page merged),")
	fmt.Fprintln(w, "  read_bytes only reads that missed the page cache: both can be far below the engine's figures.")
}

// errWriter remembers the first write error.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

// settingsText renders a result's engine settings as "k=v k=v"; with
// fixedOnly, those a sweep varies are left out.
func settingsText(r *bench.Result, fixedOnly bool) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(r.Settings)) {
		if _, swept := r.Sweep[r.Engine+"."+k]; fixedOnly && swept {
			continue
		}
		parts = append(parts, k+"="+r.Settings[k])
	}
	return strings.Join(parts, " ")
}

// writeBufferedNote explains the buffered mark, for the results whose
// engine only buffered single writes (bench.GroupedWrites).
func writeBufferedNote(w io.Writer, rs []*bench.Result) {
	for _, r := range rs {
		if r.Run == nil || r.Run.Commits == nil {
			continue
		}
		c := r.Run.Commits
		fmt.Fprintf(w, "note: %s %s: %s buffers single writes and commits them %d at a time: the latency is the buffering, but for the write that "+
			"filled the group, which waited for the commit; the run's %d commits took %s each\n",
			bufferedMark, r.Label(), r.Engine, c.Group, c.Count, formatNanos(c.MicrosPerCommit*1e3))
	}
}
