package trie

import (
	"errors"
	"fmt"
	"testing"

	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/kv/memory"
)

func TestSaveToLoadFrom(t *testing.T) {
	db := memory.New()
	defer db.Close()
	if _, err := LoadFrom(db, "dict"); !errors.Is(err, kv.ErrNotFound) {
		t.Fatalf("LoadFrom on an empty store: %v, want kv.ErrNotFound", err)
	}
	// Several chunks.
	defer func(n int) { chunkSize = n }(chunkSize)
	chunkSize = 4 << 10
	tr := New()
	for i := range 5000 {
		tr.PutEntry(fmt.Appendf(nil, "term%07d", i*7919%1_000_003), Entry{Value: uint64(i), Weight: uint64(i % 97)})
	}
	for round := range 2 {
		if err := tr.SaveTo(db, "dict"); err != nil {
			t.Fatal(err)
		}
		got, err := LoadFrom(db, "dict")
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		if got.Len() != tr.Len() || got.Check() != nil {
			t.Fatalf("round %d: loaded %d keys, want %d", round, got.Len(), tr.Len())
		}
		tr.Delete([]byte("term0000000"))
	}
	// Only the current generation's chunks remain.
	it, _ := db.NewIterator(kv.IterOptions{})
	gens := map[uint64]bool{}
	for ok := it.First(); ok; ok = it.Next() {
		if k := it.Key(); len(k) == len("dict")+2+12 {
			gens[uint64(k[len(k)-5])] = true
		}
	}
	it.Close()
	if len(gens) != 1 {
		t.Fatalf("chunks of %d generations left, want 1", len(gens))
	}
	// Another name is independent.
	small := New()
	small.Put([]byte("x"), 1)
	if err := small.SaveTo(db, "other"); err != nil {
		t.Fatal(err)
	}
	if got, err := LoadFrom(db, "dict"); err != nil || got.Len() != tr.Len()+1-1 {
		t.Fatalf("dict after saving other: %v", err)
	}
	// Damage: a chunk changed, a chunk missing, a meta record changed.
	m, _ := db.Get(metaKey("dict"))
	meta, _ := decodeMeta(m)
	c1 := chunkKey("dict", meta.gen, 1)
	orig, _ := db.Get(c1)
	bad := append([]byte(nil), orig...)
	bad[100] ^= 1
	db.Put(c1, bad)
	expectCorrupt(t, db, "flipped chunk byte")
	db.Delete(c1)
	expectCorrupt(t, db, "missing chunk")
	db.Put(c1, orig)
	if _, err := LoadFrom(db, "dict"); err != nil {
		t.Fatalf("restored chunk: %v", err)
	}
	m[13] ^= 1
	db.Put(metaKey("dict"), m)
	expectCorrupt(t, db, "meta record")
}

func expectCorrupt(t *testing.T, db kv.Engine, what string) {
	t.Helper()
	if _, err := LoadFrom(db, "dict"); !errors.Is(err, kv.ErrCorruption) {
		t.Fatalf("%s: LoadFrom = %v, want kv.ErrCorruption", what, err)
	}
}
