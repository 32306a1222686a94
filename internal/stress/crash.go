package stress

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"time"
)

// childMsg is one line a child writes to its stdout for the parent.
type childMsg struct {
	Opening   bool             `json:"opening,omitempty"`
	Ready     bool             `json:"ready,omitempty"`
	Ops       map[string]int64 `json:"ops,omitempty"`
	Violation *Violation       `json:"violation,omitempty"`
	Error     string           `json:"error,omitempty"`
}

// runCrash is the parent of a crash run: start a child on the store, kill
// it with SIGKILL at a random moment, reopen the store, verify it, make
// what it holds the new baseline, and again, until the duration or the
// cycle count is reached or a cycle finds a violation.
func runCrash(cfg *Config, rng *rand.Rand, rep *Report, s *sink) error {
	out := s.out
	// Create the store here, so that options the engine refuses fail the
	// run at once rather than in every child.
	db, err := cfg.open()
	if err != nil {
		return err
	}
	if err := db.Close(); err != nil {
		return fmt.Errorf("close: %w", err)
	}
	start := time.Now()
	openTime := 20 * time.Millisecond // the time a child takes to open the store, as last seen
	for cycle := 1; ; cycle++ {
		if cfg.Cycles > 0 && cycle > cfg.Cycles || cfg.Duration > 0 && time.Since(start) >= cfg.Duration {
			return nil
		}
		before := s.count()
		k, err := runChild(cfg, cycle, rng, &openTime, rep, s)
		if err != nil {
			return fmt.Errorf("cycle %d: %w", cycle, err)
		}
		rep.Cycles++
		if k.duringOpen {
			rep.KilledDuringOpen++
		}
		verifyStart := time.Now()
		if err := verifyAfterCrash(cfg, cycle, rep, s); err != nil {
			return fmt.Errorf("cycle %d: %w", cycle, err)
		}
		when := fmt.Sprintf("while running (open took %v)", k.open.Round(time.Millisecond))
		if k.duringOpen {
			when = "during open"
		}
		fmt.Fprintf(out, "cycle %d: killed %s after %v, %d ops; %d keys verified in %v, %d violations\n",
			cycle, when, k.after.Round(time.Millisecond), k.ops, cfg.Keys,
			time.Since(verifyStart).Round(time.Millisecond), s.count()-before)
		if s.count() > before {
			return nil
		}
	}
}

// kill describes one child's end.
type kill struct {
	after      time.Duration // since the child started
	open       time.Duration // the time the child took to open the store
	duringOpen bool          // before the child reported the store open
	ops        int64
}

// openLimit bounds the time a child may take to open the store.
const openLimit = time.Minute

// runChild starts a child, kills it and collects what it reported.
func runChild(cfg *Config, cycle int, rng *rand.Rand, openTime *time.Duration, rep *Report, s *sink) (kill, error) {
	cmd := cfg.ChildCommand(cfg.Dir, rng.Uint64())
	var stderr bytes.Buffer
	cmd.Stderr = &limitedWriter{w: &stderr, n: 16 << 10}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return kill{}, fmt.Errorf("child: %w", err)
	}
	started := time.Now()
	if err := cmd.Start(); err != nil {
		return kill{}, fmt.Errorf("child: %w", err)
	}
	msgs := make(chan childMsg, 64)
	go readChild(stdout, msgs)

	// One kill in five aims at the child's open (and recovery) of the
	// store: at a random moment within the time the last open took, from
	// when the child says it is opening. The others come at a random
	// moment of its run.
	var timer <-chan time.Time
	early := rng.IntN(5) == 0
	var k kill
	var opening time.Time
	ready := false
	var ops map[string]int64
	var childErr string
	handle := func(m childMsg) {
		switch {
		case m.Opening:
			opening = time.Now()
		case m.Ready:
			ready = true
			k.open = time.Since(opening)
			*openTime = k.open
		case m.Ops != nil:
			ops = m.Ops
		case m.Violation != nil:
			v := *m.Violation
			v.Cycle = cycle
			s.add(v)
		case m.Error != "":
			childErr = m.Error
		}
	}
	// A child that has not opened the store after openLimit is hung in
	// recovery: that is a violation, and it is killed.
	stuck := time.After(openLimit)
	killed := false
	for !killed {
		select {
		case <-stuck:
			if !ready {
				s.add(Violation{Cycle: cycle, Where: "child open", Expected: fmt.Sprintf("the store open within %v", openLimit), Found: "still opening"})
				timer = time.After(0)
			}
		case m, ok := <-msgs:
			if !ok {
				cmd.Wait()
				return k, fmt.Errorf("the child ended before it was killed: %s%s", childErr, tail(stderr.String()))
			}
			handle(m)
			if m.Opening && early {
				timer = time.After(time.Duration(rng.Int64N(int64(*openTime*5/4) + 1)))
			}
			if m.Ready && !early {
				timer = time.After(time.Duration(rng.Int64N(int64(2*cfg.CrashEvery) + 1)))
			}
		case <-timer:
			cmd.Process.Kill()
			k.after = time.Since(started)
			k.duringOpen = !ready
			killed = true
		}
	}
	for m := range msgs {
		handle(m)
	}
	cmd.Wait()
	if childErr != "" {
		return k, fmt.Errorf("child failed: %s%s", childErr, tail(stderr.String()))
	}
	for name, n := range ops {
		rep.Ops[name] += n
		k.ops += n
	}
	return k, nil
}

