package lsm

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/vfs"
)

// TestReopenCycles writes random puts, deletes and batches with tiny
// options, reopening the store many times (cleanly, or after a crash that
// keeps only synced data), and checks it against a model and with Check
// after every cycle.
func TestReopenCycles(t *testing.T) {
	seed := testSeed(t)
	rng := rand.New(rand.NewPCG(seed, seed^0x5eed))
	cycles, opsPer := 30, 600
	if testing.Short() {
		cycles, opsPer = 8, 400
	}
	mem := vfs.NewMem()
	var fs vfs.FS = mem
	m := model{}
	var flushes, compactions int64
	db := mustOpen(t, fs, "/db", tinyOptions())
	for c := 0; c < cycles; c++ {
		for i := 0; i < opsPer; i++ {
			k := key(rng.IntN(2000))
			switch r := rng.IntN(10); {
			case r < 6:
				v := value(rng, rng.IntN(200))
				if err := db.Put(k, v); err != nil {
					t.Fatalf("seed %d: Put: %v", seed, err)
				}
				m[string(k)] = string(v)
			case r < 8:
				if err := db.Delete(k); err != nil {
					t.Fatalf("seed %d: Delete: %v", seed, err)
				}
				delete(m, string(k))
			default:
				var b kv.Batch
				for j := 0; j < 1+rng.IntN(20); j++ {
					k := key(rng.IntN(2000))
					if rng.IntN(4) == 0 {
						b.Delete(k)
						delete(m, string(k))
					} else {
						v := value(rng, rng.IntN(100))
						b.Put(k, v)
						m[string(k)] = string(v)
					}
				}
				if err := db.Write(&b, kv.WriteOptions{}); err != nil {
					t.Fatalf("seed %d: Write: %v", seed, err)
				}
			}
		}
		if err := db.Sync(); err != nil {
			t.Fatalf("seed %d: Sync: %v", seed, err)
		}
		verify(t, seed, db, m)
		check(t, seed, db)
		st := db.Stats()
		flushes += st.LSM.Flushes
		compactions += st.LSM.Compactions
		if rng.IntN(2) == 0 {
			if err := db.Close(); err != nil {
				t.Fatalf("seed %d: Close: %v", seed, err)
			}
		} else {
			// Everything was synced: a crash must lose nothing.
			mem = mem.CrashClone(vfs.CrashOptions{})
			fs = mem
			// The crashed DB's goroutines still run against the old
			// FS; stop them.
			db.Close()
		}
		db = mustOpen(t, fs, "/db", tinyOptions())
		verify(t, seed, db, m)
	}
	if flushes == 0 || compactions == 0 {
		t.Errorf("seed %d: the test did not exercise flushes (%d) and compactions (%d)", seed, flushes, compactions)
	}
	check(t, seed, db)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestConcurrentCompaction runs writers and readers at once while tiny
// options keep flushes and compactions busy (meaningful under -race). Each
// writer owns a key range, so the final state is known; readers check that
// every key they see holds a value its writer wrote, and iterators that
// they see keys in order.
func TestConcurrentCompaction(t *testing.T) {
	seed := testSeed(t)
	db := mustOpen(t, vfs.NewMem(), "/db", tinyOptions())
	defer db.Close()
	const writers = 4
	n := 3000
	if testing.Short() {
		n = 1000
	}
	finals := make([]model, writers)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	stop := make(chan struct{})
	for w := 0; w < writers; w++ {
		finals[w] = model{}
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(seed, uint64(w)))
			for i := 0; i < n; i++ {
				k := fmt.Sprintf("w%d-%05d", w, rng.IntN(n/2))
				if rng.IntN(5) == 0 {
					if err := db.Delete([]byte(k)); err != nil {
						errs <- err
						return
					}
					delete(finals[w], k)
					continue
				}
				v := fmt.Sprintf("%s=%d", k, i)
				if err := db.Put([]byte(k), []byte(v)); err != nil {
					errs <- err
					return
				}
				finals[w][k] = v
			}
		}(w)
	}
	var rwg sync.WaitGroup
	for r := 0; r < 2; r++ {
		rwg.Add(1)
		go func(r int) {
			defer rwg.Done()
			rng := rand.New(rand.NewPCG(seed, uint64(100+r)))
			for {
				select {
				case <-stop:
					return
				default:
				}
				k := fmt.Sprintf("w%d-%05d", rng.IntN(writers), rng.IntN(n/2))
				if v, err := db.Get([]byte(k)); err == nil {
					if len(v) <= len(k) || string(v[:len(k)+1]) != k+"=" {
						errs <- fmt.Errorf("Get(%q) = %q: not a value written under that key", k, v)
						return
					}
				} else if !isNotFound(err) {
					errs <- err
					return
				}
				it, err := db.NewIterator(kv.IterOptions{LowerBound: []byte(k)})
				if err != nil {
					errs <- err
					return
				}
				var prev []byte
				for ok, j := it.First(), 0; ok && j < 50; ok, j = it.Next(), j+1 {
					if prev != nil && string(prev) >= string(it.Key()) {
						errs <- fmt.Errorf("iterator went from %q to %q", prev, it.Key())
					}
					prev = append(prev[:0], it.Key()...)
				}
				if err := it.Close(); err != nil {
					errs <- err
					return
				}
			}
		}(r)
	}
	wg.Wait()
	close(stop)
	rwg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("seed %d: %v", seed, err)
	}
	all := model{}
	for _, f := range finals {
		for k, v := range f {
			all[k] = v
		}
	}
	verify(t, seed, db, all)
	waitIdle(t, db)
	verify(t, seed, db, all)
	check(t, seed, db)
}
