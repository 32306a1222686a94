package bench

import (
	"context"
	"fmt"
	"time"

	"github.com/kvlab/kvlab/bench/workload"
	"github.com/kvlab/kvlab/kv"
)

// Steady-state bounds (Config.Steady): the overwrite writes at least
// steadyMinRounds (an LSM steadyMinRoundsLSM) and at most steadyMaxRounds
// times the live data, and wants steadyCheckpoints B+tree checkpoints.
//
// An LSM needs more rewrites than a B+tree: the first fills its levels
// (mostly by moving the load's tables down), the next ones start the
// compactions of the deeper levels, which run in cycles as long as a level
// takes to fill. compaction.Simulate of the engine's policy on the labs'
// shapes (a store of 13 MiB of tables, memtables of 0.3–2.4 MiB, L1 of
// 1–5.5 MiB, ratios 2–10) gives a write amplification 10–35 % below the
// long-run figure in each of the first rewrites; from the fourth on, a
// single rewrite swings with the compaction cycles (up to ±40 % when the
// memtables are large) but the average is the long-run figure. Hence three
// rewrites before the measured phase, and labs measure one or more. A B+tree's pages are all copied within one rewrite, and its
// cycle is a checkpoint.
const (
	steadyMinRounds    = 1.0
	steadyMinRoundsLSM = 3.0
	steadyMaxRounds    = 8.0
	steadyCheckpoints  = 3
	// settleTimeout bounds the wait for background work.
	settleTimeout = 30 * time.Second
)

// SteadyState describes how a run with Config.Steady reached the steady
// state before its measured phase, and what that phase covered.
type SteadyState struct {
	// Reached says whether the store got there within steadyMaxRounds
	// overwrites of the data; Why says what was missing when not.
	Reached bool   `json:"reached"`
	Why     string `json:"why,omitempty"`
	// OverwrittenBytes is the user bytes the overwrite wrote; Rounds that
	// over the live bytes; Seconds its time (not measured).
	OverwrittenBytes int64   `json:"overwritten_bytes"`
	Rounds           float64 `json:"rounds"`
	Seconds          float64 `json:"seconds"`
	// TargetLevels is the LSM levels below L0 the cost model expects of
	// the store; Levels the levels holding tables when the measured phase
	// began.
	TargetLevels int `json:"target_levels,omitempty"`
	Levels       int `json:"levels,omitempty"`
	// Compactions and Checkpoints are those of the overwrite.
	Compactions int64 `json:"compactions,omitempty"`
	Checkpoints int64 `json:"checkpoints,omitempty"`
}

// lsmLevels returns the levels below L0 that hold tables.
func lsmLevels(st kv.Stats) int {
	if st.LSM == nil {
		return 0
	}
	n := 0
	for _, l := range st.LSM.Levels {
		if l.Level > 0 && l.Files > 0 {
			n++
		}
	}
	return n
}

