package kvtest

import (
	"bytes"
	"errors"
	"testing"

	"github.com/kvlab/kvlab/kv"
)

func mustGet(t *testing.T, db reader, key, want string) {
	t.Helper()
	v, err := db.Get([]byte(key))
	if err != nil {
		t.Fatalf("Get(%q): %v, want %.30q", key, err, want)
	}
	if v == nil {
		t.Fatalf("Get(%q) returned a nil slice; the contract says non-nil", key)
	}
	if string(v) != want {
		t.Fatalf("Get(%q) = %.30q, want %.30q", key, v, want)
	}
}

func mustMiss(t *testing.T, db reader, key string) {
	t.Helper()
	if v, err := db.Get([]byte(key)); !errors.Is(err, kv.ErrNotFound) {
		t.Fatalf("Get(%q) = %.30q, %v; want ErrNotFound", key, v, err)
	}
}

func (s *suite) testBasic(t *testing.T) {
	db, _, _ := s.fresh(t)
	mustMiss(t, db, "a")
	if err := db.Put([]byte("a"), []byte("1")); err != nil {
		t.Fatal(err)
	}
	mustGet(t, db, "a", "1")
	if err := db.Put([]byte("a"), []byte("2")); err != nil {
		t.Fatal(err)
	}
	mustGet(t, db, "a", "2")
	if err := db.Delete([]byte("a")); err != nil {
		t.Fatal(err)
	}
	mustMiss(t, db, "a")
	if err := db.Delete([]byte("never-written")); err != nil {
		t.Fatalf("Delete of an absent key: %v", err)
	}

	// The empty key, nil and empty values, binary keys.
	if err := db.Put([]byte{}, []byte("empty-key")); err != nil {
		t.Fatalf("Put(empty key): %v", err)
	}
	mustGet(t, db, "", "empty-key")
	for _, k := range []string{"nil-value", "empty-value"} {
		var v []byte
		if k == "empty-value" {
			v = []byte{}
		}
		if err := db.Put([]byte(k), v); err != nil {
			t.Fatal(err)
		}
		mustGet(t, db, k, "")
	}
	bin := "\x00\xff\x00bin\xff"
	if err := db.Put([]byte(bin), []byte("\x00\x01")); err != nil {
		t.Fatal(err)
	}
	mustGet(t, db, bin, "\x00\x01")
	mustMiss(t, db, "\x00\xff\x00bin")

	// A large value.
	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	if err := db.Put([]byte("big"), big); err != nil {
		t.Fatal(err)
	}
	mustGet(t, db, "big", string(big))

	// Slices passed in are not retained; the slice Get returns is the caller's.
	k, v := []byte("owned"), []byte("value")
	if err := db.Put(k, v); err != nil {
		t.Fatal(err)
	}
	k[0], v[0] = 'X', 'X'
	mustGet(t, db, "owned", "value")
	got, _ := db.Get([]byte("owned"))
	got[0] = 'Y'
	mustGet(t, db, "owned", "value")

	if err := db.Sync(); err != nil {
		t.Fatalf("Sync: %v", err)
	}
	st := db.Stats()
	if st.Ops.Gets == 0 || st.UserBytesWritten == 0 {
		t.Fatalf("Stats do not count operations: %+v", st.Ops)
	}
}

func (s *suite) testBadInput(t *testing.T) {
	db, _, _ := s.fresh(t)
	max := s.cfg.maxKeySize
	okKey := bytes.Repeat([]byte("k"), max)
	if err := db.Put(okKey, []byte("v")); err != nil {
		t.Fatalf("Put of a %d-byte key (the declared limit): %v", max, err)
	}
	mustGet(t, db, string(okKey), "v")
	long := bytes.Repeat([]byte("k"), max+1)
	if err := db.Put(long, []byte("v")); !errors.Is(err, kv.ErrKeyTooLarge) {
		t.Fatalf("Put of a %d-byte key: %v, want ErrKeyTooLarge", len(long), err)
	}
	if err := db.Delete(long); !errors.Is(err, kv.ErrKeyTooLarge) {
		t.Fatalf("Delete of a %d-byte key: %v, want ErrKeyTooLarge", len(long), err)
	}
	huge := bytes.Repeat([]byte("k"), kv.MaxKeySize+1)
	if err := db.Put(huge, nil); !errors.Is(err, kv.ErrKeyTooLarge) {
		t.Fatalf("Put of a key over kv.MaxKeySize: %v, want ErrKeyTooLarge", err)
	}
	// Write of a nil batch is an error, not a panic.
	func() {
		defer func() {
			if p := recover(); p != nil {
				t.Fatalf("Write(nil) panicked: %v", p)
			}
		}()
		if err := db.Write(nil, kv.WriteOptions{}); err == nil {
			t.Fatal("Write(nil) succeeded")
		}
	}()
	// A batch holding one bad key applies nothing.
	var b kv.Batch
	b.Put([]byte("first"), []byte("1"))
	b.Put(long, []byte("2"))
	b.Put([]byte("third"), []byte("3"))
	if err := db.Write(&b, kv.WriteOptions{}); !errors.Is(err, kv.ErrKeyTooLarge) {
		t.Fatalf("Write of a batch with an oversized key: %v, want ErrKeyTooLarge", err)
	}
	mustMiss(t, db, "first")
	mustMiss(t, db, "third")
	// The engine still works after refusing bad input.
	if err := db.Put([]byte("after"), []byte("ok")); err != nil {
		t.Fatal(err)
	}
	mustGet(t, db, "after", "ok")
}

func (s *suite) testClosed(t *testing.T) {
	db, _, _ := s.fresh(t)
	if err := db.Put([]byte("a"), []byte("1")); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	check := func(op string, err error) {
		t.Helper()
		if !errors.Is(err, kv.ErrClosed) {
			t.Fatalf("%s after Close: %v, want ErrClosed", op, err)
		}
	}
	_, err := db.Get([]byte("a"))
	check("Get", err)
	check("Put", db.Put([]byte("a"), []byte("2")))
	check("Delete", db.Delete([]byte("a")))
	var b kv.Batch
	b.Put([]byte("b"), nil)
	check("Write", db.Write(&b, kv.WriteOptions{Sync: true}))
	_, err = db.NewIterator(kv.IterOptions{})
	check("NewIterator", err)
	check("Sync", db.Sync())
	check("second Close", db.Close())
	_ = db.Stats() // must not panic
}
