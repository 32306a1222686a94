package sstable

import (
	"bytes"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/kvlab/kvlab/internal/base"
)

// TestConcurrentReaders runs Gets and iterators on one Reader from several
// goroutines through a cache small enough to evict constantly (run with
// -race).
func TestConcurrentReaders(t *testing.T) {
	r, seed := newRand(t)
	es := genEntries(r, genConfig{n: 2000, maxVersions: 3, minKey: 1, maxKey: 12, maxVal: 100, alphabet: 8, deleteOneIn: 6})
	f, _ := buildTable(t, es, WriterOptions{BlockSize: 512, RestartInterval: 4, BloomBitsPerKey: 10})
	cache := NewCache(16 << 10)
	rd := openBytes(t, f.data, ReaderOptions{Cache: cache})
	defer rd.Close()
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			gr := rand.New(rand.NewPCG(seed, uint64(g)))
			for range 300 {
				e := es[gr.IntN(len(es))]
				if g%2 == 0 {
					v, kind, found, err := rd.Get(base.UserKey(e.ikey), base.Seq(e.ikey))
					if err != nil || !found || kind != base.KindOf(e.ikey) || !bytes.Equal(v, e.value) {
						errs <- "Get " + base.Format(e.ikey)
						return
					}
					continue
				}
				it := rd.NewIter(base.UserKey(e.ikey), nil)
				var keys [][]byte
				for ok := it.SeekGE(e.ikey); ok && len(keys) < 50; ok = it.Next() {
					keys = append(keys, bytes.Clone(it.Key()))
				}
				ok := false
				if it.Valid() {
					ok = it.Prev()
				} else if it.Err() == nil {
					ok = it.Last()
				}
				n := len(keys)
				for ; ok && n > 0 && bytes.Equal(it.Key(), keys[n-1]); ok = it.Prev() {
					n--
				}
				if n != 0 || !bytes.Equal(keys[0], e.ikey) || it.Close() != nil {
					errs <- "iterator from " + base.Format(e.ikey)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatalf("seed %d: %s", seed, e)
	}
	if st := cache.Stats(); st.Evictions == 0 || st.Size > 16<<10 {
		t.Fatalf("cache %+v: expected evictions within the bound", st)
	}
}
