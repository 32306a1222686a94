package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/kvlab/kvlab"
	"github.com/kvlab/kvlab/bench"
	"github.com/kvlab/kvlab/bench/report"
	"github.com/kvlab/kvlab/bench/workload"
)

// defaultBenchEngines and defaultBenchWorkloads are what "kvlab bench" runs
// with no arguments: kvlab's two engines and the no-I/O baseline, through a
// write, a point-read, a scan and a mixed workload.
var (
	defaultBenchEngines   = []string{"lsm", "btree", "memory"}
	defaultBenchWorkloads = []string{"fillrandom", "readrandom", "seekrandom", "ycsb-a"}
)

func newBenchCommand() *cobra.Command {
	var f runFlags
	var sf storeFlags
	var engines, workloads string
	var workloadFiles []string
	var list bool
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Benchmark engines side by side through db_bench and YCSB workloads",
		Long: `Runs each engine through each workload on a fresh store: a load phase (for the
workloads that read existing data), then the measured run phase. Prints, per
workload, a table with the engines side by side (the best figure of each row
marked with *) and a reading in a few short lines. Throughput is given as
ops/s, µs/op and MiB/s (user bytes per second, divided by 2^20 like db_bench's
"MB/s").

With no arguments it runs lsm, btree and the in-memory baseline (those
registered in this build) through fillrandom, readrandom, seekrandom and
ycsb-a, 400k records each, on a temporary directory, which it removes:
about a minute on two cores.

Fair sizing: whatever the record count, every engine's memory knobs are
scaled to the data by one rule that each engine publishes in its registry
entry: write buffers (memtables, the WAL between B+tree checkpoints) get
1/16 of the key and value bytes and caches (block caches, the buffer pool)
1/8, never more than the engine's default. So the LSM flushes and compacts,
the B+tree checkpoints, and reads reach the files as on a store larger than
memory. The first line of the output lists what was scaled; --set overrides
any knob.

For lsm and btree the table shows, under write amp, blocks per get and space
amp, a "model" row: what the textbook cost model predicts at steady state
(leveled compaction; B+tree checkpoints). The reading compares the two and
says why when they differ widely, usually because a short run on a small
store has not reached the steady state.

A store can be kept between commands, as ycsb load / ycsb run and db_bench's
--use_existing_db do: --phase load makes and loads a store at --dir and writes
kvlab-bench.json into it (engine, settings, record count, key size and format,
value size, seed); --phase run reads it back and runs workloads on the store
without loading, finding every loaded key; --use-existing runs on any existing
store (without kvlab-bench.json, give --num and the key flags it was written
with). --key-format ycsb spells keys as YCSB does ("user" and digits).

Ctrl-C stops after the current operations, prints the figures so far and
exits with status 130; a second Ctrl-C stops at once. Temporary stores are
removed either way unless --keep.

YCSB properties (-P FILE, -p NAME=VALUE over it or over a built-in workload):
` + wrapWords("honoured: "+strings.Join(workload.YCSBHonoured, ", ")+";", 78) + `
` + wrapWords("ignored (accepted, noted once): "+strings.Join(workload.YCSBIgnored(), ", ")+".", 78) + `

Workloads: ` + strings.Join(workload.WorkloadNames(), ", ") + `.
Distributions: uniform, zipfian[:θ], latest[:θ], sequential, hotspot[:hotset:hotops].
Counts (--num, --reads, --scan-length) take k and M as 10^3 and 10^6 (1.5M);
sizes (--value-size, --set) take KiB and MiB.`,
		Example: `  kvlab bench
  kvlab bench --engines lsm,btree --workloads ycsb-a,ycsb-e --num 1M --threads 2
  kvlab bench --engines lsm --set lsm.memtable-size=16MiB --format benchstat > new.txt
  kvlab bench --workload-file workloada.properties --out results.jsonl
  kvlab bench --phase load --engines lsm --dir ./db -P workloada -p recordcount=1M --key-format ycsb
  kvlab bench --phase run --dir ./db -P workloada -p operationcount=500k -p requestdistribution=uniform
  kvlab bench --use-existing --dir ./db --workloads readrandom --reads 100k`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if list {
				return listWorkloads(cmd.OutOrStdout())
			}
			return runBench(cmd, &f, &sf, engines, workloads, workloadFiles)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&list, "list", false, "list the workloads with what each does, and exit")
	fl.StringVar(&engines, "engines", "", "comma-separated engines to run (default: lsm,btree,memory, those registered; see 'kvlab engines')")
	fl.StringVar(&workloads, "workloads", "", "comma-separated workloads (default: "+strings.Join(defaultBenchWorkloads, ",")+" unless --workload-file is given)")
	fl.StringArrayVarP(&workloadFiles, "workload-file", "P", nil, "a YCSB workload properties file to run (repeatable; -P as in ycsb)")
	f.register(cmd)
	sf.register(cmd)
	return cmd
}

