package sstable

import (
	"fmt"
	"testing"

	"github.com/kvlab/kvlab/internal/base"
)

func testBlock(size int) *block {
	return &block{data: make([]byte, size-blockOverhead)}
}

func TestCacheRespectsByteBound(t *testing.T) {
	r, seed := newRand(t)
	for _, capacity := range []int64{1 << 10, 100 << 10, 3 << 20, 40 << 20} {
		c := NewCache(capacity)
		for i := range 20000 {
			size := blockOverhead + 1 + r.IntN(8<<10)
			c.insert(uint64(r.IntN(4)), uint64(i*4096), testBlock(size))
			if st := c.Stats(); st.Size > capacity || st.Size < 0 {
				t.Fatalf("seed %d: cache of %d bytes holds %d after %d inserts", seed, capacity, st.Size, i+1)
			}
		}
		st := c.Stats()
		if capacity >= 1<<20 && st.Size < capacity*3/4 {
			t.Fatalf("seed %d: cache of %d bytes holds only %d", seed, capacity, st.Size)
		}
		if st.Evictions == 0 {
			t.Fatalf("cache of %d bytes evicted nothing", capacity)
		}
	}
}

// TestCacheEvictsUnreferenced checks the second chance: a block used since
// the last eviction survives the next one, the oldest unused block goes.
func TestCacheEvictsUnreferenced(t *testing.T) {
	c := newCache(3*1000, 1)
	for i := range 3 {
		c.insert(1, uint64(i), testBlock(1000))
	}
	if c.get(1, 0) == nil { // 0 is now referenced
		t.Fatal("block 0 missing")
	}
	c.insert(1, 3, testBlock(1000)) // evicts 1
	if c.get(1, 1) != nil || c.get(1, 0) == nil || c.get(1, 2) == nil || c.get(1, 3) == nil {
		t.Fatal("the oldest unreferenced block was not the one evicted")
	}
	c.insert(1, 9, testBlock(3001)) // larger than the cache: not cached
	if c.get(1, 9) != nil {
		t.Fatal("cached a block larger than the cache")
	}
	c.insert(2, 0, testBlock(500))
	c.Evict(1)
	if st := c.Stats(); st.Entries != 1 || st.Size != 500 || c.get(2, 0) == nil {
		t.Fatalf("after Evict(1): %+v", st)
	}
	st := c.Stats()
	if st.Hits != 5 || st.Misses != 2 || st.HitRate() != 5.0/7 {
		t.Fatalf("counters %+v", st)
	}
}

func TestDisabledCache(t *testing.T) {
	for _, c := range []*Cache{nil, NewCache(0), NewCache(-5)} {
		if c.enabled() {
			t.Fatal("enabled")
		}
		c.Evict(1)
		if c.Stats() != (CacheStats{}) {
			t.Fatalf("stats %+v", c.Stats())
		}
	}
}

// TestCacheSharedByTables reads two tables with the same block offsets
// through one cache and checks that neither sees the other's blocks, and
// that a second scan is served from the cache.
func TestCacheSharedByTables(t *testing.T) {
	mk := func(tag string) []kvEntry {
		var es []kvEntry
		for i := range 500 {
			es = append(es, kvEntry{base.MakeInternalKey(fmt.Appendf(nil, "key%05d", i), 1, base.KindSet), fmt.Appendf(nil, "%s-%d", tag, i)})
		}
		return es
	}
	esA, esB := mk("a"), mk("b")
	fa, _ := buildTable(t, esA, WriterOptions{BlockSize: 512})
	fb, _ := buildTable(t, esB, WriterOptions{BlockSize: 512})
	cache := NewCache(1 << 20)
	ra, err := Open(&bytesFile{data: fa.data}, "a.sst", 1, ReaderOptions{Cache: cache})
	if err != nil {
		t.Fatal(err)
	}
	rb, err := Open(&bytesFile{data: fb.data}, "b.sst", 2, ReaderOptions{Cache: cache})
	if err != nil {
		t.Fatal(err)
	}
	for round := range 2 {
		before := ra.Stats()
		for i, e := range esA {
			for _, x := range []struct {
				r  *Reader
				es []kvEntry
			}{{ra, esA}, {rb, esB}} {
				v, _, found, err := x.r.Get(base.UserKey(e.ikey), 1)
				if err != nil || !found || string(v) != string(x.es[i].value) {
					t.Fatalf("round %d: Get %q = %q %v %v", round, base.UserKey(e.ikey), v, found, err)
				}
			}
		}
		d := ra.Stats().Sub(before)
		if round == 1 && (d.BlocksRead != 0 || d.CacheMisses != 0 || d.CacheHits != int64(len(esA))) {
			t.Fatalf("second round not served from the cache: %+v", d)
		}
	}
	cache.Evict(1)
	before := ra.Stats()
	if !sameEntries(scan(ra.NewIter(nil, nil)), esA) || !sameEntries(scan(rb.NewIter(nil, nil)), esB) {
		t.Fatal("scans differ after Evict")
	}
	if d := ra.Stats().Sub(before); d.BlocksRead != int64(len(ra.Index())) {
		t.Fatalf("after Evict(1), a scan read %d blocks, want %d", d.BlocksRead, len(ra.Index()))
	}
	ra.Close()
	rb.Close()
}
