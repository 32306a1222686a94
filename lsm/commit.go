package lsm

import (
	"encoding/binary"
	"fmt"
	"sync"
	"time"

	"github.com/kvlab/kvlab/internal/base"
	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/lsm/manifest"
	"github.com/kvlab/kvlab/wal"
)

// The commit pipeline (LevelDB's writer queue). Each Write joins a queue;
// the writer at its head is the leader: it makes room in the memtable
// (rotating it, or stalling when flushes and L0 compactions lag), takes the
// writers queued behind it as a group (up to maxGroupBytes), appends one WAL
// record per batch, syncs the log once if any writer of the group asked for
// it, applies the batches to the memtable at consecutive sequence numbers,
// publishes the last one to readers, and hands leadership to the next
// writer in the queue. The memtable therefore has a single writer, as it
// requires, and the WAL's records are in sequence-number order.
//
// A WAL record is the batch's first sequence number (8 bytes, little
// endian) followed by its repr (docs/format/batch.md); see
// docs/format/manifest.md for how logs are named and replayed.

// writer is one Write or Sync waiting in the queue.
type writer struct {
	batch *kv.Batch // nil for Sync and Flush
	sync  bool
	flush bool        // Flush: the leader rotates the memtable instead of writing
	seq   base.SeqNum // first sequence number, assigned by the leader
	done  bool
	err   error
	wake  chan struct{} // receives when done, or when promoted to leader
}

// walRecordHeader is the length of a WAL record's sequence-number prefix.
const walRecordHeader = 8

// writerPool recycles writers and their channels. A writer receives at
// most one wake-up per commit, so its channel is empty when it returns.
var writerPool = sync.Pool{New: func() any { return &writer{wake: make(chan struct{}, 1)} }}

func (db *DB) commit(b *kv.Batch, sync bool) error {
	w := writerPool.Get().(*writer)
	*w = writer{batch: b, sync: sync, wake: w.wake}
	err := db.commitWriter(w)
	w.batch = nil
	writerPool.Put(w)
	return err
}

func (db *DB) commitWriter(w *writer) error {
	db.wmu.Lock()
	if db.commitClosed {
		db.wmu.Unlock()
		return kv.ErrClosed
	}
	db.queue = append(db.queue, w)
	leader := len(db.queue) == 1
	db.wmu.Unlock()
	if !leader {
		<-w.wake
		if w.done {
			return w.err
		}
	}

	if w.flush {
		imm, err := db.rotateForFlush()
		db.finishGroup(1, err)
		if err != nil {
			return err
		}
		return db.waitFlushed(imm)
	}
	if err := db.makeRoomForWrite(w); err != nil {
		db.finishGroup(1, err)
		return err
	}
	db.wmu.Lock()
	n, size := 1, w.size()
	for n < len(db.queue) && size+db.queue[n].size() <= maxGroupBytes {
		size += db.queue[n].size()
		n++
	}
	db.group = append(db.group[:0], db.queue[:n]...)
	group := db.group
	db.wmu.Unlock()

	err := db.writeGroup(group)
	db.finishGroup(n, err)
	return err
}

func (w *writer) size() int {
	if w.batch == nil {
		return 0
	}
	return len(w.batch.Repr())
}

// finishGroup completes the first n writers of the queue with err and
// promotes the next writer to leader.
func (db *DB) finishGroup(n int, err error) {
	db.wmu.Lock()
	group := db.queue[:n]
	db.queue = db.queue[n:]
	for i, g := range group {
		if i > 0 {
			g.err = err
			g.done = true
			g.wake <- struct{}{}
		}
	}
	if len(db.queue) > 0 {
		db.queue[0].wake <- struct{}{}
	} else {
		db.queueDrained.Broadcast()
	}
	db.wmu.Unlock()
}

// writeGroup logs and applies a group. Only the leader calls it, so the
// active memtable and WAL cannot change under it.
func (db *DB) writeGroup(group []*writer) error {
	db.mu.Lock()
	log, mem := db.log, db.mem
	db.mu.Unlock()

	seq := db.lastSeq + 1
	sync := false
	var userBytes, puts, dels, batches int64
	for _, g := range group {
		sync = sync || g.sync
		if g.batch == nil || g.batch.Empty() {
			continue
		}
		g.seq = seq
		seq += base.SeqNum(g.batch.Len())
		db.recBuf = binary.LittleEndian.AppendUint64(db.recBuf[:0], uint64(g.seq))
		db.recBuf = append(db.recBuf, g.batch.Repr()...)
		if _, err := log.Append(db.recBuf); err != nil {
			return db.walFailed(err)
		}
	}
	if sync {
		if err := log.Sync(); err != nil {
			return db.walFailed(err)
		}
	}
	for _, g := range group {
		if g.batch == nil {
			continue // a Sync
		}
		batches++ // every successful Write counts, an empty one too
		if g.batch.Empty() {
			continue
		}
		if err := mem.ApplyBatch(g.batch, g.seq); err != nil {
			// The batch is logged but cannot be applied: the memtable
			// and the log disagree until the log is replayed.
			return db.walFailed(fmt.Errorf("lsm: apply batch to memtable: %w", err))
		}
		userBytes += g.batch.UserBytes()
		puts += int64(g.batch.Puts())
		dels += int64(g.batch.Deletes())
	}
	db.lastSeq = seq - 1
	db.visibleSeq.Store(uint64(db.lastSeq))
	db.stats.userBytesWritten.Add(userBytes)
	db.stats.puts.Add(puts)
	db.stats.deletes.Add(dels)
	db.stats.batches.Add(batches)
	return nil
}

