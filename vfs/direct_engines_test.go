package vfs_test

import (
	"errors"
	"testing"

	"github.com/kvlab/kvlab/btree"
	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/kv/kvtest"
	"github.com/kvlab/kvlab/lsm"
	"github.com/kvlab/kvlab/vfs"
)

// TestEnginesConformOnDirect runs the engines' conformance suite on real
// files opened with O_DIRECT (vfs.Direct), with small memtables, pools and
// checkpoints so that flushes, compactions, evictions and checkpoints go
// through the aligned paths. The crash and fault tests need the in-memory
// file system and are skipped (kvtest.NoVFS).
func TestEnginesConformOnDirect(t *testing.T) {
	if _, err := vfs.NewDirect(t.TempDir()); errors.Is(err, vfs.ErrDirectUnsupported) {
		t.Skipf("no direct I/O here: %v", err)
	}
	if testing.Short() {
		t.Skip("slow: real syncs")
	}
	direct := func(t *testing.T, dir string) vfs.FS {
		d, err := vfs.NewDirect(dir)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	t.Run("lsm", func(t *testing.T) {
		o := lsm.DefaultOptions()
		o.MemtableSize, o.BlockCacheSize = 256<<10, 16<<10
		kvtest.Run(t, func(_ vfs.FS, dir string) (kv.Engine, error) {
			db, err := lsm.Open(direct(t, dir), dir, o)
			if err != nil {
				return nil, err
			}
			return db, nil
		}, kvtest.NoVFS())
	})
	t.Run("btree", func(t *testing.T) {
		o := btree.Options{PageSize: 1 << 10, PoolSize: 16 << 10, CheckpointSize: 256 << 10}
		kvtest.Run(t, func(_ vfs.FS, dir string) (kv.Engine, error) {
			db, err := btree.Open(direct(t, dir), dir, o)
			if err != nil {
				return nil, err
			}
			return db, nil
		}, kvtest.NoVFS(), kvtest.MaxKeySize(o.MaxKeySize()))
	})
}
