package btree

import (
	"fmt"
	"testing"

	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/vfs"
)

// TestStats checks that Stats accounts for what happened: operations,
// user bytes, I/O by file kind, exact live bytes, pages touched by Gets,
// the pool's hits and misses, and the tree's shape.
func TestStats(t *testing.T) {
	fs := vfs.NewMem()
	o := DefaultOptions()
	o.PoolSize = 1 // 16 frames: misses happen
	db, err := Open(fs, "/db", o)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	live := int64(0)
	for i := 0; i < 3000; i++ {
		k, v := fmt.Sprintf("key%05d", i), fmt.Sprintf("value%d", i)
		if err := db.Put([]byte(k), []byte(v)); err != nil {
			t.Fatal(err)
		}
		live += int64(len(k) + len(v))
	}
	big := make([]byte, 10000)
	db.Put([]byte("big"), big)
	live += int64(3 + len(big))
	db.Delete([]byte("key00000"))
	live -= int64(len("key00000") + len("value0"))
	if err := db.Flush(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 100; i++ {
		if _, err := db.Get([]byte(fmt.Sprintf("key%05d", i*29+1))); err != nil {
			t.Fatal(err)
		}
	}
	st := db.Stats()
	if st.Engine != Name || st.Ops.Puts != 3001 || st.Ops.Deletes != 1 || st.Ops.Gets != 100 || st.Ops.GetHits != 100 {
		t.Fatalf("ops: %+v", st.Ops)
	}
	if st.LiveBytes != live {
		t.Fatalf("LiveBytes %d, want %d", st.LiveBytes, live)
	}
	for _, k := range []vfs.Kind{vfs.KindWAL, vfs.KindBTreePages, vfs.KindBTreeMeta} {
		if st.IO[string(k)].BytesWritten == 0 || st.IO[string(k)].Syncs == 0 {
			t.Fatalf("IO of kind %s: %+v", k, st.IO[string(k)])
		}
	}
	bt := st.BTree
	if bt.Height < 2 || bt.LeafPages < 10 || bt.BranchPages < 1 || bt.OverflowPages != 3 || bt.Checkpoints != 1 || bt.PageSize != o.PageSize {
		t.Fatalf("BTree stats: %+v", *bt)
	}
	if st.BlocksTouched != int64(100*bt.Height) {
		t.Fatalf("BlocksTouched %d, want %d (100 Gets x height %d)", st.BlocksTouched, 100*bt.Height, bt.Height)
	}
	if st.CacheMisses == 0 || st.CacheHits == 0 || st.IO[string(vfs.KindBTreePages)].BytesRead == 0 {
		t.Fatalf("pool: %d hits, %d misses", st.CacheHits, st.CacheMisses)
	}
	if st.DiskBytes < int64(bt.LeafPages)*int64(o.PageSize) || st.SpaceAmp() <= 1 {
		t.Fatalf("DiskBytes %d for %d leaf pages", st.DiskBytes, bt.LeafPages)
	}
	if bt.FillFactor <= 0.3 || bt.FillFactor > 1 {
		t.Fatalf("fill factor %.2f", bt.FillFactor)
	}
	if st.WriteAmp() <= 1 || bt.PagesWrittenPerOp <= 0 || bt.PagesReadPerOp <= 0 {
		t.Fatalf("write amp %.2f, pages written/op %.2f, read/op %.2f", st.WriteAmp(), bt.PagesWrittenPerOp, bt.PagesReadPerOp)
	}
	// The integrity check agrees with the counters (it compares them with
	// the meta page, which the checkpoint filled from them).
	mustCheck(t, db, "stats")
	_ = kv.Stats{}
}
