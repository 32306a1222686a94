package bench

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"time"

	"github.com/kvlab/kvlab"
	"github.com/kvlab/kvlab/bench/timeline"
	"github.com/kvlab/kvlab/bench/workload"
	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/vfs"
)

// DefaultNum is the record count when neither the Config nor the workload
// sets one.
const DefaultNum = 100_000

// DefaultLoadBatch is the number of keys per Write in the load phase.
const DefaultLoadBatch = 100

// Config describes one benchmark run: one engine through one workload.
// Zero fields take the defaults documented on each.
type Config struct {
	// Engine is the registered engine to open (see kvlab.Engines).
	Engine string
	// Settings are the engine's options by knob name, without the engine
	// prefix, as kvlab.Options takes them.
	Settings map[string]string
	// Dir is the engine's directory, which should be empty or absent; ""
	// means a temporary directory removed after the run.
	Dir string
	// FS, if set, is the file system the engine uses (kvlab.Options.FS).
	FS vfs.FS
	// OpenEngine, if set, opens the engine instead of the registry: for
	// programs benchmarking an engine they have not registered. Engine
	// then only names it in the results.
	OpenEngine func(dir string) (kv.Engine, error)

	// Workload is what to run.
	Workload workload.Workload
	// Num is the number of records the load phase writes (the keys a fill
	// workload writes); 0 means the workload's Records, else DefaultNum.
	Num int64
	// Ops bounds the run phase's measured operations; 0 means the
	// workload's Operations, else Num (unbounded when Duration is set).
	Ops int64
	// Duration, if positive, bounds the run phase by time: it stops at
	// Ops or Duration, whichever comes first.
	Duration time.Duration
	// Warmup is a stretch at the start of the run phase whose operations
	// are not measured (they are extra to Ops).
	Warmup time.Duration
	// Threads is the number of client goroutines; 0 means 1.
	Threads int
	// KeySize is the key size in bytes; 0 means DefaultKeySize, or
	// workload.YCSBKeySize with KeyStyle KeyYCSB.
	KeySize int
	// KeyStyle is how keys spell key numbers: workload.KeyBinary (the
	// default) or workload.KeyYCSB ("user" and digits).
	KeyStyle workload.KeyStyle
	// HashedKeys, if set, overrides the workload's HashedKeys: a run on an
	// existing store must spell its keys as the load that wrote them did.
	HashedKeys *bool
	// Phases selects the phases to run: both (the zero value), only the
	// load phase, leaving the store for a later run, or only the run phase,
	// on the existing store in Dir (see Phases).
	Phases Phases
	// ValueSize overrides the workload's value size; zero means the
	// workload's, else DefaultValueSize.
	ValueSize workload.ValueSize
	// Compressibility is the fraction of each value left after
	// compression, in (0, 1]; 0 means DefaultCompressibility.
	Compressibility float64
	// Distribution, if set, overrides the workload's key distribution.
	Distribution *workload.Distribution
	// ScanLength, if set, overrides the workload's scan length.
	ScanLength workload.ScanLength
	// Sync makes every write wait for stable storage.
	Sync bool
	// LoadBatch is the number of keys per Write in the load phase; 0 means
	// DefaultLoadBatch.
	LoadBatch int
	// Seed makes the run repeatable: the same seed draws the same keys,
	// values and operations.
	Seed uint64
	// Progress, if set, is told how the phases advance.
	Progress Progress
	// Sweep labels the result as a point of a sweep.
	Sweep map[string]string
	// Device, if set, runs the engine on a simulated device (vfs.Device
	// over FS): each phase then reports the modelled device time beside
	// the measured time (Phase.Device). Only engines whose I/O goes
	// through vfs can run on it: peers are refused.
	Device *vfs.DeviceModel
	// Direct runs the engine on the real device with the page cache taken
	// out (vfs.Direct: O_DIRECT files), so that every read that misses the
	// engine's own caches is a device read; each phase then reports the
	// device reads per operation and the measured time spent in I/O calls
	// (Phase.Device, with Measured set). Run fails with an error matching
	// vfs.ErrDirectUnsupported where the directory's file system refuses
	// direct I/O or keeps files in memory (tmpfs). Peers are refused.
	Direct bool
	// Timeline records the engine's background work and shape against
	// time into Result.Timeline (bench/timeline): the flushes,
	// compactions, stalls and checkpoints its kv.EventListener reports,
	// and its Stats every TimelineEvery (0: 100ms).
	Timeline      bool
	TimelineEvery time.Duration
	// Steady, before the run phase, overwrites the store until it is in
	// its steady state (an LSM spread over the levels its cost model
	// expects, a B+tree checkpointed several times; see SteadyState), and
	// waits for background work before each phase's space is measured.
	Steady bool
}

