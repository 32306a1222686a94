package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"sync/atomic"

	"github.com/spf13/cobra"

	"github.com/kvlab/kvlab"
	"github.com/kvlab/kvlab/bench"
	"github.com/kvlab/kvlab/bench/workload"
)

// storeFlags are bench's flags for a store kept between two commands: the
// YCSB habit of a load, then one or more runs on what it loaded
// (--phase load, --phase run), and db_bench's --use_existing_db
// (--use-existing).
type storeFlags struct {
	phase       string
	useExisting bool
}

func (sf *storeFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&sf.phase, "phase", "", "load: only load the workload's records into a new store at --dir and keep it; run: only run the workload on the store --phase load left at --dir (as ycsb load / ycsb run)")
	fl.BoolVar(&sf.useExisting, "use-existing", false, "run on the existing store at --dir without loading it (db_bench's --use_existing_db); its kvlab-bench.json, if any, says how its keys were written")
}

// active reports whether the run uses a kept store rather than temporary
// ones.
func (sf *storeFlags) active() bool { return sf.phase != "" || sf.useExisting }

// check validates the flags' combination.
func (sf *storeFlags) check(f *runFlags) error {
	switch sf.phase {
	case "", "load", "run":
	default:
		return usageErrorf("--phase %q: want load or run", sf.phase)
	}
	if !sf.active() {
		return nil
	}
	what := "--phase " + sf.phase
	if sf.useExisting {
		if sf.phase == "load" {
			return usageErrorf("--use-existing runs on a loaded store: it does not go with --phase load")
		}
		what = "--use-existing"
	}
	if f.dir == "" {
		return usageErrorf("%s needs --dir: the store's own directory", what)
	}
	if f.keep || f.mkdir {
		return usageErrorf("%s keeps the store at --dir: --keep and --mkdir do not apply", what)
	}
	return nil
}

// prepare sets plan up for a load-only or run-only plan on the store at
// f.dir and returns the engines to run. engineNames are --engines.
func (sf *storeFlags) prepare(cmd *cobra.Command, f *runFlags, plan *bench.Plan, engineNames string) ([]string, error) {
	stderr := cmd.ErrOrStderr()
	dir := f.dir
	plan.Store = dir
	if sf.phase == "load" {
		engines, err := oneEngine(engineNames, "--phase load")
		if err != nil {
			return nil, err
		}
		if len(plan.Workloads) != 1 || plan.Count > 1 {
			return nil, usageErrorf("--phase load loads one workload once (--workloads, --count)")
		}
		if w := plan.Workloads[0]; w.Load == workload.OrderNone {
			return nil, usageErrorf("--phase load: %s has no load phase: it writes its keys as it runs (run it whole, with --keep to keep the store)", w.Name)
		}
		if err := checkNewStoreDir(dir); err != nil {
			return nil, err
		}
		plan.Config.Phases = bench.LoadOnly
		return engines, nil
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return nil, usageErrorf("--dir %s: no store there to run on (load one with --phase load)", dir)
	}
	plan.Config.Phases = bench.RunOnly
	params, err := bench.ReadStoreParams(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist) && sf.useExisting:
		return sf.unrecorded(cmd, f, plan, engineNames, stderr)
	case errors.Is(err, fs.ErrNotExist):
		return nil, usageErrorf("--dir %s has no %s: load the store with kvlab bench --phase load, or run on a store kvlab did not load with --use-existing", dir, bench.StoreParamsFile)
	case err != nil:
		return nil, usageErrorf("%v", err)
	}
	engines := splitList(engineNames)
	switch {
	case len(engines) == 0:
		engines = []string{params.Engine}
	case len(engines) > 1 || engines[0] != params.Engine:
		return nil, usageErrorf("--engines %s: the store at %s was written by %s", engineNames, dir, params.Engine)
	}
	if params.Records < 1 {
		return nil, usageErrorf("the store at %s holds no records", dir)
	}
	keys, err := params.KeyFormatOf()
	if err != nil {
		return nil, usageErrorf("%s: %s", filepath.Join(dir, bench.StoreParamsFile), trimConfig(err))
	}
	fl := cmd.Flags()
	c := &plan.Config
	for _, conflict := range []struct {
		flag  string
		given bool
		same  bool
		store string
	}{
		{"--num", fl.Changed("num"), c.Num == params.Records, fmt.Sprint(params.Records, " records")},
		{"--key-size", fl.Changed("key-size"), c.KeySize == keys.Size, fmt.Sprint(keys.Size, "-byte keys")},
		{"--key-format", fl.Changed("key-format"), c.KeyStyle == keys.Style, keys.Style.String() + " keys"},
	} {
		if conflict.given && !conflict.same {
			return nil, usageErrorf("%s: the store at %s holds %s (%s); leave %s out", conflict.flag, dir, conflict.store, bench.StoreParamsFile, conflict.flag)
		}
	}
	c.Num, c.KeySize, c.KeyStyle, c.HashedKeys = params.Records, keys.Size, keys.Style, &keys.Hashed
	if !fl.Changed("value-size") {
		if v, err := workload.ParseValueSize(params.ValueSize); err == nil {
			c.ValueSize = v
		}
	}
	plan.Settings = map[string]map[string]string{params.Engine: maps.Clone(params.Settings)}
	return engines, nil
}