// walFailed makes the DB read-only after a WAL error: writes after it
// could be acknowledged without being durable in order.
func (db *DB) walFailed(err error) error {
	db.mu.Lock()
	db.setBGErrLocked(err)
	db.mu.Unlock()
	return readOnlyErr(err)
}

// makeRoomForWrite ensures the active memtable can take the leader's
// write: it delays the write by a millisecond once when L0 has
// L0SlowdownTrigger tables, rotates a full memtable, and waits while the
// immutable memtables or L0 are at their stop thresholds.
func (db *DB) makeRoomForWrite(w *writer) error {
	db.mu.Lock()
	defer db.mu.Unlock()
	if w.batch == nil || w.batch.Empty() {
		if db.bgErr != nil {
			return readOnlyErr(db.bgErr)
		}
		return nil
	}
	allowDelay := !w.sync
	var stallStart time.Time
	defer func() {
		if !stallStart.IsZero() {
			db.stats.stallNanos.Add(int64(time.Since(stallStart)))
			if f := db.note.Events().WriteStallEnd; f != nil {
				f()
			}
		}
	}()
	for {
		if db.bgErr != nil {
			return readOnlyErr(db.bgErr)
		}
		if db.closing {
			return kv.ErrClosed
		}
		l0 := len(db.version.Levels[0])
		if allowDelay && l0 >= db.opts.L0SlowdownTrigger {
			allowDelay = false
			db.stats.stalls.Add(1)
			db.mu.Unlock()
			start := time.Now()
			time.Sleep(time.Millisecond)
			db.stats.stallNanos.Add(int64(time.Since(start)))
			db.mu.Lock()
			continue
		}
		if db.mem.ApproximateSize() < db.opts.MemtableSize {
			return nil
		}
		if len(db.imms) >= db.opts.MaxImmutableMemtables || l0 >= db.opts.L0StopTrigger {
			if stallStart.IsZero() {
				stallStart = time.Now()
				db.stats.stalls.Add(1)
				if f := db.note.Events().WriteStallBegin; f != nil {
					reason := "memtables full"
					if l0 >= db.opts.L0StopTrigger {
						reason = "L0 stop trigger"
					}
					f(kv.WriteStallInfo{Reason: reason})
				}
			}
			db.bgCond.Wait()
			continue
		}
		if err := db.rotate(); err != nil {
			db.setBGErrLocked(err)
			return readOnlyErr(err)
		}
	}
}

// rotate freezes the active memtable and starts a new one with a new WAL.
// db.mu must be held; rotate releases it while it does I/O and holds it
// again when it returns, so that flush completions, snapshots and readers
// installing states do not wait on an fsync. Only the commit leader calls
// it (or Close's flush, once no writer is left), so the active memtable and
// WAL cannot change meanwhile, and nothing else appends to the old WAL.
//
// The old WAL is closed (and so synced) before the new one is created: a
// write acknowledged in the new log must not survive a crash that loses an
// earlier write of the old one. While the lock is released the old memtable
// is still the active one and its writes are durable in the old WAL; the
// new memtable and WAL are installed together, under the lock, once both
// exist, so a reader never sees a memtable whose writes are in neither a
// WAL nor a table. The new log's number is taken under the lock and is
// above the manifest's log number, so deleteObsoleteFiles leaves the new
// file alone before it is installed.
func (db *DB) rotate() error {
	old, num, size := db.mem, db.nextFileNum, db.opts.MemtableSize
	db.nextFileNum++
	oldLog := db.log
	db.mu.Unlock()
	lw, err := db.openNextLog(oldLog, old.logNum, num)
	var mem *memTable
	if err == nil {
		mem = newMemTable(num, size)
	}
	db.mu.Lock()
	if err != nil {
		return err
	}
	db.log, db.mem = lw, mem
	db.imms = append(db.imms, old)
	db.installReadStateLocked()
	db.bgCond.Broadcast()
	if f := db.note.Events().WALRotated; f != nil {
		f(kv.WALInfo{OldNum: old.logNum, NewNum: num})
	}
	return nil
}

// openNextLog closes (syncing it) the WAL oldLog, numbered oldNum, and
// creates WAL num. It does I/O and takes no lock.
func (db *DB) openNextLog(oldLog *wal.Writer, oldNum, num uint64) (*wal.Writer, error) {
	if err := oldLog.Close(); err != nil {
		return nil, fmt.Errorf("lsm: close WAL %06d: %w", oldNum, err)
	}
	lw, err := wal.Create(db.fs, manifest.LogFileName(db.dir, num), num, wal.Options{})
	if err != nil {
		return nil, fmt.Errorf("lsm: create WAL: %w", err)
	}
	return lw, nil
}

// startLogLocked creates a WAL with a new file number and an empty active
// memtable for it. db.mu must be held (or the DB not yet shared).
func (db *DB) startLogLocked() error {
	num := db.nextFileNum
	db.nextFileNum++
	lw, err := wal.Create(db.fs, manifest.LogFileName(db.dir, num), num, wal.Options{})
	if err != nil {
		return fmt.Errorf("lsm: create WAL: %w", err)
	}
	db.log = lw
	db.mem = newMemTable(num, db.opts.MemtableSize)
	return nil
}