// readChild decodes the child's stdout lines until it closes. A line cut
// short by the kill is dropped.
func readChild(r io.Reader, msgs chan<- childMsg) {
	defer close(msgs)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var m childMsg
		if json.Unmarshal(sc.Bytes(), &m) == nil {
			msgs <- m
		}
	}
}

// verifyAfterCrash reopens the store (recovering it), verifies it against
// the expected state and rebases the expected state on what it holds.
func verifyAfterCrash(cfg *Config, cycle int, rep *Report, s *sink) error {
	exp, err := openExpected(cfg.statePath())
	if err != nil {
		return err
	}
	defer exp.close()
	db, err := cfg.open()
	if err != nil {
		s.add(Violation{Cycle: cycle, Where: "reopen", Expected: "the store to reopen after the kill", Found: err.Error()})
		return nil
	}
	v, err := verifyStore(db, exp, false, cycle, s)
	if err != nil {
		db.Close()
		return err
	}
	rep.Verified += int64(exp.keys)
	lost, inFlight := v.outcomes(exp)
	rep.LostUnsynced += lost
	rep.InFlightSurvived += inFlight
	if err := db.Close(); err != nil {
		s.add(Violation{Cycle: cycle, Where: "close", Expected: "Close to succeed", Found: err.Error()})
		return nil
	}
	return exp.rebase(v)
}

// RunChild is the child process of a crash run: it opens the store in dir
// with the run's settings (dir/run.json) and runs the workers with the
// given seed until it is killed. It reports to out, one JSON object per
// line: when it starts opening the store, when the store is open, its
// operation counts every 10ms and every violation it finds. It returns
// only on failure, or if nobody kills it in time (the parent died).
func RunChild(dir string, seed uint64, out io.Writer) error {
	cfg, err := readRunFile(dir)
	if err != nil {
		return err
	}
	var mu sync.Mutex
	enc := json.NewEncoder(out)
	emit := func(m childMsg) {
		mu.Lock()
		defer mu.Unlock()
		enc.Encode(m)
	}
	fail := func(err error) error {
		emit(childMsg{Error: err.Error()})
		return err
	}
	exp, err := openExpected(cfg.statePath())
	if err != nil {
		return fail(err)
	}
	defer exp.close()
	emit(childMsg{Opening: true})
	db, err := cfg.open()
	if err != nil {
		return fail(err)
	}
	emit(childMsg{Ready: true})
	s := &sink{forward: func(v Violation) { emit(childMsg{Violation: &v}) }}
	r := newRunner(&cfg, db, exp, s, 0)
	done := make(chan struct{})
	go func() {
		deadline := time.After(time.Minute + 10*cfg.CrashEvery)
		tick := time.NewTicker(emitEvery)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				emit(childMsg{Ops: r.counts()})
			case <-deadline:
				r.fail(fmt.Errorf("not killed within %v: is the parent gone?", time.Minute+10*cfg.CrashEvery))
				return
			}
		}
	}()
	err = r.run(seed)
	close(done)
	db.Close()
	return fail(err)
}

// limitedWriter keeps the first n bytes written to it.
type limitedWriter struct {
	w io.Writer
	n int
}

func (l *limitedWriter) Write(p []byte) (int, error) {
	if l.n > 0 {
		q := p[:min(len(p), l.n)]
		l.n -= len(q)
		l.w.Write(q)
	}
	return len(p), nil
}

// tail formats a child's stderr for an error message.
func tail(s string) string {
	if s == "" {
		return ""
	}
	return "; stderr: " + s
}
