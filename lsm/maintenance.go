package lsm

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"slices"

	"github.com/kvlab/kvlab/internal/storedir"
	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/lsm/compaction"
	"github.com/kvlab/kvlab/lsm/manifest"
	"github.com/kvlab/kvlab/vfs"
	"github.com/kvlab/kvlab/wal"
)

var (
	_ kv.Flusher      = (*DB)(nil)
	_ kv.Compacter    = (*DB)(nil)
	_ kv.Checkpointer = (*DB)(nil)
)

// Flush implements kv.Flusher: it freezes the active memtable (if it holds
// anything) and returns once it and every older memtable are L0 tables.
// Writes go on meanwhile, into a new memtable.
func (db *DB) Flush() error {
	if db.closed.Load() {
		return kv.ErrClosed
	}
	if db.opts.ReadOnly {
		return errOpenedReadOnly
	}
	w := writerPool.Get().(*writer)
	*w = writer{flush: true, wake: w.wake}
	err := db.commitWriter(w)
	writerPool.Put(w)
	return err
}

// rotateForFlush is Flush's turn as commit leader: it rotates a non-empty
// memtable, and returns the newest memtable that must be flushed (nil when
// there is none).
func (db *DB) rotateForFlush() (*memTable, error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.mem.Empty() {
		if n := len(db.imms); n > 0 {
			return db.imms[n-1], nil
		}
		return nil, nil
	}
	for db.bgErr == nil && !db.closing && len(db.imms) >= db.opts.MaxImmutableMemtables {
		db.bgCond.Wait()
	}
	switch {
	case db.bgErr != nil:
		return nil, readOnlyErr(db.bgErr)
	case db.closing:
		return nil, kv.ErrClosed
	}
	old := db.mem
	if err := db.rotate(); err != nil {
		db.setBGErrLocked(err)
		return nil, readOnlyErr(err)
	}
	return old, nil
}