// Phases selects the phases of a Run.
type Phases int

const (
	// BothPhases runs the workload's load phase, if it has one, then its
	// run phase, on a fresh store.
	BothPhases Phases = iota
	// LoadOnly runs only the load phase, on a fresh store in Dir, and
	// records in it how it was written (StoreParamsFile).
	LoadOnly
	// RunOnly runs only the run phase, on the existing store in Dir: its
	// first Num key numbers must exist, spelt as KeySize, KeyStyle and
	// HashedKeys say (ReadStoreParams returns what a load recorded).
	RunOnly
)

// String returns "load", "run" or "" for both.
func (p Phases) String() string {
	switch p {
	case LoadOnly:
		return "load"
	case RunOnly:
		return "run"
	}
	return ""
}

// resolved is a Config with its defaults applied and validated.
type resolved struct {
	Config
	mix    workload.Mix
	dist   workload.Distribution
	scan   workload.ScanLength
	keys   workload.KeyFormat
	values workload.ValueSize
	ops    int64 // 0: duration-bound only
	info   kvlab.EngineInfo
	// engineOptions are the engine's typed options, parsed from Settings.
	engineOptions any
}

func (c Config) resolve() (*resolved, error) {
	r := &resolved{Config: c}
	w := c.Workload
	if err := w.Validate(); err != nil {
		return nil, err
	}
	if c.Engine == "" {
		return nil, configErrorf("no engine given")
	}
	if c.OpenEngine == nil {
		info, err := kvlab.Lookup(c.Engine)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrConfig, err)
		}
		if r.engineOptions, err = info.Parse(c.Settings); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrConfig, err)
		}
		r.info = info
	} else {
		r.info = kvlab.EngineInfo{Name: c.Engine, Persistent: true}
	}
	switch {
	case c.Num < 0, c.Ops < 0:
		return nil, configErrorf("negative count (num %d, ops %d)", c.Num, c.Ops)
	case c.Duration < 0, c.Warmup < 0:
		return nil, configErrorf("negative duration")
	case c.Threads < 0:
		return nil, configErrorf("negative thread count %d", c.Threads)
	case c.LoadBatch < 0:
		return nil, configErrorf("negative load batch %d", c.LoadBatch)
	case c.Compressibility < 0 || c.Compressibility > 1:
		return nil, configErrorf("compressibility %g: want a fraction in (0, 1]", c.Compressibility)
	}
	if c.Device != nil {
		if c.OpenEngine != nil || r.info.Peer {
			return nil, configErrorf("device %s: %s does its own file I/O, outside vfs, which the simulated device cannot see", c.Device.Name, c.Engine)
		}
		if err := c.Device.Validate(); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrConfig, err)
		}
	}
	if c.Direct {
		switch {
		case c.Device != nil:
			return nil, configErrorf("direct I/O measures the real device: it does not combine with a simulated one (%s)", c.Device.Name)
		case c.OpenEngine != nil || r.info.Peer:
			return nil, configErrorf("direct I/O: %s does its own file I/O, outside vfs, which cannot open it with O_DIRECT", c.Engine)
		case c.FS != nil:
			return nil, configErrorf("direct I/O replaces the file system: it does not combine with Config.FS")
		}
	}
	if r.Num == 0 {
		r.Num = w.Records
	}
	if r.Num == 0 {
		r.Num = DefaultNum
	}
	r.ops = c.Ops
	if r.ops == 0 {
		r.ops = w.Operations
	}
	if r.ops == 0 && c.Duration == 0 {
		r.ops = r.Num
	}
	if r.Threads == 0 {
		r.Threads = 1
	}
	if r.KeySize == 0 {
		r.KeySize = workload.DefaultKeySize
		if c.KeyStyle == workload.KeyYCSB {
			r.KeySize = workload.YCSBKeySize
		}
	}
	r.keys = workload.KeyFormat{Size: r.KeySize, Hashed: w.HashedKeys, Style: c.KeyStyle}
	if c.HashedKeys != nil {
		r.keys.Hashed = *c.HashedKeys
	}
	if err := r.keys.Validate(); err != nil {
		return nil, err
	}
	switch c.Phases {
	case LoadOnly:
		if w.Load == workload.OrderNone {
			return nil, configErrorf("%s has no load phase: it writes its keys as it runs (run it whole)", w.Name)
		}
		if c.Dir == "" {
			return nil, configErrorf("a load phase alone needs a directory to leave the store in")
		}
	case RunOnly:
		if c.Dir == "" {
			return nil, configErrorf("a run phase alone needs the directory of an existing store")
		}
	}
	r.values = c.ValueSize
	if r.values.IsZero() {
		r.values = w.ValueSize
	}
	if r.values.IsZero() {
		r.values = workload.ValueSize{Min: workload.DefaultValueSize, Max: workload.DefaultValueSize}
	}
	if err := r.values.Validate(); err != nil {
		return nil, err
	}
	if r.Compressibility == 0 {
		r.Compressibility = workload.DefaultCompressibility
	}
	if r.LoadBatch == 0 {
		r.LoadBatch = DefaultLoadBatch
	}
	r.mix, _ = w.Mix.Normalized()
	r.dist = w.Distribution
	if c.Distribution != nil {
		if err := c.Distribution.Validate(); err != nil {
			return nil, err
		}
		r.dist = *c.Distribution
	}
	r.scan = w.ScanLength
	if !c.ScanLength.IsZero() {
		r.scan = c.ScanLength
	}
	if r.mix[workload.OpScan] > 0 && (r.scan.Min < 1 || r.scan.Max < r.scan.Min) {
		return nil, configErrorf("scan length %s: want 1 ≤ min ≤ max", r.scan)
	}
	if uint64(r.Num) >= 1<<62 {
		return nil, configErrorf("num %d is too large", r.Num)
	}
	if c := r.keys.Capacity(); c > 0 && uint64(r.Num)+uint64(r.ops) >= c {
		return nil, configErrorf("%d-byte YCSB keys spell %d key numbers, too few for %d records and %d operations: raise the key size", r.KeySize, c, r.Num, r.ops)
	}
	return r, nil
}

