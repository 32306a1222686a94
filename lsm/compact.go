package lsm

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/kvlab/kvlab/internal/base"
	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/lsm/compaction"
	"github.com/kvlab/kvlab/lsm/manifest"
)

// errClosing stops a compaction when the DB closes.
var errClosing = errors.New("lsm: closing")

// compactLoop is the background goroutine that runs compactions the picker
// chooses, one at a time, and deletes obsolete files.
func (db *DB) compactLoop() {
	defer db.bgDone.Done()
	db.mu.Lock()
	defer db.mu.Unlock()
	for !db.closing {
		if db.obsoletePending {
			db.obsoletePending = false
			db.mu.Unlock()
			db.deleteObsoleteFiles()
			db.mu.Lock()
			continue
		}
		if m := db.manual; m != nil && !m.done && db.bgErr != nil {
			m.done, m.err = true, readOnlyErr(db.bgErr)
			db.manual = nil
			db.bgCond.Broadcast()
			continue
		}
		if db.bgErr == nil && (!db.compactionsPaused || db.manual != nil) {
			var c *compaction.Compaction
			if m := db.manual; m != nil {
				if c = db.pickManualLocked(m); c == nil {
					m.done = true
					db.manual = nil
					db.bgCond.Broadcast()
					continue
				}
			} else {
				c = db.picker.Pick(db.version, func(n uint64) bool { return db.compacting[n] })
			}
			if c != nil {
				for _, t := range c.Inputs {
					db.compacting[t.FileNum] = true
				}
				for _, t := range c.Overlapping {
					db.compacting[t.FileNum] = true
				}
				db.mu.Unlock()
				err := db.runCompaction(c)
				db.mu.Lock()
				for _, t := range c.Inputs {
					delete(db.compacting, t.FileNum)
				}
				for _, t := range c.Overlapping {
					delete(db.compacting, t.FileNum)
				}
				if err != nil && !errors.Is(err, errClosing) {
					db.setBGErrLocked(fmt.Errorf("lsm: compaction L%d -> L%d: %w", c.Level, c.OutputLevel, err))
				}
				db.bgCond.Broadcast()
				continue
			}
		}
		db.bgCond.Wait()
	}
}

