package memory

import (
	"fmt"
	"sync/atomic"

	"github.com/google/btree"

	"github.com/kvlab/kvlab/kv"
)

var _ kv.Snapshotter = (*DB)(nil)

// snapshot is a copy-on-write clone of the tree: cloning is O(1), and
// later writes copy the nodes they change, so the clone never changes.
type snapshot struct {
	db     *DB
	tree   *btree.BTreeG[item]
	closed atomic.Bool
}

// NewSnapshot implements kv.Snapshotter.
func (d *DB) NewSnapshot() (kv.Snapshot, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return nil, kv.ErrClosed
	}
	return &snapshot{db: d, tree: d.tree.Clone()}, nil
}

func (s *snapshot) usable() error {
	if s.closed.Load() {
		return fmt.Errorf("memory: snapshot: %w", kv.ErrClosed)
	}
	if s.db.shut.Load() {
		return kv.ErrClosed
	}
	return nil
}

// Get implements kv.Snapshot.
func (s *snapshot) Get(key []byte) ([]byte, error) {
	if err := s.usable(); err != nil {
		return nil, err
	}
	s.db.gets.Add(1)
	it, ok := s.tree.Get(item{key: key})
	if !ok {
		return nil, kv.ErrNotFound
	}
	s.db.getHits.Add(1)
	s.db.userRead.Add(int64(len(it.key) + len(it.value)))
	return append([]byte{}, it.value...), nil
}

// NewIterator implements kv.Snapshot. The iterator holds the snapshot's
// tree itself, so it outlives the snapshot's Close.
func (s *snapshot) NewIterator(o kv.IterOptions) (kv.Iterator, error) {
	if err := s.usable(); err != nil {
		return nil, err
	}
	s.db.iters.Add(1)
	return &iterator{db: s.db, tree: s.tree, opts: o}, nil
}

// Close implements kv.Snapshot.
func (s *snapshot) Close() error {
	if s.closed.Swap(true) {
		return fmt.Errorf("memory: snapshot: %w", kv.ErrClosed)
	}
	return nil
}
