package btree

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/vfs"
)

// removeStore removes every file of dir, if it exists.
func removeStore(fs vfs.FS, dir string) error {
	names, err := fs.List(dir)
	if errors.Is(err, vfs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, n := range names {
		if err := fs.Remove(vfs.Join(dir, n)); err != nil {
			return err
		}
	}
	return nil
}

// needMapper skips a test where the OS files offer no mapping.
func needMapper(t *testing.T) {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("vfs.Mapper is offered on Linux only")
	}
}

// openMapped opens a store in a fresh directory on the OS file system
// with Options.Mmap set, and checks that the mapping is in use.
func openMapped(t *testing.T, o Options, dir string) *DB {
	t.Helper()
	o.Mmap = true
	db, err := Open(vfs.Default, dir, o)
	if err != nil {
		t.Fatal(err)
	}
	if db.mapped == nil {
		db.Close()
		t.Fatal("Options.Mmap on the OS file system did not map the pages file")
	}
	return db
}

// TestMmapOnlyWhereOffered: the knob maps OS files and nothing else.
func TestMmapOnlyWhereOffered(t *testing.T) {
	needMapper(t)
	o := DefaultOptions()
	for _, tc := range []struct {
		name string
		fs   vfs.FS
		dir  string
		mm   bool
		want bool
	}{
		{"os", vfs.Default, t.TempDir(), true, true},
		{"os-off", vfs.Default, t.TempDir(), false, false},
		{"mem", vfs.NewMem(), "/db", true, false},
		{"device", vfs.NewDevice(vfs.Default, vfs.DeviceSSD), t.TempDir(), true, false},
		{"fault", vfs.NewFaultFS(vfs.Default), t.TempDir(), true, false},
	} {
		o.Mmap = tc.mm
		db, err := Open(tc.fs, tc.dir, o)
		if err != nil {
			t.Fatal(err)
		}
		if got := db.mapped != nil; got != tc.want || (db.Stats().Extra["mmap"] == 1) != tc.want {
			t.Errorf("%s: mapped %v (Stats says %v), want %v", tc.name, got, db.Stats().Extra["mmap"], tc.want)
		}
		db.Close()
	}
}

// TestMmapReadCounting: a page read through the mapping counts as one page
// read (PageSize bytes in the pages file's I/O) the first time after the
// store opened, and not again while it stays unchanged; a page rewritten
// by a checkpoint is not read back.
func TestMmapReadCounting(t *testing.T) {
	needMapper(t)
	dir := t.TempDir()
	o := DefaultOptions()
	buildStoreIn(t, vfs.Default, dir, o, 3000)
	db := openMapped(t, o, dir)
	defer db.Close()
	read := func() (int64, int64) {
		s := db.Stats()
		return int64(s.Extra["pages_read"]), s.IO[string(vfs.KindBTreePages)].BytesRead
	}
	p0, b0 := read()
	key := []byte("key01234")
	if _, err := db.Get(key); err != nil {
		t.Fatal(err)
	}
	p1, b1 := read()
	h := int64(db.height)
	if h < 2 || p1-p0 != h || b1-b0 != h*int64(db.ps) {
		t.Fatalf("first Get of a tree of height %d read %d pages, %d bytes", h, p1-p0, b1-b0)
	}
	for range 3 {
		if _, err := db.Get(key); err != nil {
			t.Fatal(err)
		}
	}
	if p2, b2 := read(); p2 != p1 || b2 != b1 {
		t.Fatalf("repeated Gets of a verified path read %d pages, %d bytes more", p2-p1, b2-b1)
	}
	// The leaf changes and is checkpointed: its new image came from the
	// store, so the next Get reads nothing back.
	if err := db.Put(key, []byte("new")); err != nil {
		t.Fatal(err)
	}
	if err := db.Flush(); err != nil {
		t.Fatal(err)
	}
	p3, b3 := read()
	if v, err := db.Get(key); err != nil || string(v) != "new" {
		t.Fatalf("Get after the checkpoint: %q, %v", v, err)
	}
	if p4, b4 := read(); p4 != p3 || b4 != b3 {
		t.Fatalf("a Get after a checkpoint read %d pages, %d bytes back", p4-p3, b4-b3)
	}
	// An overflow value is copied out of the mapping: one read of its run.
	ov := []byte("key01230") // every tenth value overflows (buildStore)
	v, err := db.Get(ov)
	if err != nil || !bytes.Equal(v, []byte(strings.Repeat("value1230", 300))) {
		t.Fatalf("overflow value: %d bytes, %v", len(v), err)
	}
	if p5, _ := read(); p5 <= p3 {
		t.Fatalf("an overflow read counted no page")
	}
}