// runCompaction executes one compaction and installs its result.
func (db *DB) runCompaction(c *compaction.Compaction) (err error) {
	start := time.Now()
	ev := db.note.Events()
	info := kv.CompactionInfo{JobID: db.note.NextJob(), FromLevel: c.Level, ToLevel: c.OutputLevel,
		InputTables: len(c.Inputs) + len(c.Overlapping), TrivialMove: c.TrivialMove}
	db.mu.Lock()
	info.Manual = db.manual != nil
	db.mu.Unlock()
	for _, t := range c.Tables() {
		info.InputBytes += int64(t.Size)
	}
	if ev.CompactionBegin != nil {
		ev.CompactionBegin(info)
	}
	defer func() {
		info.Duration, info.Err = time.Since(start), err
		if ev.CompactionEnd != nil {
			ev.CompactionEnd(info)
		}
		if err == nil {
			db.note.Infof("lsm: compaction %d: L%d -> L%d, %d tables of %d bytes in, %d tables of %d bytes out, in %v", info.JobID, info.FromLevel, info.ToLevel, info.InputTables, info.InputBytes, info.OutputTables, info.OutputBytes, info.Duration)
		}
	}()
	if c.TrivialMove {
		info.OutputTables, info.OutputBytes = 1, int64(c.Inputs[0].Size)
		t := c.Inputs[0]
		edit := &manifest.VersionEdit{
			Deleted: []manifest.DeletedTable{{Level: c.Level, FileNum: t.FileNum}},
			Added:   []manifest.NewTable{{Level: c.OutputLevel, Meta: t}},
		}
		if err := db.logAndApply(edit, nil); err != nil {
			return err
		}
		db.stats.moves.Add(1)
		db.stats.level[c.OutputLevel].bytesMoved.Add(int64(t.Size))
		return nil
	}

	outputs, err := db.compactTables(c)
	var nums []uint64
	for _, m := range outputs {
		nums = append(nums, m.FileNum)
	}
	defer db.releaseOutputs(nums)
	if err != nil {
		for _, n := range nums {
			db.fs.Remove(manifest.TableFileName(db.dir, n))
		}
		return err
	}
	edit := &manifest.VersionEdit{}
	var in, out, inUpper, inLower int64
	for _, t := range c.Inputs {
		edit.Deleted = append(edit.Deleted, manifest.DeletedTable{Level: c.Level, FileNum: t.FileNum})
		inUpper += int64(t.Size)
	}
	for _, t := range c.Overlapping {
		edit.Deleted = append(edit.Deleted, manifest.DeletedTable{Level: c.OutputLevel, FileNum: t.FileNum})
		inLower += int64(t.Size)
	}
	in = inUpper + inLower
	for _, m := range outputs {
		edit.Added = append(edit.Added, manifest.NewTable{Level: c.OutputLevel, Meta: m})
		out += int64(m.Size)
	}
	info.OutputTables, info.OutputBytes = len(outputs), out
	if err := db.logAndApply(edit, nil); err != nil {
		for _, n := range nums {
			db.fs.Remove(manifest.TableFileName(db.dir, n))
		}
		return err
	}
	db.stats.compactions.Add(1)
	db.stats.compactionNanos.Add(int64(time.Since(start)))
	db.stats.compactionBytesIn.Add(in)
	db.stats.compactionBytesOut.Add(out)
	db.stats.level[c.Level].bytesRead.Add(inUpper)
	db.stats.level[c.OutputLevel].bytesRead.Add(inLower)
	db.stats.level[c.OutputLevel].bytesIn.Add(inUpper)
	db.stats.level[c.OutputLevel].bytesWritten.Add(out)
	return nil
}

