package stress

import (
	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/lsm"
)

// view is a read-only, repeatable view of a store: a snapshot.
type view interface {
	Get(key []byte) ([]byte, error)
	NewIterator(o kv.IterOptions) (kv.Iterator, error)
	Close() error
}

// snapshotFunc takes a snapshot.
type snapshotFunc func() (view, error)

// snapshotsOf returns the engine's way to take a snapshot, or nil if it
// has none. kv.Engine has no snapshot method; lsm's DB does.
func snapshotsOf(db kv.Engine) snapshotFunc {
	if d, ok := db.(*lsm.DB); ok {
		return func() (view, error) { return d.Snapshot() }
	}
	return nil
}
