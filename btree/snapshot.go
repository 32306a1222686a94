package btree

import (
	"fmt"
	"sync/atomic"

	"github.com/kvlab/kvlab/kv"
)

// Snapshots pin a committed version of the tree, as read transactions do
// in bbolt and LMDB. NewSnapshot, under the writer mutex, records the
// root and starts a new copy-on-write epoch (allocator.pin): nothing is
// fresh any more, so writers copy every page the snapshot can reach before
// changing it, exactly as after a checkpoint's freeze, and no I/O is done.
// A page released while a snapshot that can see it is open is not reused
// until that snapshot (and every iterator opened on it) is released: it
// stays pending or reserved for the checkpoints as before, then held (see
// allocator) until the last such snapshot closes.
//
// Readers find a snapshot's pages by page number, as the tree's own
// readers do: in the pool, or in the file. A page the writer copied or
// freed is dropped from the pool; when its node was dirty (its contents
// never written to its page), retire keeps the node in DB.kept, where
// loadNode finds it, until the page becomes free. A clean page is on disk,
// and a page that is not free is never written, so the file keeps it.
// Snapshot readers hold the tree's read lock while they descend, so they
// never see a node move between the pool and DB.kept.
//
// Snapshots live in memory only: a checkpoint records held pages as free
// (no durable tree uses them), so after a crash or a reopen they are free.

var _ kv.Snapshotter = (*DB)(nil)

// snapPin is a pinned version: the snapshot and each iterator opened on it
// hold one reference; the last release unpins the epoch.
type snapPin struct {
	db    *DB
	root  pgid
	epoch uint64
	refs  atomic.Int64
}

// acquire takes a reference unless the pin was already released.
func (p *snapPin) acquire() bool {
	for {
		r := p.refs.Load()
		if r <= 0 {
			return false
		}
		if p.refs.CompareAndSwap(r, r+1) {
			return true
		}
	}
}

// release drops a reference; the last one frees the pages kept for it.
func (p *snapPin) release() {
	if p.refs.Add(-1) != 0 {
		return
	}
	db := p.db
	db.wmu.Lock()
	defer db.wmu.Unlock()
	db.snapshots.Add(-1)
	if db.closed.Load() {
		return
	}
	db.alloc.unpinEpoch(p.epoch)
	db.dropUnpinned()
	db.noteFree()
}

// snapshot implements kv.Snapshot.
type snapshot struct {
	pin    *snapPin
	closed atomic.Bool
}

// NewSnapshot implements kv.Snapshotter: the snapshot sees every write
// acknowledged before the call and none after. It costs no I/O; while it
// is open, pages it can see are kept rather than reused (Stats: Extra
// "snapshots" and "pinned_pages").
func (db *DB) NewSnapshot() (kv.Snapshot, error) {
	db.wmu.Lock()
	defer db.wmu.Unlock()
	if db.closed.Load() {
		return nil, kv.ErrClosed
	}
	p := &snapPin{db: db, root: db.root, epoch: db.alloc.pin()}
	p.refs.Store(1)
	db.snapshots.Add(1)
	return &snapshot{pin: p}, nil
}

func (s *snapshot) usable() error {
	if s.closed.Load() {
		return fmt.Errorf("btree: snapshot: %w", kv.ErrClosed)
	}
	return nil
}

// Get implements kv.Snapshot.
func (s *snapshot) Get(key []byte) ([]byte, error) {
	if err := s.usable(); err != nil {
		return nil, err
	}
	db := s.pin.db
	db.tmu.RLock()
	defer db.tmu.RUnlock()
	if db.closed.Load() {
		return nil, kv.ErrClosed
	}
	db.st.gets.Add(1)
	n, err := db.readNode(s.pin.root)
	return db.getFrom(n, err, key)
}

// NewIterator implements kv.Snapshot. The iterator holds the snapshot's
// version on its own: it stays usable after the snapshot's Close.
func (s *snapshot) NewIterator(o kv.IterOptions) (kv.Iterator, error) {
	if err := s.usable(); err != nil {
		return nil, err
	}
	if !s.pin.acquire() {
		return nil, fmt.Errorf("btree: snapshot: %w", kv.ErrClosed)
	}
	it, err := s.pin.db.NewIterator(o)
	if err != nil {
		s.pin.release()
		return nil, err
	}
	it.(*iterator).pin = s.pin
	return it, nil
}

// Close implements kv.Snapshot.
func (s *snapshot) Close() error {
	if !s.closed.CompareAndSwap(false, true) {
		return fmt.Errorf("btree: snapshot: %w", kv.ErrClosed)
	}
	s.pin.release()
	return nil
}

// dropUnpinned forgets, now that they are free, the pages released while
// a snapshot could see them: their kept nodes and any frame a snapshot
// reader brought into the pool. The caller holds wmu.
func (db *DB) dropUnpinned() {
	if len(db.unpinned) == 0 {
		return
	}
	db.tmu.Lock()
	for _, pg := range db.unpinned {
		if _, ok := db.kept[pg]; ok {
			delete(db.kept, pg)
			db.nkept.Add(-1)
		}
		db.pool.remove(pg)
	}
	db.tmu.Unlock()
	db.unpinned = db.unpinned[:0]
}
