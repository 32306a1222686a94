package lsm

import (
	"fmt"
	"sort"
	"sync/atomic"

	"github.com/kvlab/kvlab/internal/base"
	"github.com/kvlab/kvlab/kv"
)

// Snapshot is a read-only view of the DB as of one moment: Gets and
// iterators through it see the writes acknowledged before Snapshot was
// called and none after, for as long as it stays open. While it is open,
// compactions keep the versions it can see; Close it to let them go.
// A Snapshot is safe for concurrent use.
type Snapshot struct {
	db     *DB
	seq    base.SeqNum
	closed atomic.Bool
}

// Snapshot pins the current state for repeatable reads.
func (db *DB) Snapshot() (*Snapshot, error) {
	if db.closed.Load() {
		return nil, kv.ErrClosed
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	s := &Snapshot{db: db, seq: base.SeqNum(db.visibleSeq.Load())}
	if db.snapshots == nil {
		db.snapshots = map[*Snapshot]base.SeqNum{}
	}
	db.snapshots[s] = s.seq
	return s, nil
}

// snapshotSeqs returns the open snapshots' sequence numbers, ascending and
// without duplicates.
func (db *DB) snapshotSeqs() []base.SeqNum {
	db.mu.Lock()
	defer db.mu.Unlock()
	out := make([]base.SeqNum, 0, len(db.snapshots))
	for _, s := range db.snapshots {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	n := 0
	for i, s := range out {
		if i == 0 || s != out[n-1] {
			out[n] = s
			n++
		}
	}
	return out[:n]
}

func (s *Snapshot) usable() error {
	if s.closed.Load() {
		return fmt.Errorf("lsm: snapshot: %w", kv.ErrClosed)
	}
	if s.db.closed.Load() {
		return kv.ErrClosed
	}
	return nil
}

// Get returns the value key had when the snapshot was taken.
func (s *Snapshot) Get(key []byte) ([]byte, error) {
	if err := s.usable(); err != nil {
		return nil, err
	}
	rs := s.db.loadReadState()
	defer rs.unref()
	return s.db.get(rs, s.seq, key)
}

// NewIterator returns an iterator over the store as of the snapshot.
func (s *Snapshot) NewIterator(o kv.IterOptions) (kv.Iterator, error) {
	if err := s.usable(); err != nil {
		return nil, err
	}
	return s.db.newIter(s.db.loadReadState(), s.seq, o), nil
}

// Close releases the snapshot. A second Close returns ErrClosed.
func (s *Snapshot) Close() error {
	if s.closed.Swap(true) {
		return fmt.Errorf("lsm: snapshot: %w", kv.ErrClosed)
	}
	s.db.mu.Lock()
	delete(s.db.snapshots, s)
	s.db.mu.Unlock()
	return nil
}

var _ kv.Snapshotter = (*DB)(nil)

// NewSnapshot implements kv.Snapshotter: it is Snapshot, returned as a
// kv.Snapshot.
func (db *DB) NewSnapshot() (kv.Snapshot, error) {
	s, err := db.Snapshot()
	if err != nil {
		return nil, err
	}
	return s, nil
}
