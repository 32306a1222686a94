package memtable_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/kvlab/kvlab/internal/base"
	"github.com/kvlab/kvlab/memtable"
)

// valueFor derives an entry's value from its internal key, so that a reader
// can tell a torn or misplaced value from the right one. Its length varies.
func valueFor(ik []byte) []byte {
	h := uint64(14695981039346656037)
	for _, c := range ik {
		h = (h ^ uint64(c)) * 1099511628211
	}
	v := make([]byte, 1+h%61)
	for i := range v {
		v[i] = byte(h >> (8 * (i % 8)))
	}
	return v
}

// TestConcurrentReadersDuringWrites runs one writer and several lock-free
// readers. Readers check that iteration in both directions is strictly
// sorted, that every entry's value matches its key, that everything published
// before a scan began is seen by it, and that Get finds every published entry.
// Run it with -race.
func TestConcurrentReadersDuringWrites(t *testing.T) {
	r, seed := newRand(t)
	n := 30000
	if testing.Short() {
		n = 5000
	}
	// Unique user keys (with shared prefixes, so comparisons reach the
	// trailer), some with a second version.
	type op struct {
		ukey []byte
		seq  base.SeqNum
	}
	ops := make([]op, n)
	for i := range ops {
		k := make([]byte, 4+r.IntN(12))
		binary.BigEndian.PutUint32(k, r.Uint32()&0xff0f0f0f)
		for j := 4; j < len(k); j++ {
			k[j] = byte(r.IntN(4))
		}
		ops[i] = op{k, base.SeqNum(i + 1)}
		if i > 0 && r.IntN(4) == 0 {
			ops[i].ukey = ops[r.IntN(i)].ukey // a newer version of an earlier key
		}
	}
	m := memtable.New(memtable.WithSeed(seed), memtable.WithChunkSize(memtable.MinChunkSize))
	var published atomic.Int64   // ops[:published] are in m
	var overlapping atomic.Int64 // reader passes that began mid-write
	var done atomic.Bool
	errc := make(chan error, 16)
	fail := func(format string, args ...any) {
		select {
		case errc <- fmt.Errorf("seed %d: "+format, append([]any{seed}, args...)...):
		default:
		}
	}

	var wg sync.WaitGroup
	for reader := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rr := newReaderRand(seed, reader)
			var lastSize int64
			for pass := 0; !done.Load(); pass++ {
				if s := m.ApproximateSize(); s < lastSize {
					fail("ApproximateSize went down: %d → %d", lastSize, s)
				} else {
					lastSize = s
				}
				before := int(published.Load())
				if before > 0 && before < n {
					overlapping.Add(1)
				}
				it := m.NewIter(nil, nil)
				var prev []byte
				count := 0
				var ok bool
				if pass%2 == 0 {
					ok = it.First()
				} else {
					ok = it.Last()
				}
				for ; ok; count++ {
					k := it.Key()
					if !bytes.Equal(it.Value(), valueFor(k)) {
						fail("%s has value %x, want %x", base.Format(k), it.Value(), valueFor(k))
						return
					}
					if prev != nil {
						c := base.Compare(prev, k)
						if (pass%2 == 0 && c >= 0) || (pass%2 == 1 && c <= 0) {
							fail("pass %d: %s then %s", pass, base.Format(prev), base.Format(k))
							return
						}
					}
					prev = k // aliases the arena; stays valid
					if pass%2 == 0 {
						ok = it.Next()
					} else {
						ok = it.Prev()
					}
				}
				it.Close()
				if count < before {
					fail("pass %d saw %d entries, %d were published before it began", pass, count, before)
					return
				}
				for range 50 {
					p := int(published.Load())
					if p == 0 {
						break
					}
					o := ops[rr.IntN(p)]
					v, kind, found := m.Get(o.ukey, o.seq)
					ik := base.MakeInternalKey(o.ukey, o.seq, base.KindSet)
					if !found || kind != base.KindSet || !bytes.Equal(v, valueFor(ik)) {
						fail("Get(%q, %d) = %x, %v, %v", o.ukey, o.seq, v, kind, found)
						return
					}
				}
			}
		}()
	}

	for i, o := range ops {
		ik := base.MakeInternalKey(o.ukey, o.seq, base.KindSet)
		if err := m.Add(o.seq, base.KindSet, o.ukey, valueFor(ik)); err != nil {
			t.Errorf("seed %d: Add %d: %v", seed, i, err)
			break
		}
		published.Store(int64(i + 1))
		if i%1000 == 0 {
			runtime.Gosched() // let readers interleave on few cores
		}
	}
	done.Store(true)
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Error(err)
	}
	if err := m.CheckInvariants(); err != nil {
		t.Fatalf("seed %d: %v", seed, err)
	}
	t.Logf("%d reader passes began while the writer was running", overlapping.Load())
	if overlapping.Load() == 0 {
		t.Fatalf("seed %d: no reader pass overlapped the writer; the test proved nothing", seed)
	}
	if m.Len() != n {
		t.Fatalf("seed %d: Len %d, want %d", seed, m.Len(), n)
	}
}