// TestMmapBranchPastEndIsCorrupt points a branch's child at a page beyond
// the end of the file (just beyond it, inside the mapped chunk, and far
// beyond): Gets and iterators report kv.ErrCorruption naming the page,
// without touching the mapping there (which would raise SIGBUS).
func TestMmapBranchPastEndIsCorrupt(t *testing.T) {
	needMapper(t)
	o := DefaultOptions()
	o.PageSize = 1 << 10
	for _, far := range []bool{false, true} {
		dir := t.TempDir()
		buildStoreIn(t, vfs.Default, dir, o, 2000)
		db := openMapped(t, o, dir)
		root := db.RootPage()
		count := db.PageCount()
		db.Close()
		if db.height < 2 {
			t.Fatal("the store has no branch")
		}
		fi, err := vfs.Default.Stat(vfs.Join(dir, pagesFileName))
		if err != nil {
			t.Fatal(err)
		}
		bad := uint64(fi.Size()/int64(o.PageSize)) + 1
		if far {
			bad = count + 1<<40
		}
		// Rewrite the root's rightmost child pointer, with a valid checksum.
		f, err := vfs.Default.OpenReadWrite(vfs.Join(dir, pagesFileName), vfs.KindOther)
		if err != nil {
			t.Fatal(err)
		}
		p := make([]byte, o.PageSize)
		off := int64(root-1) * int64(o.PageSize)
		if _, err := f.ReadAt(p, off); err != nil {
			t.Fatal(err)
		}
		binary.LittleEndian.PutUint64(p[offLink:], bad)
		binary.LittleEndian.PutUint32(p[offChecksum:], pageChecksum(p))
		if _, err := f.WriteAt(p, off); err != nil {
			t.Fatal(err)
		}
		f.Close()

		db = openMapped(t, o, dir)
		if _, err := db.Get([]byte("key00001")); err != nil {
			t.Fatalf("far=%v: a key left of the damage: %v", far, err)
		}
		_, err = db.Get([]byte("key01999"))
		wantCorruptPage(t, err, bad, fmt.Sprintf("far=%v: Get through the bad pointer", far))
		it, _ := db.NewIterator(kv.IterOptions{})
		for ok := it.Last(); ok; ok = it.Next() {
		}
		wantCorruptPage(t, it.Err(), bad, fmt.Sprintf("far=%v: iterator", far))
		it.Close()
		db.Close()
	}
}

// TestMmapCorruptOverflow flips a byte of an overflow run: a Get through
// the mapping reports kv.ErrCorruption, the other values still read.
func TestMmapCorruptOverflow(t *testing.T) {
	needMapper(t)
	dir := t.TempDir()
	o := DefaultOptions()
	o.PageSize = 1 << 10
	buildStoreIn(t, vfs.Default, dir, o, 500)
	db := openMapped(t, o, dir)
	l, err := db.lookup([]byte("key00250"))
	if err != nil {
		t.Fatal(err)
	}
	i, _ := l.search([]byte("key00250"))
	_, ref := l.value(i)
	db.Close()
	if ref.pg == 0 {
		t.Fatal("key00250 has no overflow value")
	}
	damage(t, vfs.Default, vfs.Join(dir, pagesFileName), int64(ref.pg-1)*int64(o.PageSize)+7)
	db = openMapped(t, o, dir)
	defer db.Close()
	_, err = db.Get([]byte("key00250"))
	wantCorruptPage(t, err, uint64(ref.pg), "Get of a damaged overflow value")
	if _, err := db.Get([]byte("key00240")); err != nil {
		t.Fatalf("another overflow value: %v", err)
	}
}

