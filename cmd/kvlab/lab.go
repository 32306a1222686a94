package main

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
)

// lab is one teaching lab: a handout in docs/labs and the command line
// that runs it.
type lab struct {
	name, title string
	// args is the kvlab command line of the lab's preset.
	args []string
}

// labs are the labs, in the order the handouts suggest.
var labs = []lab{
	{"lsm-write-amp", "LSM write amplification against memtable size and level ratio",
		[]string{"sweep", "--engine", "lsm", "--set", "lsm.memtable-size=256KiB,1MiB,4MiB", "--set", "lsm.level-ratio=2,10", "--workload", "overwrite",
			"--num", "200k", "--reads", "200k", "--steady", "--out", "lab-lsm-write-amp.jsonl", "--force"}},
	{"btree-write-amp", "B+tree write amplification against the page size",
		[]string{"sweep", "--engine", "btree", "--set", "btree.page-size=1KiB,4KiB,16KiB", "--workload", "overwrite",
			"--num", "200k", "--reads", "200k", "--steady", "--out", "lab-btree-write-amp.jsonl", "--force"}},
	{"read-amp-bloom", "Read amplification and Bloom filter bits, on a simulated SSD",
		[]string{"sweep", "--engine", "lsm", "--set", "lsm.bloom-bits=0,2,5,10", "--workload", "readrandom",
			"--num", "200k", "--reads", "50k", "--steady", "--device", "ssd", "--out", "lab-read-amp-bloom.jsonl", "--force"}},
	{"space-amp", "Space amplification: overwrites, deletes and compaction",
		[]string{"bench", "--engines", "lsm,btree", "--workloads", "overwrite,deleterandom",
			"--num", "200k", "--reads", "100k", "--steady"}},
	{"crossover", "The crossover: which engine for which mix, on a simulated SSD",
		[]string{"sweep", "--engines", "lsm,btree", "--mix", "read=0.05,0.25,0.5,0.75,0.95", "--distribution", "uniform",
			"--num", "200k", "--reads", "30k", "--steady", "--device", "ssd", "--out", "lab-crossover.jsonl", "--force"}},
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
			return root.ExecuteContext(cmd.Context())
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