func (r *resolved) params() Params {
	mix := map[string]float64{}
	for op, p := range r.mix {
		mix[op.String()] = p
	}
	p := Params{
		Num: r.Num, Ops: r.ops, DurationSec: r.Duration.Seconds(), WarmupSec: r.Warmup.Seconds(),
		Threads: r.Threads, KeySize: r.KeySize, ValueSize: r.values.String(),
		Compressibility: r.Compressibility, Distribution: r.dist.String(), Mix: mix,
		HashedKeys: r.keys.Hashed, Sync: r.Sync, LoadBatch: r.LoadBatch, Seed: r.Seed,
		Phase: r.Phases.String(), Steady: r.Steady,
	}
	if r.keys.Style != workload.KeyBinary {
		p.KeyFormat = r.keys.Style.String()
	}
	if r.mix[workload.OpScan] > 0 {
		p.ScanLength = r.scan.String()
	}
	return p
}

// Run runs the benchmark: it opens the engine, runs the workload's load
// phase and then its run phase, closes the engine and returns the figures.
// A bad configuration returns a nil Result and an error matching
// ErrConfig. An engine error, or ctx being cancelled, stops the run: Run
// then returns the Result with the figures measured so far and the error.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	rc, err := cfg.resolve()
	if err != nil {
		return nil, err
	}
	res := &Result{
		Engine: rc.Engine, Workload: rc.Workload.Name, Persistent: rc.info.Persistent, Peer: rc.info.Peer,
		Settings: maps.Clone(rc.Settings), Sweep: maps.Clone(rc.Sweep), Params: rc.params(), Start: time.Now(),
	}
	dir := rc.Dir
	if rc.Phases == RunOnly {
		if _, err := os.Stat(dir); err != nil {
			return nil, fmt.Errorf("%w: existing store: %w", ErrConfig, err)
		}
	}
	if dir == "" {
		if dir, err = os.MkdirTemp("", "kvlab-bench-"); err != nil {
			return nil, fmt.Errorf("bench: temporary directory: %w", err)
		}
		defer os.RemoveAll(dir)
	}
	var dev deviceFS
	var devDesc string
	if rc.Device != nil && rc.info.Persistent {
		base := rc.FS
		if base == nil {
			base = vfs.Default
		}
		d := vfs.NewDevice(base, *rc.Device)
		rc.FS, dev, devDesc = d, d, d.Model().String()
	}
	if rc.Direct && rc.info.Persistent {
		probe := dir
		if _, err := os.Stat(dir); err != nil {
			probe = filepath.Dir(dir) // a store Run creates
		}
		d, err := vfs.NewDirect(probe)
		if err != nil {
			return nil, fmt.Errorf("bench: %w", err)
		}
		rc.FS, dev, devDesc = d, d, d.String()
	}
	var rec *timeline.Recorder
	if rc.Timeline {
		rec = timeline.NewRecorder(rc.Engine)
	}
	eng, err := rc.open(dir, rec)
	if err != nil {
		return nil, fmt.Errorf("bench: open %s in %s: %w", rc.Engine, dir, err)
	}
	stopSampling := func() {}
	if rec != nil {
		every := rc.TimelineEvery
		if every <= 0 {
			every = 100 * time.Millisecond
		}
		stopSampling = rec.Sample(eng.Stats, every)
	}
	if ps, ok := eng.(PartialStats); ok {
		res.Unreported = ps.UnreportedStats()
	}
	s := newRunState(rc, eng)
	s.dev, s.devDesc, s.direct = dev, devDesc, rc.Direct
	s.timeline = rec
	err = s.run(ctx, res)
	stopSampling()
	if rec != nil {
		res.Timeline = rec.Timeline()
	}
	if cerr := eng.Close(); cerr != nil && err == nil {
		err = fmt.Errorf("bench: close %s: %w", rc.Engine, cerr)
	}
	if err == nil && rc.Dir != "" && rc.info.Persistent && rc.OpenEngine == nil {
		if werr := WriteStoreParams(rc.Dir, s.storeParams()); werr != nil {
			err = werr
		}
	}
	switch {
	case err == nil:
	case errors.Is(err, context.Canceled) && ctx.Err() != nil:
		res.Error = Interrupted
	default:
		res.Error = err.Error()
	}
	return res, err
}

