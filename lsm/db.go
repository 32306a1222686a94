package lsm

import (
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"

	"github.com/kvlab/kvlab/internal/base"
	"github.com/kvlab/kvlab/internal/notify"
	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/lsm/compaction"
	"github.com/kvlab/kvlab/lsm/manifest"
	"github.com/kvlab/kvlab/sstable"
	"github.com/kvlab/kvlab/vfs"
	"github.com/kvlab/kvlab/wal"
)

// Name is the name the engine is registered under.
const Name = "lsm"

// DB is an LSM-tree key-value store in one directory. It implements
// kv.Engine and kv.Checker; all methods are safe for concurrent use.
type DB struct {
	fs     vfs.FS          // acct, as the engine's files see it
	acct   *vfs.Accounting // counts every byte the engine moves, by kind
	dir    string
	opts   Options
	lock   io.Closer
	cache  *sstable.Cache
	tables *tableCache
	picker *compaction.Picker
	copts  compaction.Options

	closed atomic.Bool

	// The commit pipeline (commit.go): writers queue; the first one leads
	// a group through the WAL and the memtable. lastSeq is written only
	// by the leader; visibleSeq is what readers may see.
	wmu          sync.Mutex
	queueDrained *sync.Cond // on wmu: the queue became empty
	queue        []*writer
	commitClosed bool      // Close has begun: no writer may join the queue
	recBuf       []byte    // the leader's WAL record buffer
	group        []*writer // the leader's group
	lastSeq      base.SeqNum
	visibleSeq   atomic.Uint64

	// The read state readers take (readstate.go).
	rsMu sync.RWMutex
	rs   *readState

	// mu guards everything below; bgCond (on mu) signals changes to the
	// background goroutines and to stalled writers.
	mu              sync.Mutex
	bgCond          *sync.Cond
	mem             *memTable
	imms            []*memTable // oldest first
	log             *wal.Writer // the active memtable's WAL
	version         *manifest.Version
	nextFileNum     uint64
	logNum          uint64              // the manifest's log number: older logs are flushed
	pendingOutputs  map[uint64]struct{} // tables being written
	compacting      map[uint64]bool     // tables that are inputs of the running compaction
	liveStates      map[*readState]struct{}
	snapshots       map[*Snapshot]base.SeqNum // open snapshots and their sequence numbers
	obsoletePending bool
	flushing        bool
	bgErr           error // sticky background or WAL error: the DB is read-only
	closing         bool
	// manual is the running Compact call's request (maintenance.go).
	manual *manualCompaction
	// compactionsPaused stops the picker (tests use it to pile up L0).
	compactionsPaused bool
	bgDone            sync.WaitGroup

	// manifestMu serializes manifest writes and version changes
	// (logAndApply).
	manifestMu sync.Mutex
	manifest   *manifest.Writer

	stats    dbStats
	note     *notify.Notifier // events and log lines
	rdTables rangeDelTables   // which tables hold range tombstones (rangedel.go)
}

var (
	_ kv.Engine  = (*DB)(nil)
	_ kv.Checker = (*DB)(nil)
)

// maxGroupBytes bounds the bytes of batches one leader commits at once.
const maxGroupBytes = 1 << 20

// Get returns the value of key.
func (db *DB) Get(key []byte) ([]byte, error) {
	if db.closed.Load() {
		return nil, kv.ErrClosed
	}
	rs := db.loadReadState()
	defer rs.unref()
	return db.get(rs, base.SeqNum(db.visibleSeq.Load()), key)
}

// batchPool recycles the one-operation batches of Put and Delete.
var batchPool = sync.Pool{New: func() any { return new(kv.Batch) }}

// maxPooledBatch is the largest batch repr kept for reuse.
const maxPooledBatch = 64 << 10

// Put stores value under key.
func (db *DB) Put(key, value []byte) error {
	b := batchPool.Get().(*kv.Batch)
	b.Put(key, value)
	return db.writeOne(b)
}

// Delete removes key.
func (db *DB) Delete(key []byte) error {
	b := batchPool.Get().(*kv.Batch)
	b.Delete(key)
	return db.writeOne(b)
}

func (db *DB) writeOne(b *kv.Batch) error {
	err := db.Write(b, kv.WriteOptions{})
	if cap(b.Repr()) <= maxPooledBatch {
		b.Reset()
		batchPool.Put(b)
	}
	return err
}

