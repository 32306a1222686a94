package main

import (
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kvlab/kvlab/bench"
	"github.com/kvlab/kvlab/bench/workload"
	"github.com/kvlab/kvlab/internal/units"
)

// runFlags are the flags bench and sweep share.
type runFlags struct {
	num, reads, valueSize, dist, scanLen, format, out, dir string
	keyFormat                                              string
	props                                                  []string
	duration, warmup                                       time.Duration
	threads, keySize, loadBatch, count                     int
	compressibility                                        float64
	sets                                                   []string
	sync, verifyIO, keep, mkdir, steady, timeline          bool
	seed                                                   uint64
	device                                                 deviceFlags
}

func (f *runFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.num, "num", "400k", "records to load, or keys a fill workload writes: a count (100k, 1.5M; k and M are 10^3 and 10^6, where sizes take KiB and MiB)")
	fl.StringVar(&f.reads, "reads", "", "run-phase operations, a count like --num (default: --num, or the workload's operationcount)")
	fl.DurationVar(&f.duration, "duration", 0, "bound the run phase by time as well (e.g. 30s)")
	fl.DurationVar(&f.warmup, "warmup", 0, "run this long before measuring the run phase")
	fl.IntVar(&f.threads, "threads", 1, "client goroutines")
	fl.StringVar(&f.valueSize, "value-size", "", "value size in bytes, fixed (100, 4KiB) or a uniform range (0-1000); at least 1 when fixed; default 100")
	fl.IntVar(&f.keySize, "key-size", workload.DefaultKeySize, "key size in bytes (at least 8; default 23 with --key-format ycsb)")
	fl.StringVar(&f.keyFormat, "key-format", "binary", "how keys spell key numbers: binary (8 bytes and padding, db_bench's) or ycsb (user and zero-padded digits, readable in kvlab scan)")
	fl.StringArrayVarP(&f.props, "property", "p", nil, "YCSB workload property NAME=VALUE over the workload's (repeatable, as ycsb -p; see --help)")
	fl.Float64Var(&f.compressibility, "compressibility", workload.DefaultCompressibility, "fraction of each value left after compression (1 = incompressible)")
	fl.StringVar(&f.dist, "distribution", "", "key distribution, overriding the workload's")
	fl.StringVar(&f.scanLen, "scan-length", "", "keys per scan: N or MIN-MAX (default: seekrandom 10, ycsb-e 1-100)")
	fl.StringArrayVar(&f.sets, "set", nil, "engine option ENGINE.NAME=VALUE (repeatable; "+setUnits+"; see 'kvlab engines --options')")
	fl.StringVar(&f.dir, "dir", "", "an existing directory to put the stores in, e.g. on the disk to measure: they go in a new kvlab-bench-* directory inside it (default: the system's temporary directory), removed afterwards unless --keep")
	fl.BoolVar(&f.mkdir, "mkdir", false, "create --dir if it does not exist (and remove it afterwards unless --keep)")
	fl.BoolVar(&f.keep, "keep", false, "keep the stores after the run")
	fl.BoolVar(&f.sync, "sync", false, "make every write wait for stable storage")
	fl.BoolVar(&f.steady, "steady", false, "before the run phase, overwrite the store until it is in steady state (the LSM over its levels, the B+tree checkpointed several times) and wait for background work before measuring space")
	fl.BoolVar(&f.timeline, "timeline", false, "record the engine's flushes, compactions, stalls and checkpoints and its shape (levels, pages) against time into the JSON results (--out; 'kvlab plot' draws the shape over time)")
	fl.BoolVar(&f.verifyIO, "verify-io", false, "print the engines' byte accounting beside /proc/self/io")
	fl.StringVar(&f.format, "format", "table", "output format: table, json, csv or benchstat")
	fl.StringVar(&f.out, "out", "", "also write the results to this JSON-lines file (input of 'kvlab plot')")
	fl.Uint64Var(&f.seed, "seed", 1, "seed of every random choice: the same seed repeats the same run")
	fl.IntVar(&f.loadBatch, "load-batch", bench.DefaultLoadBatch, "keys per write batch in the load phase")
	f.device.register(fl)
	fl.IntVar(&f.count, "count", 1, "run each engine and workload this many times: the table shows the median and min–max, json, csv and benchstat keep every repetition (benchstat wants 6 or more)")
}

