package lsm

import (
	"testing"

	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/kv/kvtest"
	"github.com/kvlab/kvlab/vfs"
)

// TestConformance runs the conformance suite with the default options.
func TestConformance(t *testing.T) {
	kvtest.Run(t, func(fs vfs.FS, dir string) (kv.Engine, error) {
		return Open(fs, dir, DefaultOptions())
	}, kvtest.SnapshotIterators(), kvtest.ExactErrors(), kvtest.ReadOnly(readOnlyOpener(DefaultOptions())))
}

// readOnlyOpener opens stores read-only with o.
func readOnlyOpener(o Options) kvtest.OpenFunc {
	o.ReadOnly = true
	return func(fs vfs.FS, dir string) (kv.Engine, error) {
		db, err := Open(fs, dir, o)
		if err != nil {
			return nil, err
		}
		return db, nil
	}
}

// TestConformanceTiny runs it with tiny memtables and levels, so that the
// crash, fault and concurrency tests happen during flushes, compactions
// and manifest rewrites.
func TestConformanceTiny(t *testing.T) {
	kvtest.Run(t, func(fs vfs.FS, dir string) (kv.Engine, error) {
		return Open(fs, dir, tinyOptions())
	}, kvtest.SnapshotIterators(), kvtest.ExactErrors(), kvtest.ReadOnly(readOnlyOpener(tinyOptions())))
}
