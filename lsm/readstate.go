package lsm

import (
	"sync/atomic"

	"github.com/kvlab/kvlab/lsm/manifest"
	"github.com/kvlab/kvlab/memtable"
)

// memTable is a memtable with the number of the WAL that holds its writes.
type memTable struct {
	*memtable.Memtable
	logNum uint64
}

// newMemTable returns an empty memtable for log logNum whose Bloom filter is
// sized for a memtable of size bytes.
func newMemTable(logNum uint64, size int64) *memTable {
	return &memTable{Memtable: memtable.New(memtable.WithExpectedSize(size)), logNum: logNum}
}

// readState is what a reader needs to see the store as of one moment: the
// active memtable, the immutable ones awaiting their flush (oldest first) and
// the tables of one Version. A new readState is installed whenever any of
// them changes; readers take a reference, so that the tables they use are
// not deleted under them (see deleteObsoleteFiles).
type readState struct {
	db      *DB
	refs    atomic.Int32
	mem     *memTable
	imms    []*memTable
	version *manifest.Version
	rd      rsRangeDels // its tables' range tombstones (rangedel.go)
}

// unref drops a reference. The last reference to a state that is no longer
// current tells the background goroutine that files may have become
// obsolete.
func (rs *readState) unref() {
	if rs.refs.Add(-1) != 0 {
		return
	}
	db := rs.db
	db.mu.Lock()
	delete(db.liveStates, rs)
	db.obsoletePending = true
	db.mu.Unlock()
	db.bgCond.Broadcast()
}

// loadReadState returns the current read state with a reference the caller
// must drop with unref.
func (db *DB) loadReadState() *readState {
	db.rsMu.RLock()
	rs := db.rs
	rs.refs.Add(1)
	db.rsMu.RUnlock()
	return rs
}

// installReadStateLocked publishes a read state built from the current
// memtables and version. db.mu must be held.
func (db *DB) installReadStateLocked() {
	rs := &readState{db: db, mem: db.mem, imms: append([]*memTable(nil), db.imms...), version: db.version}
	rs.refs.Store(1) // the DB's own reference
	db.liveStates[rs] = struct{}{}
	db.rsMu.Lock()
	old := db.rs
	db.rs = rs
	db.rsMu.Unlock()
	if old != nil {
		// unref takes db.mu when it drops the last reference; do the
		// bookkeeping here instead, as the lock is held.
		if old.refs.Add(-1) == 0 {
			delete(db.liveStates, old)
			db.obsoletePending = true
		}
	}
}
