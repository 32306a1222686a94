package btree

import (
	"testing"

	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/kv/kvtest"
	"github.com/kvlab/kvlab/vfs"
)

func opener(o Options) kvtest.OpenFunc {
	return func(fs vfs.FS, dir string) (kv.Engine, error) {
		db, err := Open(fs, dir, o)
		if err != nil {
			return nil, err // a nil interface, not one holding a nil *DB
		}
		return db, nil
	}
}

func TestConformance(t *testing.T) {
	for _, tc := range []struct {
		name string
		o    Options
	}{
		{"4KiB", DefaultOptions()},
		{"1KiB-small-checkpoints", Options{PageSize: 1 << 10, PoolSize: 64 << 10, CheckpointSize: 16 << 10}},
		{"4KiB-tiny-pool", Options{PageSize: 4 << 10, PoolSize: 1, CheckpointSize: 32 << 10, OverflowThreshold: 64}},
		{"64KiB", Options{PageSize: 64 << 10, PoolSize: 16 << 20, CheckpointSize: 1 << 20}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ro := tc.o
			ro.ReadOnly = true
			kvtest.Run(t, opener(tc.o), kvtest.MaxKeySize(tc.o.MaxKeySize()), kvtest.ExactErrors(), kvtest.ReadOnly(opener(ro)))
		})
	}
	// The suite's stores live in memory, where the pages file cannot be
	// mapped: these run it on the OS file system (kvtest.NoVFS), with the
	// mapping (Options.Mmap) and without.
	for _, tc := range []struct {
		name string
		o    Options
	}{
		{"os-mmap", DefaultOptions()},
		{"os-mmap-tiny-pool", Options{PageSize: 1 << 10, PoolSize: 1, CheckpointSize: 16 << 10, OverflowThreshold: 64, Mmap: true}},
		{"os-pread-tiny-pool", Options{PageSize: 1 << 10, PoolSize: 1, CheckpointSize: 16 << 10, OverflowThreshold: 64}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			kvtest.Run(t, opener(tc.o), kvtest.MaxKeySize(tc.o.MaxKeySize()), kvtest.ExactErrors(), kvtest.NoVFS())
		})
	}
}
