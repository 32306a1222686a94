package sstable

import (
	"bytes"
	"fmt"
	"sort"
	"testing"

	"github.com/kvlab/kvlab/internal/base"
)

// iterModel is the sorted-slice model of an Iter with bounds.
type iterModel struct {
	es  []kvEntry // entries within the bounds
	pos int       // -1 or len(es) when not valid
}

func (m *iterModel) valid() bool { return m.pos >= 0 && m.pos < len(m.es) }

func (m *iterModel) seekGE(k []byte) bool {
	m.pos = sort.Search(len(m.es), func(i int) bool { return base.Compare(m.es[i].ikey, k) >= 0 })
	return m.valid()
}

func (m *iterModel) seekLT(k []byte) bool {
	m.pos = sort.Search(len(m.es), func(i int) bool { return base.Compare(m.es[i].ikey, k) >= 0 }) - 1
	return m.valid()
}

func (m *iterModel) step(d int) bool {
	if !m.valid() {
		return false
	}
	m.pos += d
	if m.pos < 0 || m.pos >= len(m.es) {
		m.pos = -1 // exhausted: stays invalid until repositioned
	}
	return m.valid()
}

// TestIterRandomOps drives an Iter and the model through the same random
// sequence of seeks, steps and direction changes, with random bounds, and
// compares every position.
func TestIterRandomOps(t *testing.T) {
	for _, opts := range []WriterOptions{
		{BlockSize: 64, RestartInterval: 1},
		{BlockSize: 256, RestartInterval: 2, Compression: NoCompression},
		{BlockSize: 1024, RestartInterval: 16, BloomBitsPerKey: 10},
		{BlockSize: 4096, RestartInterval: 5},
	} {
		t.Run(fmt.Sprintf("block=%d/restart=%d", opts.BlockSize, opts.RestartInterval), func(t *testing.T) {
			t.Parallel()
			r, seed := newRand(t)
			es := genEntries(r, genConfig{n: 400, maxVersions: 4, minKey: 0, maxKey: 6, minVal: 0, maxVal: 40, alphabet: 4, deleteOneIn: 4})
			f, _ := buildTable(t, es, opts)
			var cache *Cache
			if r.IntN(2) == 0 {
				cache = NewCache(8 << 10) // small: blocks come and go
			}
			rd := openBytes(t, f.data, ReaderOptions{Cache: cache})
			defer rd.Close()
			randUserKey := func() []byte {
				if r.IntN(3) > 0 {
					return base.UserKey(es[r.IntN(len(es))].ikey)
				}
				k := make([]byte, r.IntN(7))
				for i := range k {
					k[i] = 'a' + byte(r.IntN(5))
				}
				return k
			}
			randSeek := func() []byte {
				seq := base.SeqNum(r.Uint64N(1 << 20))
				switch r.IntN(4) {
				case 0:
					seq = base.MaxSeqNum
				case 1:
					e := es[r.IntN(len(es))]
					return e.ikey
				}
				return base.MakeInternalKey(randUserKey(), seq, base.Kind(r.IntN(2)))
			}
			for round := range 60 {
				var lower, upper []byte
				if r.IntN(2) == 0 {
					lower = randUserKey()
				}
				if r.IntN(2) == 0 {
					upper = randUserKey()
				}
				m := &iterModel{pos: -1}
				for _, e := range es {
					uk := base.UserKey(e.ikey)
					if (lower == nil || bytes.Compare(uk, lower) >= 0) && (upper == nil || bytes.Compare(uk, upper) < 0) {
						m.es = append(m.es, e)
					}
				}
				it := rd.NewIter(lower, upper)
				var trace []string
				for range 300 {
					var got, want bool
					var op string
					switch x := r.IntN(20); {
					case x == 0:
						op, got, want = "First", it.First(), m.seekGE(base.MakeInternalKey(nil, base.MaxSeqNum, base.KindMax))
					case x == 1:
						m.pos = len(m.es) - 1
						op, got, want = "Last", it.Last(), m.valid()
					case x < 5:
						k := randSeek()
						op, got, want = "SeekGE "+base.Format(k), it.SeekGE(k), m.seekGE(k)
					case x < 8:
						k := randSeek()
						op, got, want = "SeekLT "+base.Format(k), it.SeekLT(k), m.seekLT(k)
					case x < 14:
						op, got, want = "Next", it.Next(), m.step(1)
					default:
						op, got, want = "Prev", it.Prev(), m.step(-1)
					}
					trace = append(trace, op)
					if len(trace) > 8 {
						trace = trace[1:]
					}
					if got != want || it.Valid() != want {
						t.Fatalf("seed %d round %d bounds [%q, %q): %v returned %v, model %v (pos %d of %d); last ops %q",
							seed, round, lower, upper, op, got, want, m.pos, len(m.es), trace)
					}
					if want && !equalEntry(kvEntry{it.Key(), it.Value()}, m.es[m.pos]) {
						t.Fatalf("seed %d round %d bounds [%q, %q): after %q at %s, model at %v",
							seed, round, lower, upper, trace, base.Format(it.Key()), m.es[m.pos])
					}
				}
				if err := it.Close(); err != nil {
					t.Fatalf("seed %d: %v", seed, err)
				}
			}
		})
	}
}

// TestIterDirectionSwitchEveryStep zigzags through the whole table: two
// steps forward, one back, at every position, across block boundaries.
func TestIterDirectionSwitchEveryStep(t *testing.T) {
	r, seed := newRand(t)
	es := genEntries(r, genConfig{n: 300, maxVersions: 2, minKey: 1, maxKey: 8, maxVal: 30, alphabet: 26})
	f, _ := buildTable(t, es, WriterOptions{BlockSize: 128, RestartInterval: 4})
	rd := openBytes(t, f.data, ReaderOptions{Cache: NewCache(1 << 20)})
	defer rd.Close()
	it := rd.NewIter(nil, nil)
	defer it.Close()
	if !it.First() {
		t.Fatal("empty")
	}
	for i := 0; i < len(es)-1; i++ {
		if !it.Next() || !bytes.Equal(it.Key(), es[i+1].ikey) {
			t.Fatalf("seed %d: Next to %d", seed, i+1)
		}
		if !it.Prev() || !bytes.Equal(it.Key(), es[i].ikey) {
			t.Fatalf("seed %d: Prev back to %d: got %s want %s", seed, i, base.Format(it.Key()), base.Format(es[i].ikey))
		}
		if !it.Next() {
			t.Fatalf("seed %d: Next again at %d", seed, i)
		}
	}
	if it.Next() || it.Prev() {
		t.Fatal("stepping past the end did not stick")
	}
	if !it.Last() || !bytes.Equal(it.Key(), es[len(es)-1].ikey) {
		t.Fatal("Last after exhaustion")
	}
	if it.Prev(); it.Key() == nil || !bytes.Equal(it.Key(), es[len(es)-2].ikey) {
		t.Fatal("Prev from Last")
	}
}

func TestIterRejectsShortSeekKey(t *testing.T) {
	f, _ := buildTable(t, []kvEntry{{base.MakeInternalKey([]byte("a"), 1, base.KindSet), nil}}, DefaultWriterOptions())
	rd := openBytes(t, f.data, ReaderOptions{})
	defer rd.Close()
	it := rd.NewIter(nil, nil)
	if it.SeekGE([]byte("a")) || it.Err() == nil {
		t.Fatal("SeekGE with a user key instead of an internal key did not fail")
	}
	if it.First() {
		t.Fatal("iterator usable after an error")
	}
	if it.Close() == nil || it.Close() == nil {
		t.Fatal("Close did not return the sticky error")
	}
}
