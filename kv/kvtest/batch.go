package kvtest

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/kvlab/kvlab/kv"
)

func (s *suite) testBatch(t *testing.T) {
	db, _, _ := s.fresh(t)
	if err := db.Put([]byte("gone"), []byte("x")); err != nil {
		t.Fatal(err)
	}
	var b kv.Batch
	b.Put([]byte("a"), []byte("1"))
	b.Put([]byte("b"), []byte("2"))
	b.Delete([]byte("gone"))
	b.Put([]byte("c"), []byte("3"))
	b.Delete([]byte("c"))           // a later operation on the same key wins
	b.Delete([]byte("d"))           //
	b.Put([]byte("d"), []byte("4")) //
	if err := db.Write(&b, kv.WriteOptions{Sync: true}); err != nil {
		t.Fatal(err)
	}
	mustGet(t, db, "a", "1")
	mustGet(t, db, "b", "2")
	mustMiss(t, db, "gone")
	mustMiss(t, db, "c")
	mustGet(t, db, "d", "4")

	// The batch may be reused after Write returns.
	b.Reset()
	b.Put([]byte("a"), []byte("reused"))
	if err := db.Write(&b, kv.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	mustGet(t, db, "a", "reused")
	mustGet(t, db, "b", "2")

	// An empty batch is a no-op.
	if err := db.Write(&kv.Batch{}, kv.WriteOptions{Sync: true}); err != nil {
		t.Fatalf("empty batch: %v", err)
	}
}

// testSnapshotAtomicity runs writers that rewrite a group of keys in one
// batch, all to the same generation, while readers scan the group through
// iterators: a snapshot iterator must see one generation only.
func (s *suite) testSnapshotAtomicity(t *testing.T) {
	db, _, _ := s.fresh(t)
	const group = 20
	write := func(gen int) error {
		var b kv.Batch
		for i := 0; i < group; i++ {
			b.Put([]byte(fmt.Sprintf("g/%02d", i)), []byte(fmt.Sprintf("%08d", gen)))
		}
		return db.Write(&b, kv.WriteOptions{})
	}
	if err := write(0); err != nil {
		t.Fatal(err)
	}
	var stop atomic.Bool
	var wg sync.WaitGroup
	errc := make(chan error, 4)
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer stop.Store(true)
		for gen := 1; gen <= budget(2000); gen++ {
			if err := write(gen); err != nil {
				errc <- err
				return
			}
		}
	}()
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				it, err := db.NewIterator(kv.IterOptions{LowerBound: []byte("g/"), UpperBound: []byte("g0")})
				if err != nil {
					errc <- err
					return
				}
				n, first := 0, ""
				for ok := it.First(); ok; ok = it.Next() {
					if n == 0 {
						first = string(it.Value())
					} else if string(it.Value()) != first {
						errc <- fmt.Errorf("iterator saw generations %s and %s in one scan: a batch half applied", first, it.Value())
						it.Close()
						return
					}
					n++
				}
				if err := it.Close(); err != nil {
					errc <- err
					return
				}
				if n != group {
					errc <- fmt.Errorf("iterator saw %d keys of the group, want %d", n, group)
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
}