// TestMmapModel runs a writer against a model (a map) on the OS file
// system with the pages file mapped and a 16-frame pool, beside readers
// that Get and iterators held across writes, while the writer checkpoints,
// compacts and deletes everything (the file shrinks under the mapping).
// Keys "s..." are written once before the readers start and never
// change: readers must always find them, and every scan must see each
// exactly once, in order. Other keys' values name their key. Run it
// with -race.
func TestMmapModel(t *testing.T) {
	needMapper(t)
	s := seed(t)
	o := Options{PageSize: 1 << 10, PoolSize: 16 << 10, CheckpointSize: 16 << 10, Mmap: true}
	dir := t.TempDir()
	db := openMapped(t, o, dir)
	defer func() { db.Close() }()
	const stable = 60
	sval := func(i int) []byte { return []byte(fmt.Sprintf("stable%03d", i)) }
	for i := range stable {
		if err := db.Put([]byte(fmt.Sprintf("s%03d", i)), sval(i)); err != nil {
			t.Fatal(err)
		}
	}
	ops := 6000
	if testing.Short() {
		ops = 1500
	}
	model := map[string][]byte{}
	var done atomic.Bool
	var wg sync.WaitGroup
	errc := make(chan error, 16)
	fail := func(format string, a ...any) {
		select {
		case errc <- fmt.Errorf("seed %d: "+format, append([]any{s}, a...)...):
		default:
		}
	}
	// valueOK checks a volatile key's value: it names the key.
	valueOK := func(k, v []byte) bool { return bytes.HasPrefix(v, k) }
	wg.Add(1)
	go func() { // the writer
		defer wg.Done()
		defer done.Store(true)
		r := newRand(s)
		for i := range ops {
			k := fmt.Sprintf("v%04d", r.IntN(700))
			var err error
			switch x := r.IntN(100); {
			case x < 60:
				v := append([]byte(k), bytes.Repeat([]byte{'.'}, r.IntN(40))...)
				if r.IntN(10) == 0 {
					v = append(v, bytes.Repeat([]byte{'o'}, 300+r.IntN(2000))...) // overflow
				}
				model[k] = v
				err = db.Put([]byte(k), v)
			case x < 90:
				delete(model, k)
				err = db.Delete([]byte(k))
			case x < 93:
				err = db.Flush()
			case x < 95:
				var b kv.Batch
				b.DeleteRange([]byte("v"), []byte("w"))
				clear(model)
				err = db.Write(&b, kv.WriteOptions{})
			case x == 95 && i%4 == 0:
				err = db.Compact(nil, nil)
			}
			if err != nil {
				fail("writer op %d: %v", i, err)
				return
			}
		}
	}()
	for g := range 3 {
		wg.Add(1)
		go func() { // readers: Gets, and scans that pause between steps
			defer wg.Done()
			r := newRand(s + uint64(g) + 1)
			for !done.Load() {
				if r.IntN(8) == 0 {
					if err := snapshotStable(db, r.IntN(8) == 0); err != nil {
						fail("%v", err)
						return
					}
					continue
				}
				if r.IntN(2) == 0 {
					i := r.IntN(stable)
					v, err := db.Get([]byte(fmt.Sprintf("s%03d", i)))
					if err != nil || !bytes.Equal(v, sval(i)) {
						fail("Get of stable key %d: %q, %v", i, v, err)
						return
					}
					k := []byte(fmt.Sprintf("v%04d", r.IntN(700)))
					v, err = db.Get(k)
					if err != nil && !errors.Is(err, kv.ErrNotFound) || err == nil && !valueOK(k, v) {
						fail("Get %s: %q, %v", k, v, err)
						return
					}
					continue
				}
				it, _ := db.NewIterator(kv.IterOptions{})
				var prev []byte
				seen := 0
				for ok := it.First(); ok; ok = it.Next() {
					k, v := it.Key(), it.Value()
					if prev != nil && bytes.Compare(prev, k) >= 0 {
						fail("scan out of order: %q then %q", prev, k)
						return
					}
					prev = append(prev[:0], k...)
					if k[0] == 's' {
						if !bytes.Equal(v, sval(seen)) {
							fail("scan: stable key %q = %q, want %q", k, v, sval(seen))
							return
						}
						seen++
					} else if !valueOK(k, v) {
						fail("scan: %q = %q", k, v)
						return
					}
					if r.IntN(50) == 0 {
						runtime.Gosched() // let the writer change the tree under the held leaf
					}
				}
				if err := it.Close(); err != nil {
					fail("scan: %v", err)
					return
				}
				if seen != stable {
					fail("scan saw %d stable keys, want %d", seen, stable)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}
	check := func(what string) {
		t.Helper()
		for k, v := range model {
			got, err := db.Get([]byte(k))
			if err != nil || !bytes.Equal(got, v) {
				t.Fatalf("seed %d: %s: Get %s: %d bytes, %v; want %d bytes", s, what, k, len(got), err, len(v))
			}
		}
		it, _ := db.NewIterator(kv.IterOptions{LowerBound: []byte("v")})
		n := 0
		for ok := it.First(); ok; ok = it.Next() {
			if want, ok := model[string(it.Key())]; !ok || !bytes.Equal(want, it.Value()) {
				t.Fatalf("seed %d: %s: scan found %q", s, what, it.Key())
			}
			n++
		}
		if err := it.Close(); err != nil || n != len(model) {
			t.Fatalf("seed %d: %s: scan found %d keys, want %d (%v)", s, what, n, len(model), err)
		}
	}
	check("after the run")
	checkBits(t, db, fmt.Sprintf("seed %d, after the run", s))
	mustCheck(t, db, fmt.Sprintf("seed %d", s))
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = openMapped(t, o, dir)
	check("reopened")
}

// snapshotStable takes a snapshot, scans it, lets the writer run on
// (copying, freeing, reusing and cutting off pages the snapshot may see
// through the mapping) and scans it again: both scans must match. With
// closeEarly the snapshot is closed between the scans (its iterator keeps
// the version readable).
func snapshotStable(db *DB, closeEarly bool) error {
	s, err := db.NewSnapshot()
	if err != nil {
		return err
	}
	defer s.Close()
	scan := func(it kv.Iterator) ([]string, error) {
		var out []string
		for ok := it.First(); ok; ok = it.Next() {
			out = append(out, string(it.Key())+"="+string(it.Value()))
		}
		return out, it.Close()
	}
	first, err := scan(mustIter(s))
	if err != nil {
		return err
	}
	it := mustIter(s)
	if closeEarly {
		s.Close()
	}
	for range 20 {
		runtime.Gosched()
	}
	second, err := scan(it)
	if err != nil {
		return err
	}
	if !slices.Equal(first, second) {
		return fmt.Errorf("a snapshot's two scans differ: %d and %d keys", len(first), len(second))
	}
	return nil
}

func mustIter(s kv.Snapshot) kv.Iterator {
	it, err := s.NewIterator(kv.IterOptions{})
	if err != nil {
		panic(err)
	}
	return it
}

// checkBits checks the mapping's invariant at a quiescent moment: every
// page whose bit is set lies within the file, is not dirty in the pool,
// and its mapped bytes pass the checks a read makes.
func checkBits(t *testing.T, db *DB, what string) {
	t.Helper()
	db.wmu.Lock()
	defer db.wmu.Unlock()
	db.waitCheckpointLocked()
	db.tmu.Lock()
	defer db.tmu.Unlock()
	mp := db.mapped
	n := mp.npages.Load()
	set := 0
	for ci, c := range *mp.chunks.Load() {
		for w := range c.bits {
			word := c.bits[w].Load()
			for b := range 64 {
				if word&(1<<b) == 0 {
					continue
				}
				set++
				pg := pgid(uint64(ci)<<chunkShift>>mp.shift + uint64(w*64+b) + 1)
				if uint64(pg) > n {
					t.Fatalf("%s: page %d is marked checked but lies past the file's %d pages", what, pg, n)
				}
				if s, ok := db.pool.table[pg]; ok && s.n != nil {
					t.Fatalf("%s: page %d is marked checked but is dirty", what, pg)
				}
				v := mp.run(pg, 1)
				if err := verifyPage(v, pg, pageLeaf, pageBranch); err != nil {
					t.Fatalf("%s: page %d is marked checked: %v", what, pg, err)
				}
			}
		}
	}
	if set == 0 && db.height > 1 {
		t.Fatalf("%s: no page is marked checked", what)
	}
}

// TestMmapBits follows the checked bits through writes, checkpoints,
// deletes of everything and Compact, which shrinks the file under them.
func TestMmapBits(t *testing.T) {
	needMapper(t)
	dir := t.TempDir()
	o := Options{PageSize: 1 << 10, PoolSize: 16 << 10, CheckpointSize: 32 << 10, Mmap: true}
	db := openMapped(t, o, dir)
	defer db.Close()
	r := newRand(seed(t))
	get := func() {
		for i := range 3000 {
			if _, err := db.Get([]byte(fmt.Sprintf("k%05d", i))); err != nil && !errors.Is(err, kv.ErrNotFound) {
				t.Fatal(err)
			}
		}
	}
	for round := range 3 {
		for range 3000 {
			if err := db.Put([]byte(fmt.Sprintf("k%05d", r.IntN(3000))), bytes.Repeat([]byte{'v'}, r.IntN(200))); err != nil {
				t.Fatal(err)
			}
		}
		get()
		checkBits(t, db, fmt.Sprintf("round %d, after writes", round))
		if err := db.Flush(); err != nil {
			t.Fatal(err)
		}
		get()
		checkBits(t, db, fmt.Sprintf("round %d, after a checkpoint", round))
	}
	before := db.mapped.npages.Load()
	var b kv.Batch
	b.DeleteRange([]byte("k"), []byte("l"))
	if err := db.Write(&b, kv.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := db.Compact(nil, nil); err != nil {
		t.Fatal(err)
	}
	get()
	if after := db.mapped.npages.Load(); after >= before {
		t.Fatalf("the file did not shrink: %d pages, then %d", before, after)
	}
	checkBits(t, db, "after deleting everything and compacting")
}
