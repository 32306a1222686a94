package lsm

import (
	"fmt"
	"time"

	"github.com/kvlab/kvlab/internal/base"
	"github.com/kvlab/kvlab/internal/rangedel"

	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/lsm/manifest"
)

// flushLoop is the background goroutine that writes immutable memtables to
// L0 tables, oldest first.
func (db *DB) flushLoop() {
	defer db.bgDone.Done()
	db.mu.Lock()
	defer db.mu.Unlock()
	for {
		for !db.closing && (len(db.imms) == 0 || db.bgErr != nil) {
			db.bgCond.Wait()
		}
		if db.closing {
			return
		}
		imm := db.imms[0]
		db.flushing = true
		db.mu.Unlock()
		err := db.flush(imm)
		db.mu.Lock()
		db.flushing = false
		if err != nil {
			db.setBGErrLocked(fmt.Errorf("lsm: flush: %w", err))
		}
		db.bgCond.Broadcast()
	}
}

// flush writes imm to one L0 table and records it in the manifest together
// with the new log number (imm's WAL is then no longer needed).
func (db *DB) flush(imm *memTable) (err error) {
	start := time.Now()
	ev := db.note.Events()
	info := kv.FlushInfo{JobID: db.note.NextJob(), InputBytes: imm.ApproximateSize()}
	if ev.FlushBegin != nil {
		ev.FlushBegin(info)
	}
	defer func() {
		info.Duration, info.Err = time.Since(start), err
		if ev.FlushEnd != nil {
			ev.FlushEnd(info)
		}
		if err == nil {
			db.note.Infof("lsm: flush %d: memtable of %d bytes to an L0 table of %d bytes in %v", info.JobID, info.InputBytes, info.OutputBytes, info.Duration)
		}
	}()
	meta, err := db.writeMemtable(imm)
	if err != nil {
		return err
	}
	info.OutputBytes = int64(meta.Size)
	defer db.releaseOutputs([]uint64{meta.FileNum})
	db.mu.Lock()
	next := db.mem.logNum
	if len(db.imms) > 1 {
		next = db.imms[1].logNum
	}
	db.mu.Unlock()
	edit := &manifest.VersionEdit{
		LogNum: next, HasLogNum: true,
		Added: []manifest.NewTable{{Level: 0, Meta: meta}},
	}
	if err := db.logAndApply(edit, func() { db.imms = db.imms[1:] }); err != nil {
		return err
	}
	db.stats.flushes.Add(1)
	db.stats.flushBytes.Add(int64(meta.Size))
	db.stats.flushNanos.Add(int64(time.Since(start)))
	db.stats.level[0].bytesIn.Add(int64(meta.Size))
	db.stats.level[0].bytesWritten.Add(int64(meta.Size))
	return nil
}

// writeMemtable writes every entry of a memtable that a snapshot can still
// see to a new table, synced with its directory entry. Tombstones, point and
// range, are kept: older versions may live in the tables below; entries the
// memtable's own range tombstones delete for every reader are dropped.
func (db *DB) writeMemtable(m *memTable) (*manifest.TableMeta, error) {
	tb, err := db.newTableBuilder()
	if err != nil {
		db.releaseOutputs([]uint64{tb.fileNum})
		return nil, err
	}
	ok := false
	defer func() {
		if !ok {
			tb.abandon()
			db.releaseOutputs([]uint64{tb.fileNum})
		}
	}()
	snaps := db.snapshotSeqs()
	it := m.NewIter(nil, nil)
	defer it.Close()
	var f versionFilter
	f.init(snaps)
	var sets []*rangedel.Set
	if m.RangeDelCount() > 0 {
		sets = append(sets, m.RangeDels())
	}
	rc := newRangeDelCompactor(sets, &f, nil)
	if err := rc.emit(tb, nil); err != nil {
		return nil, err
	}
	for valid := it.First(); valid; valid = it.Next() {
		if f.drop(it.Key(), nil) {
			continue
		}
		if !rc.empty() && rc.covered(base.UserKey(it.Key()), base.Seq(it.Key())) {
			continue
		}
		if err := tb.add(it.Key(), it.Value()); err != nil {
			return nil, err
		}
	}
	meta, err := tb.finish()
	if err != nil {
		return nil, err
	}
	if err := db.fs.SyncDir(db.dir); err != nil {
		return nil, fmt.Errorf("lsm: sync directory: %w", err)
	}
	ok = true
	return meta, nil
}
