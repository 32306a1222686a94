package bench

import (
	"time"

	"github.com/kvlab/kvlab/bench/workload"
)

// GroupedWrites is implemented by an engine whose single Puts and Deletes
// only buffer into a group that a later write commits, such as the bbolt
// adapter (bench/peers), which commits every batch-size writes in one
// transaction. Most such writes cost a map insert; the one that fills the
// group waits for the whole commit. The latency of those operations is
// therefore not comparable with an engine that commits each write, and
// the report marks it (OpResult.Buffered) and gives the commits' own
// figures (Phase.Commits).
type GroupedWrites interface {
	// WriteGroup returns how many single writes one commit takes; 1 means
	// each write commits alone.
	WriteGroup() int
	// Commits returns the commits so far and the time they took.
	Commits() (n int64, total time.Duration)
}

// Commits are the commits of an engine with GroupedWrites during a phase.
type Commits struct {
	// Group is how many single writes one commit takes (the engine's
	// WriteGroup).
	Group int `json:"group"`
	// Count is the commits of the phase; MicrosPerCommit their mean time.
	Count           int64   `json:"count"`
	MicrosPerCommit float64 `json:"micros_per_commit"`
	// WritesPerCommit is the phase's buffered writes per commit.
	WritesPerCommit float64 `json:"writes_per_commit"`
}

// writeGroup returns the engine's write group, 0 when its single writes
// are not buffered (or the run syncs each write, which commits it).
func (s *runState) writeGroup() int {
	g, ok := s.eng.(GroupedWrites)
	if !ok || s.cfg.Sync || g.WriteGroup() <= 1 {
		return 0
	}
	return g.WriteGroup()
}

// commits returns the engine's commits so far (zero without grouped writes).
func (s *runState) commits() (int64, time.Duration) {
	if s.writeGroup() == 0 {
		return 0, 0
	}
	return s.eng.(GroupedWrites).Commits()
}

// buffered reports whether an operation of the run phase is a single write
// the engine only buffers.
func buffered(op workload.Op) bool {
	switch op {
	case workload.OpUpdate, workload.OpInsert, workload.OpDelete, workload.OpReadModifyWrite:
		return true
	}
	return false
}

// measureCommits marks the phase's buffered operations and fills
// ph.Commits from the phase's n commits, which took d.
func (s *runState) measureCommits(ph *Phase, n int64, d time.Duration) {
	g := s.writeGroup()
	if g == 0 {
		return
	}
	c := &Commits{Group: g, Count: n}
	var writes int64
	for i := range ph.ByOp {
		if op, ok := workload.OpByName(ph.ByOp[i].Op); ok && buffered(op) {
			ph.ByOp[i].Buffered = true
			writes += ph.ByOp[i].Count
		}
	}
	if writes == 0 {
		return // nothing buffered: the load's batches commit as they come
	}
	if c.Count > 0 {
		c.MicrosPerCommit = d.Seconds() * 1e6 / float64(c.Count)
		c.WritesPerCommit = float64(writes) / float64(c.Count)
	}
	ph.Commits = c
}