// wrapWords wraps s at spaces into lines of at most width characters.
func wrapWords(s string, width int) string {
	var b strings.Builder
	n := 0
	for i, w := range strings.Fields(s) {
		if i > 0 && n+1+len(w) > width {
			b.WriteString("\n")
			n = 0
		} else if i > 0 {
			b.WriteString(" ")
			n++
		}
		b.WriteString(w)
		n += len(w)
	}
	return b.String()
}

// listWorkloads prints each built-in workload and what it does.
func listWorkloads(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	for _, wl := range workload.Workloads() {
		fmt.Fprintf(tw, "%s\t%s\n", wl.Name, wl.Description)
	}
	return tw.Flush()
}

// trimConfig drops the "bench: bad configuration: " prefix for CLI messages.
func trimConfig(err error) string {
	return strings.TrimPrefix(err.Error(), bench.ErrConfig.Error()+": ")
}

// benchDirs creates the directory the stores go in, a new kvlab-bench-*
// directory in dir (the system's temporary directory when dir is ""); dir
// must exist unless mkdir. cleanup removes what benchDirs created unless
// keep.
func benchDirs(dir string, keep, mkdir bool) (root string, cleanup func(), err error) {
	made := "" // the first directory of dir's path that this run creates
	if dir != "" {
		fi, err := os.Stat(dir)
		switch {
		case err == nil && !fi.IsDir():
			return "", nil, usageErrorf("--dir %s is not a directory", dir)
		case errors.Is(err, fs.ErrNotExist) && !mkdir:
			return "", nil, usageErrorf("--dir %s does not exist (create it, or add --mkdir)", dir)
		case errors.Is(err, fs.ErrNotExist):
			made = firstMissing(dir)
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return "", nil, usageErrorf("--dir %s: %v", dir, unwrapPath(err))
			}
		case err != nil:
			return "", nil, usageErrorf("--dir %s: %v", dir, unwrapPath(err))
		}
	}
	root, err = os.MkdirTemp(dir, "kvlab-bench-")
	if err != nil {
		where := dir
		if where == "" {
			where = os.TempDir()
		}
		return "", nil, usageErrorf("cannot create a directory in %s: %v", where, unwrapPath(err))
	}
	return root, func() {
		if keep {
			return
		}
		os.RemoveAll(root)
		// Remove the directories --mkdir made, if nothing else went in.
		for d := dir; made != ""; d = filepath.Dir(d) {
			if os.Remove(d) != nil || d == made {
				break
			}
		}
	}, nil
}

// firstMissing returns the first directory of dir's path that does not
// exist.
func firstMissing(dir string) string {
	missing := dir
	for d := filepath.Dir(dir); d != missing; d = filepath.Dir(d) {
		if _, err := os.Stat(d); err == nil {
			break
		}
		missing = d
	}
	return missing
}