// compactTables merges the compaction's inputs into new tables of the
// output level, split at the target file size and at grandparent
// boundaries but never inside one user key's versions, so that tables of
// a level never share a user key. It drops versions no snapshot can see and
// tombstones that hide nothing (see versionFilter), and carries the inputs'
// range tombstones over, dropping the entries they delete and the
// tombstones that no longer hide anything (see rangeDelCompactor).
func (db *DB) compactTables(c *compaction.Compaction) ([]*manifest.TableMeta, error) {
	var iters []internalIterator
	if c.Level == 0 {
		for _, t := range c.Inputs {
			iters = append(iters, newLevelIter(db.tables, []*manifest.TableMeta{t}, nil, nil))
		}
	} else {
		iters = append(iters, newLevelIter(db.tables, sortedTables(c.Inputs), nil, nil))
	}
	if len(c.Overlapping) > 0 {
		iters = append(iters, newLevelIter(db.tables, sortedTables(c.Overlapping), nil, nil))
	}
	it := newMergingIter(iters)
	defer it.Close()

	db.mu.Lock()
	v := db.version
	db.mu.Unlock()
	var f versionFilter
	f.init(db.snapshotSeqs())
	isBase := func(ukey []byte) bool { return c.IsBaseLevelForKey(v, ukey) }
	split := c.NewSplitter(db.copts)
	sets, err := db.inputRangeDels(c.Tables())
	if err != nil {
		return nil, err
	}
	rc := newRangeDelCompactor(sets, &f, func(start, end []byte) bool { return isBaseForRange(v, c.OutputLevel, start, end) })

	var outputs []*manifest.TableMeta
	var tb *tableBuilder
	var lastUkey []byte
	fail := func(err error) ([]*manifest.TableMeta, error) {
		if tb != nil {
			tb.abandon()
			db.releaseOutputs([]uint64{tb.fileNum})
		}
		return outputs, err
	}
	// ensureTable starts an output table if none is open.
	ensureTable := func() error {
		if tb != nil {
			return nil
		}
		var err error
		if tb, err = db.newTableBuilder(); err != nil {
			return err
		}
		rc.startTable()
		return nil
	}
	n := 0
	for ok := it.First(); ok; ok = it.Next() {
		if n++; n%1024 == 0 && db.closed.Load() {
			return fail(errClosing)
		}
		ikey := it.Key()
		if !base.Valid(ikey) {
			return fail(fmt.Errorf("lsm: compaction read an invalid internal key %x", ikey))
		}
		if f.drop(ikey, isBase) {
			continue
		}
		ukey := base.UserKey(ikey)
		if !rc.empty() && rc.covered(ukey, base.Seq(ikey)) {
			continue
		}
		newKey := tb == nil || !bytes.Equal(ukey, lastUkey)
		size := uint64(0)
		if tb != nil {
			size = tb.estimatedSize()
		}
		// The splitter sees every entry (it never cuts inside a user
		// key's versions, and counts grandparent overlap from the first).
		if split.ShouldSplit(ukey, size) && tb != nil && rc.canSplit(ukey) {
			m, err := tb.finish()
			if err != nil {
				return fail(err)
			}
			outputs = append(outputs, m)
			tb = nil
		}
		if err := ensureTable(); err != nil {
			return fail(err)
		}
		if err := rc.emit(tb, ukey); err != nil {
			return fail(err)
		}
		if err := tb.add(ikey, it.Value()); err != nil {
			return fail(err)
		}
		if newKey {
			lastUkey = append(lastUkey[:0], ukey...)
		}
	}
	if err := it.Err(); err != nil {
		return fail(err)
	}
	if rc.pending() {
		if err := ensureTable(); err != nil {
			return fail(err)
		}
		if err := rc.emit(tb, nil); err != nil {
			return fail(err)
		}
	}
	if tb != nil {
		m, err := tb.finish()
		if err != nil {
			return fail(err)
		}
		outputs = append(outputs, m)
		tb = nil
	}
	if err := db.fs.SyncDir(db.dir); err != nil {
		return outputs, fmt.Errorf("lsm: sync directory: %w", err)
	}
	return outputs, nil
}

func sortedTables(ts []*manifest.TableMeta) []*manifest.TableMeta {
	out := append([]*manifest.TableMeta(nil), ts...)
	sort.Slice(out, func(i, j int) bool { return base.Compare(out[i].Smallest, out[j].Smallest) < 0 })
	return out
}

// versionFilter decides which versions of a key a flush or compaction may
// drop. Snapshots cut the sequence numbers into stripes: a version is
// visible to the oldest snapshot at or above its sequence number (stripe
// i), or only to readers of the latest state (the last stripe). Among the
// versions of one user key in one stripe only the newest can ever be read,
// so the others are dropped. A tombstone in the first stripe is seen by
// every reader, and when no level below the output can hold the key
// (isBase) it hides nothing and is dropped too.
type versionFilter struct {
	snaps      []base.SeqNum // ascending
	lastUkey   []byte
	hasLast    bool
	lastStripe int
}

func (f *versionFilter) init(snaps []base.SeqNum) { f.snaps = snaps }

func (f *versionFilter) stripe(seq base.SeqNum) int {
	return sort.Search(len(f.snaps), func(i int) bool { return f.snaps[i] >= seq })
}

// drop reports whether the entry can be dropped; entries must arrive in
// base.Compare order. isBase is nil when tombstones must be kept.
func (f *versionFilter) drop(ikey []byte, isBase func(ukey []byte) bool) bool {
	ukey, seq, kind, _ := base.Parse(ikey)
	st := f.stripe(seq)
	if f.hasLast && bytes.Equal(ukey, f.lastUkey) {
		if st == f.lastStripe {
			return true
		}
	} else {
		f.lastUkey = append(f.lastUkey[:0], ukey...)
		f.hasLast = true
	}
	f.lastStripe = st
	return kind == base.KindDelete && st == 0 && isBase != nil && isBase(ukey)
}