// Write applies b atomically: it is logged in the WAL as one record, then
// added to the memtable, and becomes visible to readers all at once.
func (db *DB) Write(b *kv.Batch, o kv.WriteOptions) error {
	if db.closed.Load() {
		return kv.ErrClosed
	}
	if err := b.Err(); err != nil {
		return err
	}
	if db.opts.ReadOnly {
		return errOpenedReadOnly
	}
	if b.Empty() && !o.Sync {
		db.stats.batches.Add(1) // a successful Write, if an empty one
		return nil
	}
	if err := db.commit(b, o.Sync || db.opts.Sync); err != nil {
		return err
	}
	if n := b.RangeDeletes(); n > 0 {
		db.stats.rangeDeletes.Add(int64(n))
	}
	return nil
}

// Sync makes every acknowledged write durable.
func (db *DB) Sync() error {
	if db.closed.Load() {
		return kv.ErrClosed
	}
	if db.opts.ReadOnly {
		return nil // nothing was written
	}
	return db.commit(nil, true)
}

// NewIterator returns an iterator over a consistent snapshot of the store
// as of the call: writes made afterwards are invisible to it.
func (db *DB) NewIterator(o kv.IterOptions) (kv.Iterator, error) {
	if db.closed.Load() {
		return nil, kv.ErrClosed
	}
	rs := db.loadReadState()
	return db.newIter(rs, base.SeqNum(db.visibleSeq.Load()), o), nil
}

// Close stops background work, makes every acknowledged write durable and
// releases the directory.
//
// Close flushes the memtables to L0 tables before it returns, so that a
// cleanly closed store keeps no data in its WALs (the newest log is left
// empty): damage to a log found later is then never mistaken for the torn
// tail of a crash. This bounds Close's work by the memtables' size: at most
// (MaxImmutableMemtables+1) × MemtableSize bytes written, as one flush each.
// Compactions in progress are abandoned, not waited for.
//
// If the store had become read-only (a WAL, flush, compaction or manifest
// error), Close returns that error, wrapping kv.ErrReadOnly: acknowledged
// writes that were not synced may then be lost.
func (db *DB) Close() error {
	if db.closed.Swap(true) {
		return kv.ErrClosed
	}
	// Let queued writers finish; no new one can join.
	db.wmu.Lock()
	db.commitClosed = true
	for len(db.queue) > 0 {
		db.queueDrained.Wait()
	}
	db.wmu.Unlock()

	if !db.opts.ReadOnly {
		db.flushOnClose()
	}

	db.mu.Lock()
	db.closing = true
	db.bgCond.Broadcast()
	db.mu.Unlock()
	db.bgDone.Wait()

	var errs []error
	db.mu.Lock()
	if db.bgErr != nil {
		errs = append(errs, readOnlyErr(db.bgErr))
	}
	if db.log != nil {
		if err := db.log.Close(); err != nil && db.bgErr == nil {
			errs = append(errs, fmt.Errorf("lsm: close WAL: %w", err))
		}
		db.log = nil
	}
	db.mu.Unlock()
	db.manifestMu.Lock()
	if db.manifest != nil {
		if err := db.manifest.Close(); err != nil {
			errs = append(errs, fmt.Errorf("lsm: close manifest: %w", err))
		}
	}
	db.manifestMu.Unlock()
	db.tables.close()
	if err := db.lock.Close(); err != nil {
		errs = append(errs, fmt.Errorf("lsm: unlock: %w", err))
	}
	return errors.Join(errs...)
}

// errOpenedReadOnly is the error of every write to a DB opened with
// Options.ReadOnly.
var errOpenedReadOnly = fmt.Errorf("%w: the store was opened read-only", kv.ErrReadOnly)

// readOnlyErr returns the error writes get once the DB is read-only.
func readOnlyErr(cause error) error {
	if errors.Is(cause, kv.ErrReadOnly) {
		return cause
	}
	return fmt.Errorf("%w after an earlier error: %w", kv.ErrReadOnly, cause)
}

// setBGErrLocked makes the DB read-only. db.mu must be held.
func (db *DB) setBGErrLocked(err error) {
	if db.bgErr == nil {
		db.bgErr = err
		db.bgCond.Broadcast()
		db.note.BackgroundError(err)
	}
}

// flushOnClose rotates a non-empty memtable and waits until every immutable
// memtable is flushed (or the DB failed), then deletes the logs and tables
// the flushes made obsolete. No writer can be in the commit pipeline.
func (db *DB) flushOnClose() {
	db.mu.Lock()
	if db.bgErr == nil && !db.mem.Empty() {
		if err := db.rotate(); err != nil {
			db.setBGErrLocked(err)
		}
	}
	for db.bgErr == nil && len(db.imms) > 0 {
		db.bgCond.Wait()
	}
	db.mu.Unlock()
	db.deleteObsoleteFiles()
}
