package stress

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"time"
)

// Run runs a stress test as cfg says: in this process, or with CrashEvery
// in child processes killed with SIGKILL. It returns the report; the run
// failed if the report has violations. An error means the run could not
// be carried out (a bad Config, an engine error on a write, a child that
// died on its own).
func Run(cfg Config) (*Report, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if ents, err := os.ReadDir(cfg.Dir); err == nil && len(ents) > 0 {
		return nil, fmt.Errorf("%w: directory %s is not empty", ErrConfig, cfg.Dir)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("stress: %w", err)
	}
	if err := os.MkdirAll(cfg.storePath(), 0o755); err != nil {
		return nil, fmt.Errorf("stress: %w", err)
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x5eed))
	cfg.Settings = randomSettings(cfg.Engine, rng, cfg.Settings)
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	out := cfg.Out
	if out == nil {
		out = io.Discard
	}
	mode := "in-process"
	if cfg.CrashEvery > 0 {
		mode = fmt.Sprintf("kill -9 about every %v", cfg.CrashEvery)
	}
	fmt.Fprintf(out, "stress %s in %s: seed %d, %d threads, %d keys, %s\noptions: %s\n",
		cfg.Engine, cfg.Dir, cfg.Seed, cfg.Threads, cfg.Keys, mode, FormatSettings(cfg.Engine, cfg.Settings))
	exp, err := createExpected(cfg.statePath(), cfg.Keys, cfg.Threads)
	if err != nil {
		return nil, err
	}
	if err := cfg.writeRunFile(); err != nil {
		exp.close()
		return nil, err
	}
	rep := &Report{Engine: cfg.Engine, Settings: cfg.Settings, Seed: cfg.Seed, Ops: map[string]int64{}}
	s := &sink{out: out}
	if cfg.CrashEvery > 0 {
		exp.close()
		err = runCrash(&cfg, rng, rep, s)
	} else {
		err = runInProcess(&cfg, exp, rng.Uint64(), rep, s)
	}
	rep.Violations = s.list()
	return rep, err
}

// runInProcess runs the workers for the duration, closes the store,
// reopens it and verifies that it holds exactly what was acknowledged.
func runInProcess(cfg *Config, exp *expected, seed uint64, rep *Report, s *sink) (err error) {
	defer func() {
		if cerr := exp.close(); err == nil {
			err = cerr
		}
	}()
	db, err := cfg.open()
	if err != nil {
		return err
	}
	r := newRunner(cfg, db, exp, s, 0)
	stop := time.AfterFunc(cfg.Duration, func() { r.stop.Store(true) })
	runErr := r.run(seed)
	stop.Stop()
	for k, n := range r.counts() {
		rep.Ops[k] += n
	}
	if err := db.Close(); err != nil {
		s.add(Violation{Where: "close", Expected: "Close to succeed", Found: err.Error()})
	}
	if runErr != nil {
		return runErr
	}
	db, err = cfg.open()
	if err != nil {
		s.add(Violation{Where: "reopen", Expected: "the store to reopen", Found: err.Error()})
		return nil
	}
	if _, err := verifyStore(db, exp, true, 0, s); err != nil {
		db.Close()
		return err
	}
	rep.Verified += int64(exp.keys)
	if err := db.Close(); err != nil {
		s.add(Violation{Where: "close", Expected: "Close to succeed", Found: err.Error()})
	}
	return nil
}
