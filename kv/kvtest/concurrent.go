package kvtest

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/kvlab/kvlab/kv"
)

// testConcurrent runs writers, each owning a set of keys it overwrites with
// increasing versions, beside readers that check every value is well formed,
// belongs to its key, and never goes back in version for one reader. Run it
// with -race.
func (s *suite) testConcurrent(t *testing.T) {
	r, seed := newRand(t)
	db, _, _ := s.fresh(t)
	const writers, readers, keysPerWriter = 3, 3, 50
	ops := budget(3000)
	var wg sync.WaitGroup
	var done atomic.Int32
	errc := make(chan error, writers+readers+1)
	key := func(w, k int) []byte { return []byte(fmt.Sprintf("w%d/k%03d", w, k)) }
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			defer done.Add(1)
			for i := 1; i <= ops; i++ {
				k := key(w, i%keysPerWriter)
				v := []byte(fmt.Sprintf("%s=%d", k, i))
				var err error
				if i%7 == 0 {
					var b kv.Batch
					b.Put(k, v)
					b.Put(key(w, (i+1)%keysPerWriter), []byte(fmt.Sprintf("%s=%d", key(w, (i+1)%keysPerWriter), i)))
					err = db.Write(&b, kv.WriteOptions{Sync: i%70 == 0})
				} else {
					err = db.Put(k, v)
				}
				if err != nil {
					errc <- fmt.Errorf("writer %d: %w", w, err)
					return
				}
			}
		}(w)
	}
	parse := func(k, v []byte) (int, error) {
		prefix, num, ok := strings.Cut(string(v), "=")
		n, err := strconv.Atoi(num)
		if !ok || err != nil || prefix != string(k) {
			return 0, fmt.Errorf("key %q holds %q, which is not one of its values", k, v)
		}
		return n, nil
	}
	for rd := 0; rd < readers; rd++ {
		wg.Add(1)
		go func(rd int) {
			defer wg.Done()
			seen := map[string]int{}
			for i := 0; done.Load() < writers; i++ {
				if i%50 == 0 {
					it, err := db.NewIterator(kv.IterOptions{LowerBound: []byte(fmt.Sprintf("w%d/", rd%writers))})
					if err != nil {
						errc <- err
						return
					}
					var prev []byte
					for ok := it.First(); ok; ok = it.Next() {
						if prev != nil && bytes.Compare(prev, it.Key()) >= 0 {
							errc <- fmt.Errorf("reader %d: iterator out of order: %q then %q", rd, prev, it.Key())
						}
						prev = append(prev[:0], it.Key()...)
						if _, err := parse(it.Key(), it.Value()); err != nil {
							errc <- fmt.Errorf("reader %d: iterator: %w", rd, err)
							it.Close()
							return
						}
					}
					if err := it.Close(); err != nil {
						errc <- err
						return
					}
					continue
				}
				k := key((rd+i)%writers, (i*13)%keysPerWriter)
				v, err := db.Get(k)
				if err != nil {
					continue // not written yet
				}
				n, err := parse(k, v)
				if err != nil {
					errc <- fmt.Errorf("reader %d: %w", rd, err)
					return
				}
				if n < seen[string(k)] {
					errc <- fmt.Errorf("reader %d: %q went back from version %d to %d", rd, k, seen[string(k)], n)
					return
				}
				seen[string(k)] = n
			}
		}(rd)
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatalf("seed %d: %v", seed, err)
	}
	_ = r
	// Every writer's last versions are in place.
	for w := 0; w < writers; w++ {
		for k := 0; k < keysPerWriter; k++ {
			v, err := db.Get(key(w, k))
			if err != nil {
				t.Fatalf("after the run: Get(%q): %v", key(w, k), err)
			}
			n, _ := strconv.Atoi(strings.SplitN(string(v), "=", 2)[1])
			if last := lastVersion(ops, k, keysPerWriter); n != last {
				t.Fatalf("after the run: %q at version %d, want %d", key(w, k), n, last)
			}
		}
	}
}

// lastVersion computes the last version the writer loop leaves under key k.
func lastVersion(ops, k, keys int) int {
	last := 0
	for i := 1; i <= ops; i++ {
		if i%keys == k {
			last = i
		}
		if i%7 == 0 && (i+1)%keys == k {
			last = i
		}
	}
	return last
}