// config turns the flags into a Config template (engine and workload not
// set). Every error is a usage error.
func (f *runFlags) config(cmd *cobra.Command) (bench.Config, error) {
	var c bench.Config
	fl := cmd.Flags()
	switch f.format {
	case "table", "json", "csv", "benchstat":
	default:
		return c, usageErrorf("--format %q: want table, json, csv or benchstat", f.format)
	}
	if fl.Changed("num") {
		n, err := units.ParseCount(f.num)
		if err != nil {
			return c, usageErrorf("--num: %v", err)
		}
		if n == 0 {
			return c, usageErrorf("--num must be positive")
		}
		c.Num = n
	}
	if f.reads != "" {
		n, err := units.ParseCount(f.reads)
		if err != nil {
			return c, usageErrorf("--reads: %v", err)
		}
		c.Ops = n
	}
	if f.duration < 0 || f.warmup < 0 {
		return c, usageErrorf("--duration and --warmup must not be negative")
	}
	c.Duration, c.Warmup = f.duration, f.warmup
	if f.threads < 1 {
		return c, usageErrorf("--threads %d: want at least 1", f.threads)
	}
	c.Threads = f.threads
	style, err := workload.ParseKeyStyle(f.keyFormat)
	if err != nil {
		return c, usageErrorf("--key-format: %s", trimConfig(err))
	}
	c.KeyStyle = style
	if f.keySize < workload.MinKeySize {
		return c, usageErrorf("--key-size %d: want at least %d", f.keySize, workload.MinKeySize)
	}
	if fl.Changed("key-size") || style == workload.KeyBinary {
		c.KeySize = f.keySize
	}
	size := c.KeySize
	if size == 0 {
		size = workload.YCSBKeySize
	}
	if err := (workload.KeyFormat{Size: size, Style: style}).Validate(); err != nil {
		return c, usageErrorf("--key-size %d: %s", f.keySize, trimConfig(err))
	}
	if f.valueSize != "" {
		v, err := workload.ParseValueSize(f.valueSize)
		if err != nil {
			return c, usageErrorf("--value-size: %v", trimConfig(err))
		}
		if v.Max == 0 {
			// A zero ValueSize means "the workload's"; a real zero-length
			// value is not what anyone benchmarking wants either.
			return c, usageErrorf("--value-size %s: values must be at least 1 byte (a range such as 0-100 may include empty values)", f.valueSize)
		}
		c.ValueSize = v
	}
	if f.compressibility <= 0 || f.compressibility > 1 {
		return c, usageErrorf("--compressibility %g: want a fraction in (0, 1]", f.compressibility)
	}
	c.Compressibility = f.compressibility
	if f.dist != "" {
		d, err := workload.ParseDistribution(f.dist)
		if err != nil {
			return c, usageErrorf("--distribution: %v", trimConfig(err))
		}
		c.Distribution = &d
	}
	if f.scanLen != "" {
		lo, hi, isRange := strings.Cut(f.scanLen, "-")
		a, err1 := units.ParseCount(lo)
		b, err2 := a, error(nil)
		if isRange {
			b, err2 = units.ParseCount(hi)
		}
		if err1 != nil || err2 != nil || a < 1 || b < a {
			return c, usageErrorf("--scan-length %q: want N or MIN-MAX with 1 ≤ MIN ≤ MAX", f.scanLen)
		}
		c.ScanLength = workload.ScanLength{Min: int(a), Max: int(b)}
	}
	if f.count < 1 {
		return c, usageErrorf("--count %d: want at least 1", f.count)
	}
	if f.loadBatch < 1 {
		return c, usageErrorf("--load-batch %d: want at least 1", f.loadBatch)
	}
	c.LoadBatch = f.loadBatch
	if c.Device, err = f.device.model(fl); err != nil {
		return c, err
	}
	c.Direct = f.device.direct()
	c.Timeline = f.timeline
	c.Sync = f.sync
	c.Steady = f.steady
	c.Seed = f.seed
	return c, nil
}

// properties parses the -p NAME=VALUE flags.
func (f *runFlags) properties() (map[string]string, error) {
	if len(f.props) == 0 {
		return nil, nil
	}
	props := map[string]string{}
	for _, p := range f.props {
		k, v, ok := strings.Cut(p, "=")
		if k = strings.TrimSpace(k); !ok || k == "" {
			return nil, usageErrorf("-p %q: want NAME=VALUE (a YCSB workload property)", p)
		}
		props[strings.ToLower(k)] = strings.TrimSpace(v)
	}
	return props, nil
}
