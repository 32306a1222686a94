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
	}, kvtest.SnapshotIterators())
}

// TestConformanceTiny runs it with tiny memtables and levels, so that the
// crash, fault and concurrency tests happen during flushes, compactions
// and manifest rewrites.
func TestConformanceTiny(t *testing.T) {
	kvtest.Run(t, func(fs vfs.FS, dir string) (kv.Engine, error) {
		return Open(fs, dir, tinyOptions())
	}, kvtest.SnapshotIterators())
}
