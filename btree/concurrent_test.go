package btree

import (
	"bytes"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/vfs"
)

// TestConcurrentCheckpoints runs a writer that forces frequent checkpoints
// and write-backs (tiny pool, small checkpoint size) beside readers that
// scan and Get, and a checker that runs the integrity check and Stats
// meanwhile. Run it with -race.
func TestConcurrentCheckpoints(t *testing.T) {
	t.Run("mem", func(t *testing.T) { concurrentCheckpoints(t, vfs.NewMem(), "/db", false) })
	t.Run("os-mmap", func(t *testing.T) { concurrentCheckpoints(t, vfs.Default, t.TempDir(), true) })
}

func concurrentCheckpoints(t *testing.T, fs vfs.FS, dir string, mmap bool) {
	o := Options{PageSize: 1 << 10, PoolSize: 1, CheckpointSize: 8 << 10, Mmap: mmap}
	db, err := Open(fs, dir, o)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s := seed(t)
	ops := 4000
	if testing.Short() {
		ops = 1000
	}
	var done atomic.Bool
	var wg sync.WaitGroup
	errc := make(chan error, 8)
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer done.Store(true)
		r := newRand(s)
		for i := 0; i < ops; i++ {
			k := []byte(fmt.Sprintf("k%04d", r.IntN(800)))
			var err error
			switch {
			case mmap && i%200 == 199:
				// On the OS file system a background checkpoint's log
				// sync can take as long as the whole run: checkpoint
				// here too, so that pages move under the mapping.
				err = db.Flush()
			case r.IntN(3) == 0:
				err = db.Delete(k)
			default:
				err = db.Put(k, bytes.Repeat(k, 1+r.IntN(80))) // some values overflow
			}
			if err != nil {
				errc <- err
				return
			}
		}
	}()
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !done.Load() {
				it, _ := db.NewIterator(kv.IterOptions{})
				var prev []byte
				for ok := it.First(); ok; ok = it.Next() {
					if prev != nil && bytes.Compare(prev, it.Key()) >= 0 {
						errc <- fmt.Errorf("scan out of order: %q then %q", prev, it.Key())
					}
					if v := it.Value(); len(v) == 0 || !bytes.HasPrefix(v, it.Key()) {
						errc <- fmt.Errorf("key %q holds %.20q", it.Key(), v)
					}
					prev = append(prev[:0], it.Key()...)
				}
				if err := it.Close(); err != nil {
					errc <- err
				}
				if v, err := db.Get([]byte("k0001")); err == nil && !bytes.HasPrefix(v, []byte("k0001")) {
					errc <- fmt.Errorf("Get(k0001) = %.20q", v)
				}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for !done.Load() {
			if err := db.Check(io.Discard); err != nil {
				errc <- fmt.Errorf("Check during writes: %w", err)
				return
			}
			_ = db.Stats()
		}
	}()
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatalf("seed %d: %v", s, err)
	}
	db.wmu.Lock()
	db.waitCheckpointLocked() // the last one triggered may still be writing
	db.wmu.Unlock()
	if db.Stats().BTree.Checkpoints < 3 {
		t.Fatalf("only %d checkpoints ran", db.Stats().BTree.Checkpoints)
	}
	mustCheck(t, db, "after the run")
}
