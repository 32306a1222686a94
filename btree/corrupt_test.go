package btree

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/vfs"
)

// damage flips one byte at off in the named file.
func damage(t *testing.T, fs vfs.FS, name string, off int64) {
	t.Helper()
	f, err := fs.OpenReadWrite(name, vfs.KindOther)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := make([]byte, 1)
	if _, err := f.ReadAt(b, off); err != nil {
		t.Fatal(err)
	}
	b[0] ^= 0x5a
	if _, err := f.WriteAt(b, off); err != nil {
		t.Fatal(err)
	}
	if err := f.Sync(); err != nil {
		t.Fatal(err)
	}
}

// buildStore writes n keys (every tenth value overflows) and closes the
// store, which checkpoints it.
func buildStore(t *testing.T, fs vfs.FS, o Options, n int) { buildStoreIn(t, fs, "/db", o, n) }

// buildStoreIn is buildStore in directory dir.
func buildStoreIn(t *testing.T, fs vfs.FS, dir string, o Options, n int) {
	t.Helper()
	db, err := Open(fs, dir, o)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		v := fmt.Sprintf("value%d", i)
		if i%10 == 0 {
			v = strings.Repeat(v, 300)
		}
		if err := db.Put([]byte(fmt.Sprintf("key%05d", i)), []byte(v)); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

func wantCorruptPage(t *testing.T, err error, pg uint64, what string) {
	t.Helper()
	var ce *kv.CorruptionError
	if !errors.Is(err, kv.ErrCorruption) || !errors.As(err, &ce) {
		t.Fatalf("%s: %v, want a *kv.CorruptionError", what, err)
	}
	if !strings.Contains(ce.Error(), fmt.Sprintf("page %d:", pg)) {
		t.Fatalf("%s: %v does not name page %d", what, err, pg)
	}
}

// TestCorruptLeafIsReported damages one byte of a leaf page: Check names
// the page, and Get and iterators return kv.ErrCorruption instead of data;
// in memory (pread into the pool) and on the OS file system with the
// pages file mapped (Options.Mmap) and not.
func TestCorruptLeafIsReported(t *testing.T) {
	for _, tc := range []struct {
		name     string
		osfs, mm bool
	}{{"mem", false, true}, {"os-mmap", true, true}, {"os-pread", true, false}} {
		t.Run(tc.name, func(t *testing.T) {
			o := DefaultOptions()
			o.PageSize = 1 << 10
			o.Mmap = tc.mm
			var fs vfs.FS = vfs.NewMem()
			dir := "/db"
			if tc.osfs {
				fs, dir = vfs.Default, t.TempDir()
			}
			corruptLeaf(t, fs, dir, o)
		})
	}
}

func corruptLeaf(t *testing.T, fs vfs.FS, dir string, o Options) {
	for _, at := range []int64{0, 5, 40, 600, 1023} { // type, checksum, slots, cells, last byte
		if err := removeStore(fs, dir); err != nil {
			t.Fatal(err)
		}
		buildStoreIn(t, fs, dir, o, 500)
		db, err := Open(fs, dir, o)
		if err != nil {
			t.Fatal(err)
		}
		key := []byte("key00250")
		pg := db.LeafPageOf(key)
		off := db.PageOffset(pg)
		db.Close()
		damage(t, fs, vfs.Join(dir, pagesFileName), off+at)

		db, err = Open(fs, dir, o)
		if err != nil {
			t.Fatal(err)
		}
		ctx := fmt.Sprintf("byte %d of leaf page %d", at, pg)
		var out bytes.Buffer
		wantCorruptPage(t, db.Check(&out), pg, ctx+": Check")
		_, err = db.Get(key)
		wantCorruptPage(t, err, pg, ctx+": Get")
		if _, err := db.Get([]byte("key00001")); err != nil {
			t.Fatalf("%s: Get of a key in an intact page: %v", ctx, err)
		}
		it, _ := db.NewIterator(kv.IterOptions{})
		n := 0
		for ok := it.First(); ok; ok = it.Next() {
			n++
		}
		wantCorruptPage(t, it.Err(), pg, ctx+": iterator")
		if n >= 500 {
			t.Fatalf("%s: iterator returned all %d keys", ctx, n)
		}
		if it.Next() || it.First() {
			t.Fatalf("%s: iterator moved after an error", ctx)
		}
		it.Close()
		db.Close()
	}
}

// TestCorruptPagesAreReported damages the root, a branch, an overflow
// page and a free-list page; in memory and on the OS file system with the
// pages file mapped.
func TestCorruptPagesAreReported(t *testing.T) {
	o := DefaultOptions()
	o.PageSize = 1 << 10
	// The same pages each time: no checkpoint in the background, whose
	// timing would move them (the deletes release more than the shadow
	// budget's 256 pages).
	o.ShadowBudget = 1
	t.Run("mem", func(t *testing.T) {
		fs := vfs.NewMem()
		pages := corruptPagesStore(t, fs, "/db", o)
		for _, pg := range pages {
			c := fs.Clone()
			corruptPageReported(t, c, "/db", o, pg)
		}
	})
	t.Run("os-mmap", func(t *testing.T) {
		needMapper(t)
		var want []uint64
		for i := 0; i == 0 || i < len(want); i++ {
			dir := t.TempDir() // the same store each time: the same page numbers
			pages := corruptPagesStore(t, vfs.Default, dir, o)
			if want == nil {
				want = pages
			} else if !slices.Equal(pages, want) {
				t.Fatalf("the store's pages moved: %v, then %v", want, pages)
			}
			corruptPageReported(t, vfs.Default, dir, o, want[i])
		}
	})
}

// corruptPagesStore builds the store of TestCorruptPagesAreReported in dir
// and returns its root, an overflow page and a free-list page.
func corruptPagesStore(t *testing.T, fs vfs.FS, dir string, o Options) []uint64 {
	t.Helper()
	buildStoreIn(t, fs, dir, o, 2000)
	// Free some pages so that there is a free list.
	db, err := Open(fs, dir, o)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 1000; i++ {
		db.Delete([]byte(fmt.Sprintf("key%05d", i)))
	}
	mustCheck(t, db, "after deletes")
	root := db.RootPage()
	flPage := uint64(db.meta.freelist)
	leaf := db.LeafPageOf([]byte("key01500"))
	l, _ := db.lookup([]byte("key01500"))
	var ovf uint64
	for i := range l.count() {
		if _, ref := l.value(i); ref.pg != 0 {
			ovf = uint64(ref.pg)
		}
	}
	db.Close()
	if flPage == 0 || ovf == 0 || root == leaf {
		t.Fatalf("store lacks a free list (%d), an overflow page (%d) or a branch root", flPage, ovf)
	}
	return []uint64{root, ovf, flPage}
}

// corruptPageReported damages page pg of the store in dir: Open or Check
// reports it, and so does a scan when pg is a page of the tree.
func corruptPageReported(t *testing.T, fs vfs.FS, dir string, o Options, pg uint64) {
	t.Helper()
	damage(t, fs, vfs.Join(dir, pagesFileName), int64(pg-1)*int64(o.PageSize)+100)
	db, err := Open(fs, dir, o)
	if err != nil {
		wantCorruptPage(t, err, pg, fmt.Sprintf("open with page %d damaged", pg))
		return
	}
	defer db.Close()
	wantCorruptPage(t, db.Check(io.Discard), pg, fmt.Sprintf("Check with page %d damaged", pg))
	if pg == uint64(db.meta.freelist) {
		return // no read of the tree meets it
	}
	it, _ := db.NewIterator(kv.IterOptions{})
	for ok := it.First(); ok; ok = it.Next() {
	}
	wantCorruptPage(t, it.Err(), pg, fmt.Sprintf("a scan with page %d damaged", pg))
	it.Close()
}

// TestCorruptMeta damages the newest meta page, then both: Open reports
// corruption rather than fall back to a checkpoint whose log is gone. (A
// meta page torn by a crash during its write is a different case: the
// previous checkpoint's log still exists, and TestCrashAtEveryCheckpointStep
// shows recovery from it.)
func TestCorruptMeta(t *testing.T) {
	o := DefaultOptions()
	fs := vfs.NewMem()
	db, err := Open(fs, "/db", o)
	if err != nil {
		t.Fatal(err)
	}
	db.Put([]byte("a"), []byte("1"))
	if err := db.Flush(); err != nil {
		t.Fatal(err)
	}
	db.Put([]byte("b"), []byte("2"))
	db.Close()
	// The newest checkpoint is 3 (slot 1).
	c := fs.Clone()
	damage(t, c, "/db/"+metaFileName, metaSlotSize+20)
	// Checkpoint 2 is intact, but its log was removed once checkpoint 3
	// was durable: falling back would lose acknowledged writes silently.
	if _, err := Open(c, "/db", o); !errors.Is(err, kv.ErrCorruption) {
		t.Fatalf("open with the newest meta page damaged: %v, want ErrCorruption", err)
	}
	damage(t, c, "/db/"+metaFileName, 20)
	if _, err := Open(c, "/db", o); !errors.Is(err, kv.ErrCorruption) {
		t.Fatalf("open with both meta pages damaged: %v, want ErrCorruption", err)
	}
}
