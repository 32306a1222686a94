package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/kvlab/kvlab"
	"github.com/kvlab/kvlab/bench/workload"
)

// Plan is a whole benchmark: several engines through several workloads,
// each run repeated Count times on a fresh store, or one engine through one
// workload at each point of a sweep. `kvlab bench` and `kvlab sweep` are
// thin layers over it.
//
// Runs of one workload interleave the engines (lsm, btree, lsm, btree, …
// with Count 2), so that a drift of the machine during the plan hits every
// engine alike. After each workload the plan measures the harness's own
// cost per operation on it (MeasureOverhead) and records it in every result
// of that workload (Result.HarnessNsPerOp).
type Plan struct {
	// Config is the template of every run: Engine, Workload, Settings,
	// Dir and Sweep are set per run; a zero Num takes the workload's
	// record count, else the plan's DefaultNum.
	Config Config
	// Engines are the registered engines to run.
	Engines []string
	// Workloads are run one after the other.
	Workloads []workload.Workload
	// Labels, if set, label the results of Workloads[i] as the point
	// Labels[i] of a sweep over workloads (Result.Sweep): a read-fraction
	// sweep runs variants of one workload, each engine at each.
	Labels []map[string]string
	// Settings are each engine's options by knob name, keyed by engine.
	Settings map[string]map[string]string
	// Points, if set, makes the plan a sweep: Engines[0] through
	// Workloads[0] once per point, with the point's Settings (which
	// replace Settings) and Sweep label.
	Points []SweepPoint
	// DefaultNum is the record count of a run whose Config.Num is zero and
	// whose workload sets none; 0 means DefaultNum.
	DefaultNum int64
	// Count repeats each engine and workload; 0 means 1.
	Count int
	// Root is the directory in which each run gets a new directory of its
	// own, removed after the run unless Keep.
	Root string
	// Keep leaves the stores in Root.
	Keep bool
	// Store, if set, is the one store every run uses, in place of a new
	// directory in Root: the store a load-only plan leaves (Config.Phases
	// LoadOnly) or a run-only plan runs on (RunOnly). It is never removed.
	Store string
	// SkipOverhead skips measuring the harness's cost per operation.
	SkipOverhead bool
}

// SweepPoint is one point of a sweep: the engine's settings there and the
// label of the swept values ("lsm.bloom-bits" -> "10").
type SweepPoint struct {
	Settings map[string]string
	Label    map[string]string
}

// Run runs the plan and returns the results in the order they ran. It
// stops at the first run that fails and returns the results so far with
// that error; an error matching ErrConfig means the plan itself was
// wrong (a bad setting or workload), anything else that a run failed.
func (p *Plan) Run(ctx context.Context) ([]*Result, error) {
	if len(p.Engines) == 0 || len(p.Workloads) == 0 {
		return nil, configErrorf("a plan needs an engine and a workload")
	}
	if len(p.Points) > 0 {
		return p.runSweep(ctx)
	}
	count := max(p.Count, 1)
	var results []*Result
	for i, w := range p.Workloads {
		first := len(results)
		for rep := range count * len(p.Engines) {
			e := p.Engines[rep%len(p.Engines)]
			c := p.config(e, w, p.Settings[e])
			if i < len(p.Labels) {
				c.Sweep = p.Labels[i]
			}
			name := fmt.Sprintf("%s-%s-%d", e, w.Name, rep/len(p.Engines))
			if len(p.Labels) > 0 {
				name = fmt.Sprintf("%s-%s-p%d-%d", e, w.Name, i, rep/len(p.Engines))
			}
			res, err := p.runOne(ctx, c, name)
			if res != nil {
				results = append(results, res)
			}
			if err != nil {
				return results, err
			}
		}
		p.harness(ctx, w, results[first:])
	}
	return results, nil
}

// runSweep runs Engines[0] through Workloads[0] at each point.
func (p *Plan) runSweep(ctx context.Context) ([]*Result, error) {
	e, w := p.Engines[0], p.Workloads[0]
	var results []*Result
	for i, pt := range p.Points {
		c := p.config(e, w, pt.Settings)
		c.Sweep = pt.Label
		res, err := p.runOne(ctx, c, fmt.Sprintf("point-%d", i))
		if res != nil {
			results = append(results, res)
		}
		if err != nil {
			return results, err
		}
	}
	return results, nil
}

// config is the template with one run's engine, workload and settings.
func (p *Plan) config(engine string, w workload.Workload, settings map[string]string) Config {
	c := p.Config
	c.Engine, c.Workload, c.Settings = engine, w, settings
	if c.Num == 0 && w.Records == 0 {
		c.Num = orDefault(p.DefaultNum, DefaultNum)
	}
	return c
}

// runOne runs c on a store in the new directory Root/name, removed
// afterwards unless Keep. The result holds the figures so far even on
// error.
func (p *Plan) runOne(ctx context.Context, c Config, name string) (*Result, error) {
	if p.Store != "" {
		c.Dir = p.Store
		return Run(ctx, c)
	}
	dir := filepath.Join(p.Root, name)
	if err := os.Mkdir(dir, 0o755); err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	c.Dir = dir
	res, err := Run(ctx, c)
	if !p.Keep {
		os.RemoveAll(dir)
	}
	return res, err
}

// overheadCap bounds the records and operations of an overhead run.
const overheadCap = 200_000

// harness measures the harness's cost per operation on w (best of three
// runs of at most overheadCap operations with one client against a no-op
// engine) and records it in rs. A failure to measure it leaves the figure
// at zero, which the reports omit.
func (p *Plan) harness(ctx context.Context, w workload.Workload, rs []*Result) {
	if p.SkipOverhead || len(rs) == 0 || ctx.Err() != nil || p.Config.Phases == LoadOnly {
		return
	}
	c := p.config("", w, nil)
	c.Phases, c.HashedKeys = BothPhases, nil
	c.Threads = 1
	c.Duration, c.Warmup = 0, 0
	c.Progress = nil
	c.Num = min(orDefault(c.Num, w.Records), overheadCap)
	c.Ops = min(orDefault(c.Ops, orDefault(w.Operations, c.Num)), overheadCap)
	best := 0.0
	for range 3 {
		ns, err := MeasureOverhead(ctx, c)
		if err != nil {
			return
		}
		if best == 0 || ns < best {
			best = ns
		}
	}
	for _, r := range rs {
		r.HarnessNsPerOp = best
	}
}

func orDefault(v, def int64) int64 {
	if v > 0 {
		return v
	}
	return def
}

// SmallRunNum is the record count of `kvlab bench` with no --num: large
// enough that, with FairSizing, the LSM flushes many times and compacts
// into L1 and the B+tree checkpoints and is several levels deep; small
// enough that the default run takes about a minute on two cores.
const SmallRunNum = 400_000

// Check looks up every engine of the plan and parses its settings (each
// point's, in a sweep) with the registry, so that an unknown engine, an
// unknown option or a bad value is reported before anything runs. Its
// errors match kvlab.ErrUnknownEngine, kvlab.ErrUnknownOption or
// kvlab.ErrBadOption.
func (p *Plan) Check() error {
	for i, e := range p.Engines {
		info, err := kvlab.Lookup(e)
		if err != nil {
			return err
		}
		if len(p.Points) > 0 && i == 0 {
			for _, pt := range p.Points {
				if _, err := info.Parse(pt.Settings); err != nil {
					return err
				}
			}
			continue
		}
		if _, err := info.Parse(p.Settings[e]); err != nil {
			return err
		}
	}
	return nil
}