// unrecorded prepares a run on a store without StoreParamsFile: the flags
// must say what it holds.
func (sf *storeFlags) unrecorded(cmd *cobra.Command, f *runFlags, plan *bench.Plan, engineNames string, stderr io.Writer) ([]string, error) {
	engines, err := oneEngine(engineNames, "--use-existing on a store without "+bench.StoreParamsFile)
	if err != nil {
		return nil, err
	}
	if !cmd.Flags().Changed("num") {
		return nil, usageErrorf("--use-existing: %s has no %s: give --num, the records it holds (and --key-size, --key-format as written)", f.dir, bench.StoreParamsFile)
	}
	fmt.Fprintf(stderr, "kvlab: note: %s has no %s: assuming its first %d key numbers exist, spelt as --key-size and --key-format say\n",
		f.dir, bench.StoreParamsFile, plan.Config.Num)
	return engines, nil
}

// oneEngine returns the single persistent engine --engines names.
func oneEngine(engineNames, what string) ([]string, error) {
	engines := splitList(engineNames)
	if len(engines) != 1 {
		return nil, usageErrorf("%s takes one engine: --engines ENGINE", what)
	}
	info, err := kvlab.Lookup(engines[0])
	if err != nil {
		return nil, &usageError{err}
	}
	if !info.Persistent {
		return nil, usageErrorf("%s: %s keeps nothing between two commands", what, engines[0])
	}
	return engines, nil
}

// checkNewStoreDir checks that dir can be the new store of a load: absent
// (with an existing parent) or empty.
func checkNewStoreDir(dir string) error {
	entries, err := os.ReadDir(dir)
	switch {
	case err == nil && len(entries) > 0:
		return usageErrorf("--dir %s is not empty: --phase load makes a new store (remove it first, or run on it with --phase run)", dir)
	case err == nil:
		return nil
	case !errors.Is(err, fs.ErrNotExist):
		return usageErrorf("--dir %s: %v", dir, unwrapPath(err))
	}
	if fi, err := os.Stat(filepath.Dir(dir)); err != nil || !fi.IsDir() {
		return usageErrorf("--dir %s: its parent directory does not exist", dir)
	}
	return nil
}

// makeStoreDir makes the store directory of a load (checked by
// checkNewStoreDir) and returns a function that removes what the load
// left there unless it succeeded (loaded): a store without its
// kvlab-bench.json is of no use to a later run.
func makeStoreDir(dir string, loaded *atomic.Bool) (undo func(), err error) {
	made := false
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		if err := os.Mkdir(dir, 0o755); err != nil {
			return nil, usageErrorf("--dir %s: %v", dir, unwrapPath(err))
		}
		made = true
	}
	return func() {
		if loaded.Load() {
			return
		}
		if made {
			os.RemoveAll(dir)
			return
		}
		entries, _ := os.ReadDir(dir) // it was empty: empty it again
		for _, e := range entries {
			os.RemoveAll(filepath.Join(dir, e.Name()))
		}
	}, nil
}