// Interrupted is the Result.Error of a run stopped by the cancellation of
// its context (a Ctrl-C): its phases hold the figures measured until then.
const Interrupted = "interrupted"

// Interrupted reports whether the run was stopped by the cancellation of
// its context.
func (r *Result) Interrupted() bool { return r.Error == Interrupted }

// open opens the engine in dir; rec, if set, listens to its events.
func (r *resolved) open(dir string, rec *timeline.Recorder) (kv.Engine, error) {
	if r.OpenEngine != nil {
		return r.OpenEngine(dir)
	}
	o := kvlab.Options{FS: r.FS, Engine: r.engineOptions}
	if rec != nil {
		o.EventListener = rec.Listener()
	}
	return kvlab.Open(r.Engine, dir, o)
}

// run runs the phases into res.
func (s *runState) run(ctx context.Context, res *Result) error {
	if s.cfg.Phases == RunOnly {
		// The store holds the key numbers [0, Num), as after a load.
		s.inserted.Store(uint64(s.cfg.Num))
		s.live.Store(s.cfg.Num)
	} else if s.cfg.Workload.Load != workload.OrderNone {
		s.mark("load")
		ph, err := s.phase(ctx, "load")
		res.Load = ph
		if err != nil {
			return fmt.Errorf("bench: %s %s load phase: %w", s.cfg.Engine, s.cfg.Workload.Name, err)
		}
		if s.cfg.Phases == LoadOnly {
			return nil
		}
	}
	if s.cfg.Steady {
		s.mark("steady")
		st, err := s.steady(ctx)
		res.Steady = st
		if err != nil {
			return fmt.Errorf("bench: %s %s steady state: %w", s.cfg.Engine, s.cfg.Workload.Name, err)
		}
	}
	s.mark("run")
	ph, err := s.phase(ctx, "run")
	res.Run = ph
	if err != nil {
		return fmt.Errorf("bench: %s %s: %w", s.cfg.Engine, s.cfg.Workload.Name, err)
	}
	return nil
}

// mark records the start of a phase in the timeline, if one is recorded.
func (s *runState) mark(phase string) {
	if s.timeline != nil {
		s.timeline.Mark(phase)
	}
}

// isNotFound reports whether err is the contract's "no such key".
func isNotFound(err error) bool { return errors.Is(err, kv.ErrNotFound) }

// ErrConfig is matched (with errors.Is) by every error that reports a bad
// benchmark configuration: an unknown workload or distribution, a bad size
// or count, an impossible combination. It is workload.ErrConfig, so errors
// of either package match it. The CLI maps it to a usage error.
var ErrConfig = workload.ErrConfig

func configErrorf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrConfig}, args...)...)
}
