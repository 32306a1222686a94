package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kvlab/kvlab/bench"
	"github.com/kvlab/kvlab/bench/report"
	"github.com/kvlab/kvlab/bench/workload"
)

// mixOps are the operations --mix sweeps the share of: point reads
// (Gets) or short scans (a seek and --scan-length Nexts, as in YCSB E).
var mixOps = map[string]workload.Op{"read": workload.OpRead, "scan": workload.OpScan}

// defaultMixScan is the scan length of --mix scan=... when --scan-length
// does not give one: YCSB E's short ranges are 1-100 keys; 10 (RocksDB's
// seekrandom default) keeps a scan within a leaf or a block or two.
var defaultMixScan = workload.ScanLength{Min: 10, Max: 10}

// parseMix parses --mix read=F1,F2,... or scan=F1,F2,...: the operation
// swept and its fractions; the rest of each mix is updates.
func parseMix(s string) (string, []float64, error) {
	name, list, ok := strings.Cut(s, "=")
	name = strings.TrimSpace(name)
	if _, known := mixOps[name]; !ok || !known || list == "" {
		return "", nil, usageErrorf("--mix %q: want read=F1,F2,... or scan=F1,F2,... (fractions in [0, 1] of Gets or short scans; the rest of each mix is updates)", s)
	}
	var fs []float64
	for _, v := range strings.Split(list, ",") {
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || f < 0 || f > 1 {
			return "", nil, usageErrorf("--mix %q: %q is not a fraction in [0, 1]", s, v)
		}
		fs = append(fs, f)
	}
	return name, fs, nil
}

// mixVariants returns w at each fraction of op (read or scan), the rest
// updates, all under one name so that the points read as one workload,
// and their labels. A scan mix of a workload without a scan length takes
// defaultMixScan.
func mixVariants(w workload.Workload, op string, fracs []float64) ([]workload.Workload, []map[string]string) {
	var ws []workload.Workload
	var labels []map[string]string
	for _, r := range fracs {
		v := w
		v.Name = w.Name + "-mix"
		v.Mix = workload.Mix{}
		if r > 0 {
			v.Mix[mixOps[op]] = r
		}
		if r < 1 {
			v.Mix[workload.OpUpdate] = 1 - r
		}
		if op == "scan" && v.ScanLength.IsZero() {
			v.ScanLength = defaultMixScan
		}
		ws = append(ws, v)
		labels = append(labels, map[string]string{op: strconv.FormatFloat(r, 'f', -1, 64)})
	}
	return ws, labels
}

// runMixSweep runs every engine at every fraction of --mix: the
// crossover sweep.
func runMixSweep(cmd *cobra.Command, f *runFlags, engines []string, mix, wname string, force bool) error {
	stderr := cmd.ErrOrStderr()
	op, fracs, err := parseMix(mix)
	if err != nil {
		return err
	}
	tmpl, w, err := sweepConfig(cmd, f, wname)
	if err != nil {
		return err
	}
	base := []workload.Workload{w}
	inRun := map[string]bool{}
	for _, e := range engines {
		inRun[e] = true
	}
	given, err := parseSettings(f.sets, inRun)
	if err != nil {
		return err
	}
	ws, labels := mixVariants(base[0], op, fracs)
	plan := &bench.Plan{Config: tmpl, Engines: engines, Workloads: ws, Labels: labels, Settings: given,
		Count: f.count, Keep: f.keep, DefaultNum: bench.SmallRunNum, SkipOverhead: true}
	sizing := plan.FairSizing()
	if err := plan.Check(); err != nil {
		return &usageError{err}
	}
	printNotes(cmd.OutOrStdout(), stderr, f.format, sizing)
	outPath := f.out
	if outPath == "" {
		outPath = "sweep-" + strings.Join(engines, "-") + "-" + op + ".jsonl"
	}
	return runPlanToFile(cmd, f, plan, outPath, force)
}

// runPlanToFile runs a sweep's plan, prints its table and writes its
// results file.
func runPlanToFile(cmd *cobra.Command, f *runFlags, plan *bench.Plan, outPath string, force bool) error {
	stderr := cmd.ErrOrStderr()
	if err := refuseExisting(outPath, force); err != nil {
		return err
	}
	var undo undoList
	ctx, stop := interruptible(cmdContext(cmd), stderr, undo.run)
	defer stop()
	defer undo.run()
	root, cleanup, err := benchDirs(f.dir, f.keep, f.mkdir)
	if err != nil {
		return err
	}
	undo.add(cleanup)
	defer keptNote(stderr, f.keep, root)
	out, err := openOut(outPath)
	if err != nil {
		return err
	}
	defer out.Close()
	plan.Config.Progress = progressFor(stderr)
	plan.Root = root
	results, runErr := plan.Run(ctx)
	if errors.Is(runErr, bench.ErrConfig) {
		return usageErrorf("%s", trimConfig(runErr))
	}
	stdout := cmd.OutOrStdout()
	if f.format == "table" {
		err = report.WriteSweepTable(stdout, results)
	} else {
		err = writeResults(stdout, f.format, results, report.TableOptions{})
	}
	if err != nil {
		return err
	}
	if err := report.WriteJSON(out, results); err != nil {
		return err
	}
	if err := out.Close(); err != nil {
		return fmt.Errorf("--out %s: %w", outPath, err)
	}
	fmt.Fprintf(stderr, "kvlab: wrote %s (plot it: kvlab plot %s -o %s)\n", outPath, outPath, strings.TrimSuffix(outPath, ".jsonl")+".svg")
	return interruptedOr(ctx, runErr)
}
