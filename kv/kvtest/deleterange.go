package kvtest

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/kvlab/kvlab/kv"
)

// testDeleteRange checks the half-open semantics of Batch.DeleteRange,
// its order within a batch, its bad-input errors and its persistence; an
// engine declared NoDeleteRange must refuse it whole instead. The random
// model, snapshot and crash tests mix range deletes with everything else.
func (s *suite) testDeleteRange(t *testing.T) {
	db, fs, dir := s.fresh(t)
	m := model{}
	put := func(keys ...string) {
		t.Helper()
		var b kv.Batch
		for _, k := range keys {
			b.Put([]byte(k), []byte("v"+k))
		}
		if err := db.Write(&b, kv.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
		m.apply(&b)
	}
	write := func(ctx string, b *kv.Batch) {
		t.Helper()
		if err := db.Write(b, kv.WriteOptions{}); err != nil {
			t.Fatalf("%s: %v", ctx, err)
		}
		m.apply(b)
		checkDB(t, db, m, []string{"a", "c", "cz", "d", "e", "f"}, ctx)
	}
	put(strings.Split("a b c ca cz d e f g", " ")...)

	if s.cfg.noRange {
		var b kv.Batch
		b.Put([]byte("new"), []byte("1"))
		b.DeleteRange([]byte("a"), []byte("z"))
		if err := db.Write(&b, kv.WriteOptions{}); !errors.Is(err, kv.ErrNotSupported) {
			t.Fatalf("Write of a DeleteRange on an engine declared NoDeleteRange: %v, want ErrNotSupported", err)
		}
		checkDB(t, db, m, []string{"new"}, "after a refused DeleteRange")
		return
	}

	var b kv.Batch
	b.DeleteRange([]byte("c"), []byte("e")) // c, ca, cz, d; not e
	write("DeleteRange(c, e)", &b)
	b.Reset()
	b.DeleteRange([]byte("f"), []byte("f")) // empty
	write("DeleteRange(f, f)", &b)
	b.Reset()
	b.DeleteRange([]byte("x"), []byte("z")) // covers nothing
	write("DeleteRange(x, z)", &b)

	// Order within a batch: a put after the range delete stands, one
	// before it is removed.
	b.Reset()
	b.Put([]byte("c"), []byte("before"))
	b.Put([]byte("e0"), []byte("before"))
	b.DeleteRange([]byte("b"), []byte("e5"))
	b.Put([]byte("d"), []byte("after"))
	write("Put, DeleteRange, Put in one batch", &b)
	mustMiss(t, db, "c")
	mustMiss(t, db, "e0")
	mustGet(t, db, "d", "after")

	// The empty key is a valid start; a range to a large key empties the store.
	put("", "\x00", "zz")
	b.Reset()
	b.DeleteRange([]byte{}, []byte("\x00\x01"))
	write("DeleteRange from the empty key", &b)
	mustMiss(t, db, "")

	// Bad input: an inverted range or an oversized bound fails the whole
	// batch and changes nothing.
	b.Reset()
	b.Put([]byte("a"), []byte("changed"))
	b.DeleteRange([]byte("m"), []byte("b"))
	if err := db.Write(&b, kv.WriteOptions{}); !errors.Is(err, kv.ErrInvalidRange) {
		t.Fatalf("DeleteRange(m, b): %v, want ErrInvalidRange", err)
	}
	b.Reset()
	b.Put([]byte("a"), []byte("changed"))
	b.DeleteRange([]byte("a"), make([]byte, kv.MaxKeySize+1))
	if err := db.Write(&b, kv.WriteOptions{}); !errors.Is(err, kv.ErrKeyTooLarge) {
		t.Fatalf("DeleteRange with an oversized end: %v, want ErrKeyTooLarge", err)
	}
	checkDB(t, db, m, []string{"a"}, "after refused batches")
	if st := db.Stats(); st.Ops.RangeDeletes == 0 {
		t.Errorf("Stats().Ops.RangeDeletes = 0 after several DeleteRanges")
	}

	// Many keys, then one range over most of them; then persistence.
	var big kv.Batch
	for i := 0; i < budget(4000); i++ {
		big.Put([]byte(fmt.Sprintf("n/%06d", i)), []byte(fmt.Sprintf("value %d", i)))
	}
	write("4000 keys", &big)
	b.Reset()
	b.DeleteRange([]byte("n/000100"), []byte(fmt.Sprintf("n/%06d", budget(4000)-100)))
	write("DeleteRange over most of them", &b)
	if s.cfg.volatile {
		return
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	var err error
	if db, err = s.open(fs, dir); err != nil {
		t.Fatalf("reopen: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	checkDB(t, db, m, []string{"n/000100", "n/000099"}, "after reopen")
}

// randomBatch builds a batch of up to n random operations on g's keys,
// with range deletes unless the engine has none.
func (s *suite) randomBatch(g keyGen, n int, value func() string) *kv.Batch {
	var b kv.Batch
	for j := g.r.IntN(n); j >= 0; j-- {
		switch op := g.r.IntN(20); {
		case op == 0 && !s.cfg.noRange:
			lo, hi := g.span()
			b.DeleteRange([]byte(lo), []byte(hi))
		case op < 5:
			b.Delete([]byte(g.key()))
		default:
			b.Put([]byte(g.key()), []byte(value()))
		}
	}
	return &b
}