// waitFlushed waits until imm (and so every older memtable) is flushed.
func (db *DB) waitFlushed(imm *memTable) error {
	if imm == nil {
		return nil
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	for db.bgErr == nil && slices.Contains(db.imms, imm) {
		db.bgCond.Wait()
	}
	if db.bgErr != nil {
		return readOnlyErr(db.bgErr)
	}
	return nil
}

// manualCompaction is a Compact call's request to the compaction goroutine.
type manualCompaction struct {
	start, end []byte // the range, end exclusive; nil is open
	level      int    // the level compacted next
	bottom     int    // the level the range is compacted down to
	bottomDone bool   // the bottom level's range tombstones were compacted
	done       bool
	err        error
}

// Compact implements kv.Compacter: it flushes the memtables, then
// compacts the tables holding keys of [start, end) level by level down to
// the bottom level (the deepest holding any table, at least L1), so that
// the range's overwritten versions and deletion tombstones are dropped
// (except those open snapshots can see). Last, the bottom level's tables in
// the range that hold range tombstones (kept there earlier for a snapshot)
// are compacted into the bottom level again, which drops the tombstones and
// the keys they delete once no snapshot needs them. Background compactions wait
// meanwhile; writes go on.
func (db *DB) Compact(start, end []byte) error {
	if err := db.Flush(); err != nil {
		return err
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	for db.manual != nil && !db.closing {
		db.bgCond.Wait() // another Compact call goes first
	}
	if db.closing {
		return kv.ErrClosed
	}
	bottom := 1
	for l := len(db.version.Levels) - 1; l > 1; l-- {
		if len(db.version.Levels[l]) > 0 {
			bottom = l
			break
		}
	}
	m := &manualCompaction{start: start, end: end, bottom: bottom}
	db.manual = m
	db.bgCond.Broadcast()
	for !m.done && !db.closing {
		db.bgCond.Wait()
	}
	if !m.done {
		return kv.ErrClosed
	}
	return m.err
}

// pickManualLocked returns the next compaction of m, or nil when m is done.
// db.mu is held; no other compaction runs.
func (db *DB) pickManualLocked(m *manualCompaction) *compaction.Compaction {
	v := db.version
	for ; m.level < m.bottom; m.level++ {
		var inputs []*manifest.TableMeta
		if m.level == 0 {
			// Every L0 table: they may overlap one another, and a
			// newer version must not move below an older one.
			inputs = slices.Clone(v.Levels[0])
		} else {
			for _, t := range v.Levels[m.level] {
				if (m.end == nil || bytes.Compare(t.SmallestUser(), m.end) < 0) &&
					(m.start == nil || bytes.Compare(t.LargestUser(), m.start) >= 0) {
					inputs = append(inputs, t)
				}
			}
		}
		if len(inputs) > 0 {
			return db.picker.Range(v, m.level, inputs)
		}
	}
	if !m.bottomDone {
		m.bottomDone = true
		return db.bottomRangeDelCompaction(v, m)
	}
	return nil
}

// bottomRangeDelCompaction returns the job that rewrites, within the
// bottom level, the run of m's tables from the first to the last holding
// a range tombstone (a contiguous run, so that the outputs cannot overlap
// a table left out), or nil when none does.
func (db *DB) bottomRangeDelCompaction(v *manifest.Version, m *manualCompaction) *compaction.Compaction {
	tables := v.Levels[m.bottom]
	first, last := -1, -1
	for i, t := range tables {
		if (m.end != nil && bytes.Compare(t.SmallestUser(), m.end) >= 0) ||
			(m.start != nil && bytes.Compare(t.LargestUser(), m.start) < 0) {
			continue
		}
		if s, err := db.tableRangeDels(t); err == nil && s.Len() > 0 {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if first < 0 {
		return nil
	}
	inputs := slices.Clone(tables[first : last+1])
	return &compaction.Compaction{Level: m.bottom, OutputLevel: m.bottom, Inputs: inputs,
		Smallest: inputs[0].SmallestUser(), Largest: inputs[len(inputs)-1].LargestUser()}
}

// Checkpoint implements kv.Checkpointer: it flushes the memtables, then
// makes destDir a store of its own holding the tables of the current
// version — hard links where the file system can make them (tables are
// immutable), copies otherwise — with a manifest describing them and an
// empty WAL. It holds every write acknowledged before the call; writes go
// on meanwhile and are not in it, or are as a prefix. destDir must not exist
// or be empty; it is created.
func (db *DB) Checkpoint(destDir string) error {
	return db.note.CheckpointCopy(destDir, db.checkpointTo)
}

// checkpointTo is Checkpoint without the events.
func (db *DB) checkpointTo(destDir string) error {
	if err := db.Flush(); err != nil {
		return err
	}
	names, err := db.fs.List(destDir)
	switch {
	case errors.Is(err, vfs.ErrNotExist):
		if err := db.fs.MkdirAll(destDir); err != nil {
			return fmt.Errorf("lsm: checkpoint: %w", err)
		}
	case err != nil:
		return fmt.Errorf("lsm: checkpoint: %w", err)
	case len(names) > 0:
		return fmt.Errorf("lsm: checkpoint to %s: %w: the directory is not empty", destDir, fs.ErrExist)
	}
	// The read state's tables are not deleted while it is held.
	rs := db.loadReadState()
	defer rs.unref()
	lastSeq := db.visibleSeq.Load()
	db.mu.Lock()
	next := db.nextFileNum
	db.mu.Unlock()
	if err := storedir.Write(db.fs, destDir, storedir.Marker{Engine: Name, Format: FormatVersion}); err != nil {
		return fmt.Errorf("lsm: checkpoint: %w", err)
	}
	for _, lvl := range rs.version.Levels {
		for _, t := range lvl {
			src, dst := manifest.TableFileName(db.dir, t.FileNum), manifest.TableFileName(destDir, t.FileNum)
			if err := vfs.LinkOrCopy(db.fs, src, dst, vfs.KindSSTable); err != nil {
				return fmt.Errorf("lsm: checkpoint: table %06d: %w", t.FileNum, err)
			}
		}
	}
	logNum, manNum := next, next+1
	lw, err := wal.Create(db.fs, manifest.LogFileName(destDir, logNum), logNum, wal.Options{})
	if err == nil {
		err = lw.Close()
	}
	if err != nil {
		return fmt.Errorf("lsm: checkpoint: %w", err)
	}
	snap := rs.version.Snapshot()
	snap.LogNum, snap.HasLogNum = logNum, true
	snap.NextFileNum, snap.HasNextFileNum = manNum+1, true
	snap.LastSeq, snap.HasLastSeq = lastSeq, true
	mw, err := manifest.Create(db.fs, destDir, manNum, snap)
	if err != nil {
		return fmt.Errorf("lsm: checkpoint: %w", err)
	}
	if err := mw.Close(); err != nil {
		return fmt.Errorf("lsm: checkpoint: %w", err)
	}
	if err := db.fs.SyncDir(destDir); err != nil {
		return fmt.Errorf("lsm: checkpoint: %w", err)
	}
	return nil
}