// keptNote tells where --keep left the stores.
func keptNote(stderr io.Writer, keep bool, root string) {
	if keep {
		fmt.Fprintf(stderr, "kvlab: stores kept in %s\n", root)
	}
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// openOut creates the --out file early, so that an unwritable path fails
// before any benchmark runs.
func openOut(path string) (*os.File, error) {
	if path == "" {
		return nil, nil
	}
	out, err := os.Create(path)
	if err != nil {
		return nil, usageErrorf("--out %s: %v", path, unwrapPath(err))
	}
	return out, nil
}

// resolveWorkloads returns the named workloads and those of the files,
// each with the YCSB properties props (-p) over its own. The properties
// kvlab ignores are noted once.
func resolveWorkloads(names string, files []string, props map[string]string, stderr io.Writer) ([]workload.Workload, error) {
	var ws []workload.Workload
	list := splitList(names)
	if len(list) == 0 && len(files) == 0 {
		list = defaultBenchWorkloads
	}
	honoured := map[string]string{}
	for _, k := range slices.Sorted(maps.Keys(props)) {
		switch {
		case slices.Contains(workload.YCSBHonoured, k):
			honoured[k] = props[k]
		case slices.Contains(workload.YCSBIgnored(), k):
			fmt.Fprintf(stderr, "kvlab: note: -p %s ignored (it does not apply to kvlab bench)\n", k)
		default:
			return nil, usageErrorf("-p %s: unknown YCSB property (kvlab honours %s)", k, strings.Join(workload.YCSBHonoured, ", "))
		}
	}
	for _, n := range list {
		w, err := workload.LookupWorkload(n)
		if err != nil {
			return nil, usageErrorf("%s", trimConfig(err))
		}
		if len(honoured) > 0 {
			if w, err = workload.ApplyYCSBProperties(w, honoured); err != nil {
				return nil, usageErrorf("-p: %s", trimConfig(err))
			}
		}
		ws = append(ws, w)
	}
	for _, path := range files {
		fh, err := os.Open(path)
		if err != nil {
			return nil, usageErrorf("--workload-file: %v", err)
		}
		w, err := workload.ParseYCSBProperties(fh, workload.WorkloadName(path), honoured)
		fh.Close()
		if err != nil {
			return nil, usageErrorf("--workload-file: %s", trimConfig(err))
		}
		for _, n := range w.Notes {
			fmt.Fprintln(stderr, "kvlab: note:", n)
		}
		ws = append(ws, w)
	}
	return ws, nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// resolveEngines returns the engines to run. With none named it takes the
// defaults that are registered and notes those that are not.
func resolveEngines(names string, stderr io.Writer) ([]string, error) {
	list := splitList(names)
	if len(list) == 0 {
		var missing []string
		for _, e := range defaultBenchEngines {
			if _, err := kvlab.Lookup(e); err != nil {
				missing = append(missing, e)
			} else {
				list = append(list, e)
			}
		}
		if len(missing) > 0 {
			fmt.Fprintf(stderr, "kvlab: note: %s not registered in this build; running %s\n", strings.Join(missing, ", "), strings.Join(list, ", "))
		}
		if len(list) == 0 {
			return nil, fmt.Errorf("none of the default engines (%s) is registered", strings.Join(defaultBenchEngines, ", "))
		}
		return list, nil
	}
	for i, e := range list {
		if _, err := kvlab.Lookup(e); err != nil {
			return nil, &usageError{err}
		}
		if slices.Contains(list[:i], e) {
			return nil, usageErrorf("engine %s named twice", e)
		}
	}
	return list, nil
}

func runBench(cmd *cobra.Command, f *runFlags, sf *storeFlags, engineNames, workloadNames string, files []string) error {
	stdout, stderr := cmd.OutOrStdout(), cmd.ErrOrStderr()
	tmpl, err := f.config(cmd)
	if err != nil {
		return err
	}
	if err := sf.check(f); err != nil {
		return err
	}
	props, err := f.properties()
	if err != nil {
		return err
	}
	var engines []string
	if !sf.active() {
		if engines, err = resolveEngines(engineNames, stderr); err != nil {
			return err
		}
	}
	workloads, err := resolveWorkloads(workloadNames, files, props, stderr)
	if err != nil {
		return err
	}
	plan := &bench.Plan{Config: tmpl, Workloads: workloads, Count: f.count, Keep: f.keep, DefaultNum: bench.SmallRunNum}
	if sf.active() {
		// plan.Settings become those the store was written with, if any.
		if engines, err = sf.prepare(cmd, f, plan, engineNames); err != nil {
			return err
		}
	}
	inRun := map[string]bool{}
	for _, e := range engines {
		inRun[e] = true
	}
	given, err := parseSettings(f.sets, inRun)
	if err != nil {
		return err
	}
	if plan.Settings == nil {
		plan.Settings = map[string]map[string]string{}
	}
	for e, set := range given {
		if plan.Settings[e] == nil {
			plan.Settings[e] = map[string]string{}
		}
		maps.Copy(plan.Settings[e], set)
	}
	plan.Engines = engines
	if plan.Config.Phases != bench.RunOnly {
		printNotes(stdout, stderr, f.format, plan.FairSizing())
	}
	if err := plan.Check(); err != nil {
		return &usageError{err}
	}
	// The signals are released after the stores are removed, so that a
	// Ctrl-C in between cannot leave them behind.
	var undo undoList
	ctx, stop := interruptible(cmdContext(cmd), stderr, undo.run)
	defer stop()
	defer undo.run()
	var loaded atomic.Bool // read by the signal goroutine
	if plan.Config.Phases == bench.LoadOnly {
		clean, err := makeStoreDir(plan.Store, &loaded)
		if err != nil {
			return err
		}
		undo.add(clean)
	}
	if plan.Store == "" {
		root, clean, err := benchDirs(f.dir, f.keep, f.mkdir)
		if err != nil {
			return err
		}
		undo.add(clean)
		defer keptNote(stderr, f.keep, root)
		plan.Root = root
	}
	out, err := openOut(f.out)
	if err != nil {
		return err
	}
	if out != nil {
		defer out.Close()
	}

	plan.Config.Progress = progressFor(stderr)
	results, runErr := plan.Run(ctx)
	loaded.Store(runErr == nil)
	if errors.Is(runErr, bench.ErrConfig) {
		return usageErrorf("%s", trimConfig(runErr))
	}
	if err := writeResults(stdout, f.format, results, report.TableOptions{VerifyIO: f.verifyIO}); err != nil {
		return err
	}
	if out != nil {
		if err := report.WriteJSON(out, results); err != nil {
			return err
		}
		if err := out.Close(); err != nil {
			return fmt.Errorf("--out %s: %w", f.out, err)
		}
		fmt.Fprintf(stderr, "kvlab: wrote %d results to %s (plot them: kvlab plot %s -o results.svg)\n", len(results), f.out, f.out)
	}
	if plan.Store != "" && runErr == nil {
		switch plan.Config.Phases {
		case bench.LoadOnly:
			fmt.Fprintf(stderr, "kvlab: store loaded at %s; run workloads on it with: kvlab bench --phase run --dir %s --workloads ...\n", plan.Store, plan.Store)
		default:
			fmt.Fprintf(stderr, "kvlab: store kept at %s\n", plan.Store)
		}
	}
	return interruptedOr(ctx, runErr)
}

// interruptedOr returns errInterrupted when ctx was cancelled by Ctrl-C
// and err is the cancellation, else err.
func interruptedOr(ctx context.Context, err error) error {
	if err != nil && ctx.Err() != nil && errors.Is(err, context.Canceled) {
		return errInterrupted
	}
	return err
}

// printNotes prints the plan's notes: above the table, or on stderr when
// stdout is a machine format.
func printNotes(stdout, stderr io.Writer, format string, notes []string) {
	for _, n := range notes {
		if format == "table" {
			fmt.Fprintf(stdout, "note: %s\n\n", n)
		} else {
			fmt.Fprintf(stderr, "kvlab: note: %s\n", n)
		}
	}
}

// writeResults renders the results in the chosen format.
func writeResults(w io.Writer, format string, results []*bench.Result, o report.TableOptions) error {
	switch format {
	case "json":
		return report.WriteJSON(w, results)
	case "csv":
		return report.WriteCSV(w, results)
	case "benchstat":
		return report.WriteBenchstat(w, results)
	default:
		return report.WriteTable(w, results, o)
	}
}

// progressFor returns a progress bar on stderr when it is a terminal.
func progressFor(stderr io.Writer) bench.Progress {
	if f, ok := stderr.(*os.File); ok {
		if p := bench.NewTerminalProgress(f); p != nil {
			return p
		}
	}
	return nil
}

func cmdContext(cmd *cobra.Command) context.Context {
	if ctx := cmd.Context(); ctx != nil {
		return ctx
	}
	return context.Background()
}
