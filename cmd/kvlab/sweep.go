package main

import (
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kvlab/kvlab"
	"github.com/kvlab/kvlab/bench"
	"github.com/kvlab/kvlab/bench/workload"
)

// maxSweptOptions is how many options one sweep may vary.
const maxSweptOptions = 2

func newSweepCommand() *cobra.Command {
	var f runFlags
	var engine, engines, mix, workload string
	var force bool
	cmd := &cobra.Command{
		Use:   "sweep --engine ENGINE --set ENGINE.NAME=V1,V2,... --workload WORKLOAD",
		Short: "Run a workload at each value of one or two engine options: throughput and amplification per point",
		Long: `Varies one or two engine options over comma-separated lists (every
combination is a point), runs the workload on a fresh store at each point, and
prints a table of throughput, latency and write, read and space amplification
(for lsm and btree each beside the textbook cost model's prediction, in the
"model" columns), with a one-line reading. The results are written as JSON
lines (--out, by default sweep-ENGINE-OPTION.jsonl) for 'kvlab plot', which
draws the model's predictions as dashed lines beside the measured ones. A
--set with a single value fixes that option at every point.`,
		Example: `  kvlab sweep --engine lsm --set lsm.bloom-bits=0,2,5,10,20 --workload readrandom
  kvlab sweep --engine btree --set btree.page-size=1KiB,4KiB,16KiB --workload ycsb-a --num 500k
  kvlab sweep --engine lsm --set lsm.level-ratio=4,10 --set lsm.memtable-size=4MiB,64MiB --workload fillrandom
  kvlab sweep --engines lsm,btree --mix read=0.05,0.25,0.5,0.75,0.95 --distribution uniform --device ssd`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if mix != "" {
				names := engines
				if names == "" {
					names = engine
				}
				if names == "" {
					return usageErrorf("--mix needs --engines (or --engine)")
				}
				w := workload
				if !cmd.Flags().Changed("workload") {
					w = "ycsb-a"
				}
				return runMixSweep(cmd, &f, strings.Split(names, ","), mix, w, force)
			}
			if engines != "" {
				return usageErrorf("--engines sweeps several engines over --mix; an option sweep takes one --engine")
			}
			return runSweep(cmd, &f, engine, workload, force)
		},
	}
	cmd.Flags().StringVar(&engine, "engine", "", "the engine to sweep (required)")
	cmd.Flags().StringVar(&workload, "workload", "readrandom", "the workload run at each point (with --mix: whose load, keys and distribution each mix takes; default ycsb-a)")
	cmd.Flags().StringVar(&engines, "engines", "", "with --mix: the engines run at every point (lsm,btree)")
	cmd.Flags().StringVar(&mix, "mix", "", "sweep the operation mix instead of options: read=F1,F2,... (Gets) or scan=F1,F2,... (short scans, --scan-length, default 10) runs every engine at each fraction, the rest updates (the crossover)")
	f.register(cmd)
	cmd.Flags().Lookup("set").Usage = "option ENGINE.NAME=V1,V2,... to vary (repeatable; at most two with several values)"
	cmd.Flags().Lookup("out").Usage = "JSON-lines file for 'kvlab plot' (default sweep-ENGINE-OPTION.jsonl); an existing file is refused without --force"
	cmd.Flags().BoolVar(&force, "force", false, "overwrite an existing --out file")
	return cmd
}

func runSweep(cmd *cobra.Command, f *runFlags, engine, wname string, force bool) error {
	stderr := cmd.ErrOrStderr()
	if engine == "" {
		return usageErrorf("--engine is required")
	}
	if _, err := kvlab.Lookup(engine); err != nil {
		return &usageError{err}
	}
	tmpl, w, err := sweepConfig(cmd, f, wname)
	if err != nil {
		return err
	}
	ws := []workload.Workload{w}
	if len(f.sets) == 0 {
		return usageErrorf("--set ENGINE.NAME=V1,V2,... is required: it says what to sweep")
	}
	var axes []bench.SweepAxis
	swept := 0
	for _, s := range f.sets {
		a, err := bench.ParseSweepAxis(s)
		if err != nil {
			return usageErrorf("%s", trimConfig(err))
		}
		if a.Engine != engine {
			return usageErrorf("--set %s: engine %s is not being swept (--engine %s)", s, a.Engine, engine)
		}
		if len(a.Values) > 1 {
			swept++
		}
		axes = append(axes, a)
	}
	if swept > maxSweptOptions {
		return usageErrorf("%d options have several values: a sweep varies at most %d", swept, maxSweptOptions)
	}
	var points []bench.SweepPoint
	for _, p := range bench.SweepPoints(axes) {
		points = append(points, bench.SweepPoint{Settings: settingsOf(p), Label: sweptOnly(p, axes)})
	}
	plan := &bench.Plan{Config: tmpl, Engines: []string{engine}, Workloads: ws, Points: points,
		Keep: f.keep, DefaultNum: bench.SmallRunNum, SkipOverhead: true}
	sizing := plan.FairSizing()
	if err := plan.Check(); err != nil {
		return &usageError{err}
	}
	printNotes(cmd.OutOrStdout(), stderr, f.format, sizing)
	outPath := f.out
	if outPath == "" {
		outPath = defaultSweepOut(engine, axes)
	}
	return runPlanToFile(cmd, f, plan, outPath, force)
}

// refuseExisting refuses to overwrite a results file without --force.
func refuseExisting(path string, force bool) error {
	if _, err := os.Stat(path); err == nil && !force {
		return usageErrorf("--out %s exists: add --force to overwrite it, or name another file", path)
	}
	return nil
}

// settingsOf strips the engine prefix of a sweep point's settings.
func settingsOf(point map[string]string) map[string]string {
	s := map[string]string{}
	for k, v := range point {
		_, opt, _ := strings.Cut(k, ".")
		s[opt] = v
	}
	return s
}

// sweptOnly keeps the options that vary across the sweep: those that
// label the point.
func sweptOnly(point map[string]string, axes []bench.SweepAxis) map[string]string {
	out := map[string]string{}
	for _, a := range axes {
		if len(a.Values) > 1 {
			out[a.Key()] = point[a.Key()]
		}
	}
	if len(out) == 0 { // a sweep of one point: label it anyway
		for _, a := range axes {
			out[a.Key()] = point[a.Key()]
		}
	}
	return out
}

// defaultSweepOut names the results file after the engine and the swept
// options.
func defaultSweepOut(engine string, axes []bench.SweepAxis) string {
	name := "sweep-" + engine
	for _, a := range axes {
		if len(a.Values) > 1 {
			name += "-" + a.Option
		}
	}
	return name + ".jsonl"
}

// sweepConfig turns the flags into the run template and the one workload
// a sweep runs at each point.
func sweepConfig(cmd *cobra.Command, f *runFlags, name string) (bench.Config, workload.Workload, error) {
	tmpl, err := f.config(cmd)
	if err != nil {
		return tmpl, workload.Workload{}, err
	}
	props, err := f.properties()
	if err != nil {
		return tmpl, workload.Workload{}, err
	}
	ws, err := resolveWorkloads(name, nil, props, cmd.ErrOrStderr())
	if err != nil {
		return tmpl, workload.Workload{}, err
	}
	if len(ws) != 1 {
		return tmpl, workload.Workload{}, usageErrorf("--workload takes one workload")
	}
	return tmpl, ws[0], nil
}
