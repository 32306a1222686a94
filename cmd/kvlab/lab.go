package main

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/kvlab/kvlab/bench"
	"github.com/kvlab/kvlab/bench/report"
	"github.com/kvlab/kvlab/bench/workload"
	"github.com/kvlab/kvlab/kv/costmodel"
	"github.com/kvlab/kvlab/lsm"
)

// lab is one teaching lab: a handout in docs/labs and the command line
// that runs it.
type lab struct {
	name, title string
	// args is the kvlab command line of the lab's preset.
	args []string
	// summary, if set, prints a table of its own after a sweep's, from
	// the sweep's results.
	summary func(w io.Writer, rs []*bench.Result) error
}

// labs are the labs, in the order the handouts suggest.
var labs = []lab{
	{"lsm-write-amp", "LSM write amplification against the level ratio (and the memtable size)",
		[]string{"sweep", "--engine", "lsm", "--set", "lsm.level-ratio=2,3,5,10", "--set", "lsm.l1-target-size=1MiB", "--set", "lsm.memtable-size=256KiB",
			"--set", "lsm.target-file-size=256KiB", "--workload", "overwrite",
			"--num", "100k", "--reads", "200k", "--steady", "--out", "lab-lsm-write-amp.jsonl", "--force"}, levelSummary},
	{"btree-write-amp", "B+tree write amplification against the page size",
		[]string{"sweep", "--engine", "btree", "--set", "btree.page-size=1KiB,4KiB,16KiB", "--workload", "overwrite",
			"--num", "100k", "--reads", "100k", "--steady", "--out", "lab-btree-write-amp.jsonl", "--force"}, nil},
	{"read-amp-bloom", "Read amplification and Bloom filter bits, on a simulated SSD",
		[]string{"sweep", "--engine", "lsm", "--set", "lsm.bloom-bits=0,2,5,10", "--workload", "readrandom",
			"--num", "100k", "--reads", "50k", "--steady", "--device", "ssd", "--out", "lab-read-amp-bloom.jsonl", "--force"}, nil},
	{"space-amp", "Space amplification: overwrites, deletes and compaction",
		[]string{"bench", "--engines", "lsm,btree", "--workloads", "overwrite,deleterandom",
			"--num", "100k", "--reads", "100k", "--steady"}, nil},
	{"crossover", "The crossover: which engine for which mix of updates and short scans, on a simulated disk",
		[]string{"sweep", "--engines", "lsm,btree", "--mix", "scan=0,0.05,0.5,0.95,1", "--scan-length", "10", "--distribution", "uniform",
			"--num", "100k", "--reads", "10k", "--steady", "--device", "hdd", "--set", "lsm.l1-target-size=1MiB", "--set", "lsm.level-ratio=4",
			"--out", "lab-crossover.jsonl", "--force"}, nil},
}

func lookupLab(name string) (lab, bool) {
	for _, l := range labs {
		if l.name == name {
			return l, true
		}
	}
	return lab{}, false
}

func newLabCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "lab list | lab run NAME [FLAGS]",
		Short: "List the teaching labs (docs/labs) and run one with its preset",
		Long: `Each lab is a handout in docs/labs/NAME.md (goal, commands, expected ranges,
plot, questions) and a preset command line. "kvlab lab run NAME" runs the
preset; flags after the name are added to it and override its own (for a
quicker run, e.g. --num 50k).`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	list := &cobra.Command{
		Use:   "list",
		Short: "List the labs and their command lines",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
			for _, l := range labs {
				fmt.Fprintf(tw, "%s\t%s (docs/labs/%s.md)\n", l.name, l.title, l.name)
				fmt.Fprintf(tw, "\t  kvlab %s\n", strings.Join(l.args, " "))
			}
			return tw.Flush()
		},
	}
	run := &cobra.Command{
		Use:                "run NAME [FLAGS]",
		Short:              "Run a lab's preset",
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
				if len(args) == 0 {
					return usageErrorf("lab run needs a lab's name: %s", labNames())
				}
				return cmd.Help()
			}
			l, ok := lookupLab(args[0])
			if !ok {
				return usageErrorf("no lab %q: want %s", args[0], labNames())
			}
			full := mergeArgs(l.args, args[1:])
			fmt.Fprintf(cmd.ErrOrStderr(), "kvlab: lab %s (docs/labs/%s.md): kvlab %s\n", l.name, l.name, strings.Join(full, " "))
			root := newRootCommand()
			root.SetArgs(full)
			root.SetIn(cmd.InOrStdin())
			root.SetOut(cmd.OutOrStdout())
			root.SetErr(cmd.ErrOrStderr())
			if err := root.ExecuteContext(cmd.Context()); err != nil || l.summary == nil {
				return err
			}
			return printSummary(cmd.OutOrStdout(), l, lastFlag(full, "--out"))
		},
	}
	cmd.AddCommand(list, run)
	return cmd
}

func labNames() string {
	var names []string
	for _, l := range labs {
		names = append(names, l.name)
	}
	return strings.Join(names, ", ")
}

