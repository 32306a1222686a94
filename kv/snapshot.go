package kv

// Snapshotter is implemented by engines that can pin a consistent,
// point-in-time read view of the store (lsm, btree and memory do).
type Snapshotter interface {
	// NewSnapshot returns a view of the store holding exactly the writes
	// acknowledged before the call: later writes, including range deletes,
	// flushes, compactions and checkpoints, never change what it returns.
	// The caller must Close it; an open snapshot keeps the engine from
	// reclaiming what it can see (older versions, pages, files).
	NewSnapshot() (Snapshot, error)
}

// Snapshot is a read-only, consistent view of a store as of one moment.
// It is safe for concurrent use.
//
// Iterators opened on a snapshot see the snapshot's view and keep it
// alive on their own: they stay usable after the snapshot's Close, until
// they are closed themselves. After the engine is closed, every method
// except Close returns an error wrapping ErrClosed.
type Snapshot interface {
	// Get returns a copy of the value key had in the snapshot, or an error
	// wrapping ErrNotFound.
	Get(key []byte) ([]byte, error)
	// NewIterator returns an unpositioned iterator over the snapshot's keys
	// in [o.LowerBound, o.UpperBound). The caller must Close it.
	NewIterator(o IterOptions) (Iterator, error)
	// Close releases the snapshot. A second Close returns an error wrapping
	// ErrClosed; the first returns nil, also after the engine was closed.
	Close() error
}
