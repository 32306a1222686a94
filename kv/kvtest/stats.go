package kvtest

import (
	"errors"
	"testing"

	"github.com/kvlab/kvlab/kv"
)

// testStats checks that the engine counts operations and user bytes as
// kv.Stats documents, so that every engine's figures mean the same: Batches
// counts every successful Write (an empty one too) and each Put and Delete;
// UserBytesRead counts key plus value for a Get that finds a value and for
// each entry an iterator returns; iterator counts are exact once the
// iterator is closed.
func (s *suite) testStats(t *testing.T) {
	db, _, _ := s.fresh(t)
	before := db.Stats()
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	must("Put", db.Put([]byte("k1"), []byte("value1"))) // 8 bytes
	must("Put", db.Put([]byte("key2"), []byte("v")))    // 5
	must("Delete", db.Delete([]byte("k1")))             // 2
	var b kv.Batch
	b.Put([]byte("k3"), []byte("vv")) // 4
	b.Delete([]byte("key2"))          // 4
	must("Write", db.Write(&b, kv.WriteOptions{}))
	var empty kv.Batch
	must("empty Write", db.Write(&empty, kv.WriteOptions{}))

	if v, err := db.Get([]byte("k3")); err != nil || string(v) != "vv" {
		t.Fatalf("Get k3: %q, %v", v, err)
	}
	if _, err := db.Get([]byte("absent")); !errors.Is(err, kv.ErrNotFound) {
		t.Fatalf("Get absent: %v, want ErrNotFound", err)
	}
	afterGets := db.Stats().Sub(before)

	it, err := db.NewIterator(kv.IterOptions{})
	must("NewIterator", err)
	n := 0
	for ok := it.First(); ok; ok = it.Next() {
		_, _ = it.Key(), it.Value()
		n++
	}
	must("iterator", it.Err())
	must("iterator Close", it.Close())
	d := db.Stats().Sub(before)

	want := kv.OpStats{Gets: 2, GetHits: 1, Puts: 3, Deletes: 2, Batches: 5, Iterators: 1, Seeks: 1, Steps: 1}
	if n != 1 {
		t.Fatalf("iterator returned %d entries, want 1", n)
	}
	if d.Ops != want {
		t.Errorf("Ops = %+v, want %+v", d.Ops, want)
	}
	if d.UserBytesWritten != 23 {
		t.Errorf("UserBytesWritten = %d, want 23 (keys and values of Put, Delete and Write)", d.UserBytesWritten)
	}
	if afterGets.UserBytesRead != 4 {
		t.Errorf("UserBytesRead after the Gets = %d, want 4 (key and value of the one hit)", afterGets.UserBytesRead)
	}
	if d.UserBytesRead != 8 {
		t.Errorf("UserBytesRead after the scan = %d, want 8 (the Get's 4 and the scanned entry's key and value)", d.UserBytesRead)
	}
}

// testIteratorAfterClose checks that an iterator left open when the engine
// closes stops: it is no longer valid, cannot be positioned again, and its
// Err wraps kv.ErrClosed.
func (s *suite) testIteratorAfterClose(t *testing.T) {
	db, _, _ := s.fresh(t)
	for _, k := range []string{"a", "b", "c"} {
		if err := db.Put([]byte(k), []byte("v")); err != nil {
			t.Fatal(err)
		}
	}
	it, err := db.NewIterator(kv.IterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !it.First() {
		t.Fatalf("First: not valid: %v", it.Err())
	}
	if err := db.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if it.Next() {
		t.Fatalf("Next after the engine's Close returned %q", it.Key())
	}
	if it.First() || it.SeekGE([]byte("a")) || it.Last() || it.Valid() {
		t.Fatal("an iterator of a closed engine can still be positioned")
	}
	if !errors.Is(it.Err(), kv.ErrClosed) {
		t.Fatalf("Err after the engine's Close: %v, want ErrClosed", it.Err())
	}
	_ = it.Close() // must not panic
}