// steady overwrites random existing keys until the store is in its steady
// state: every key rewritten at least once on average, an LSM spread over
// the levels its cost model expects (or over levels that stopped growing
// for a whole round of overwrites) with compactions under way and the
// data overwritten steadyMinRoundsLSM times, a B+tree
// checkpointed steadyCheckpoints times. Then it waits for background work.
func (s *runState) steady(ctx context.Context) (*SteadyState, error) {
	cfg := s.cfg
	st := &SteadyState{}
	start := time.Now()
	before := s.eng.Stats()
	live := int64(float64(s.live.Load()) * (float64(cfg.KeySize) + cfg.values.Mean()))
	if live <= 0 {
		return nil, nil
	}
	if m := s.predict(&Phase{Name: "run", LiveBytes: live, Stats: before}); m != nil && before.LSM != nil {
		st.TargetLevels = m.Levels
	}
	r := workload.NewRNG(cfg.Seed, 0xfeed)
	vals := workload.NewValueGen(s.values, cfg.Seed, 0xfeed, cfg.values)
	key := make([]byte, cfg.KeySize)
	var b kv.Batch
	keys := s.existing()
	check := max(live/64, 64<<10) // bytes between looks at the engine's figures
	next := check
	// levelsAt[i] is the levels holding tables when the overwrite had
	// written i times the data: a shape that stopped growing for a whole
	// round is steady even short of the model's level count (compression
	// makes the tables smaller than the model's bytes).
	levelsAt := map[int]int{}
	for {
		if err := ctx.Err(); err != nil {
			return st, err
		}
		b.Reset()
		for range cfg.LoadBatch {
			cfg.keys.Encode(key, r.Uint64n(keys))
			b.Put(key, vals.Next())
		}
		if err := s.eng.Write(&b, kv.WriteOptions{}); err != nil {
			return st, err
		}
		st.OverwrittenBytes += b.UserBytes()
		if st.OverwrittenBytes < next {
			continue
		}
		next += check
		now := s.eng.Stats()
		st.Rounds = float64(st.OverwrittenBytes) / float64(live)
		st.Levels = lsmLevels(now)
		if now.LSM != nil && before.LSM != nil {
			st.Compactions = now.LSM.Compactions - before.LSM.Compactions
		}
		if now.BTree != nil && before.BTree != nil {
			st.Checkpoints = now.BTree.Checkpoints - before.BTree.Checkpoints
		}
		round := int(st.Rounds)
		if _, ok := levelsAt[round]; !ok {
			levelsAt[round] = st.Levels
		}
		stable := round >= 2 && levelsAt[round-1] == st.Levels
		why := ""
		switch {
		case st.Rounds < steadyMinRounds:
			why = fmt.Sprintf("overwrote %.1f× the data, want %.0f×", st.Rounds, steadyMinRounds)
		case now.LSM != nil && st.Levels < st.TargetLevels && !stable:
			why = fmt.Sprintf("%d levels hold tables, the model expects %d", st.Levels, st.TargetLevels)
		case now.LSM != nil && st.Compactions == 0:
			why = "no compaction ran"
		case now.LSM != nil && st.Rounds < steadyMinRoundsLSM:
			why = fmt.Sprintf("overwrote %.1f× the data, an LSM wants %.0f×", st.Rounds, steadyMinRoundsLSM)
		case now.BTree != nil && st.Checkpoints < steadyCheckpoints:
			why = fmt.Sprintf("%d checkpoints, want %d", st.Checkpoints, steadyCheckpoints)
		}
		if why == "" {
			st.Reached = true
			break
		}
		if st.Rounds >= steadyMaxRounds {
			st.Why = why
			break
		}
	}
	if err := s.eng.Sync(); err != nil {
		return st, err
	}
	s.settle(ctx)
	st.Levels = lsmLevels(s.eng.Stats())
	st.Seconds = time.Since(start).Seconds()
	return st, nil
}

// settle waits until the engine's background work is done: no immutable
// memtable waits for its flush, no level wants a compaction, and the
// compaction count has stopped moving (at most settleTimeout). Engines
// without LSM figures have none to wait for.
func (s *runState) settle(ctx context.Context) {
	deadline := time.Now().Add(settleTimeout)
	last := int64(-1)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		st := s.eng.Stats()
		if st.LSM == nil {
			return
		}
		quiet := st.LSM.ImmutableMemtables == 0 && st.LSM.Compactions == last
		for _, l := range st.LSM.Levels {
			if l.Score >= 1 {
				quiet = false
			}
		}
		if quiet {
			return
		}
		last = st.LSM.Compactions
		time.Sleep(50 * time.Millisecond)
	}
}

// Background counts the background work a phase covered: LSM flushes and
// compactions, B+tree checkpoints (kv.Stats keeps these as totals since
// open; these are the phase's), and the LSM levels holding tables at its
// end.
type Background struct {
	Flushes     int64 `json:"flushes,omitempty"`
	Compactions int64 `json:"compactions,omitempty"`
	Checkpoints int64 `json:"checkpoints,omitempty"`
	Levels      int   `json:"levels,omitempty"`
}

// backgroundOf returns the background work between two snapshots, nil for
// an engine that reports none.
func backgroundOf(before, after kv.Stats) *Background {
	switch {
	case after.LSM != nil:
		b := &Background{Flushes: after.LSM.Flushes, Compactions: after.LSM.Compactions, Levels: lsmLevels(after)}
		if before.LSM != nil {
			b.Flushes -= before.LSM.Flushes
			b.Compactions -= before.LSM.Compactions
		}
		return b
	case after.BTree != nil:
		b := &Background{Checkpoints: after.BTree.Checkpoints}
		if before.BTree != nil {
			b.Checkpoints -= before.BTree.Checkpoints
		}
		return b
	}
	return nil
}