// mergeArgs adds extra to a lab's preset: a --set of an option the preset
// sets replaces the preset's; other flags follow the preset's, and the
// last of a repeated flag wins.
func mergeArgs(preset, extra []string) []string {
	key := func(set string) string { k, _, _ := strings.Cut(set, "="); return k }
	replaced := map[string]bool{}
	for i := 0; i+1 < len(extra); i++ {
		if extra[i] == "--set" {
			replaced[key(extra[i+1])] = true
		}
	}
	var out []string
	for i := 0; i < len(preset); i++ {
		if preset[i] == "--set" && i+1 < len(preset) && replaced[key(preset[i+1])] {
			i++
			continue
		}
		out = append(out, preset[i])
	}
	return append(out, extra...)
}

// lastFlag returns the value of the last "--name V" or "--name=V" in
// args, or "".
func lastFlag(args []string, name string) string {
	v := ""
	for i, a := range args {
		switch {
		case a == name && i+1 < len(args):
			v = args[i+1]
		case strings.HasPrefix(a, name+"="):
			v = strings.TrimPrefix(a, name+"=")
		}
	}
	return v
}

// printSummary reads a lab's results file and prints its summary.
func printSummary(w io.Writer, l lab, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("lab %s: %w", l.name, err)
	}
	defer f.Close()
	rs, err := report.ReadJSON(f)
	if err != nil {
		return fmt.Errorf("lab %s: %s: %w", l.name, path, err)
	}
	return l.summary(w, rs)
}

// levelWriteAmp returns the LSM level's own write amplification over the
// steady overwrite and the run phase (a result's run statistics less its
// load's): the bytes merging compactions wrote into the level per byte
// they took from the level above. It returns 0 when no merge wrote into
// the level.
func levelWriteAmp(r *bench.Result, level int) float64 {
	if r.Run == nil || r.Run.Stats.LSM == nil || level >= len(r.Run.Stats.LSM.Levels) {
		return 0
	}
	l := r.Run.Stats.LSM.Levels[level]
	written, in := l.BytesWritten, l.BytesIn
	if r.Load != nil && r.Load.Stats.LSM != nil && level < len(r.Load.Stats.LSM.Levels) {
		written -= r.Load.Stats.LSM.Levels[level].BytesWritten
		in -= r.Load.Stats.LSM.Levels[level].BytesIn
	}
	if written <= 0 || in <= 0 {
		return 0
	}
	return float64(written) / float64(in)
}

// levelModel returns lsm.PredictLevelWriteAmps for a result's store and
// settings, nil when it has none.
func levelModel(r *bench.Result) []float64 {
	if r.Engine != lsm.Name || r.Run == nil {
		return nil
	}
	v, err := workload.ParseValueSize(r.Params.ValueSize)
	if err != nil {
		return nil
	}
	amps, err := lsm.PredictLevelWriteAmps(costmodel.Input{Settings: r.Settings, KeySize: r.Params.KeySize,
		ValueSize: v.Mean(), Compressibility: r.Params.Compressibility, LiveBytes: r.Run.LiveBytes})
	if err != nil {
		return nil
	}
	return amps
}

// levelSummary prints, for each point of an LSM sweep, each level's own
// write amplification below L1 beside the model's (lsm.LevelWriteAmps)
// and the textbook's 1 + ratio/2: the per-level effect of the level
// ratio, which the total hides when a larger ratio also means fewer
// levels.
func levelSummary(w io.Writer, rs []*bench.Result) error {
	deepest := 0
	for _, r := range rs {
		deepest = max(deepest, len(levelModel(r))-1)
	}
	if deepest < 2 {
		return nil
	}
	fmt.Fprintln(w, "\neach level's own write amplification over the steady overwrite and the run (bytes merged into Li per byte taken from Li-1), beside the model's and the textbook's 1 + ratio/2:")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "point\tlevels\t")
	for l := 2; l <= deepest; l++ {
		fmt.Fprintf(tw, "L%d\tmodel\t", l)
	}
	fmt.Fprintln(tw, "textbook 1+r/2\t")
	for _, r := range rs {
		amps := levelModel(r)
		if amps == nil {
			continue
		}
		fmt.Fprintf(tw, "%s\t%d\t", r.Label(), len(amps)-1)
		for l := 2; l <= deepest; l++ {
			got, want := "-", "-"
			if m := levelWriteAmp(r, l); m > 0 {
				got = fmt.Sprintf("%.2f", m)
			}
			if l < len(amps) {
				want = fmt.Sprintf("%.2f", amps[l])
			}
			fmt.Fprintf(tw, "%s\t%s\t", got, want)
		}
		ratio, err := strconv.ParseFloat(r.Settings["level-ratio"], 64)
		if err != nil {
			ratio = 10 // the engine's default
		}
		fmt.Fprintf(tw, "%.1f\t\n", 1+ratio/2)
	}
	return tw.Flush()
}
