package sstable

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"

	"github.com/kvlab/kvlab/internal/base"
	"github.com/kvlab/kvlab/vfs"
)

// bytesFile is a vfs.File over a byte slice, for tests that build tables
// in memory and damage them.
type bytesFile struct {
	data   []byte
	closed bool
	syncs  int
}

var _ vfs.File = (*bytesFile)(nil)

func (f *bytesFile) Write(p []byte) (int, error) { f.data = append(f.data, p...); return len(p), nil }
func (f *bytesFile) WriteAt(p []byte, off int64) (int, error) {
	if need := int(off) + len(p); need > len(f.data) {
		f.data = append(f.data, make([]byte, need-len(f.data))...)
	}
	return copy(f.data[off:], p), nil
}
func (f *bytesFile) ReadAt(p []byte, off int64) (int, error) {
	if off >= int64(len(f.data)) {
		return 0, io.EOF
	}
	n := copy(p, f.data[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}
func (f *bytesFile) Close() error           { f.closed = true; return nil }
func (f *bytesFile) Sync() error            { f.syncs++; return nil }
func (f *bytesFile) Size() (int64, error)   { return int64(len(f.data)), nil }
func (f *bytesFile) Truncate(n int64) error { f.data = f.data[:n]; return nil }

// kvEntry is one entry of the model: a sorted slice of internal keys.
type kvEntry struct {
	ikey, value []byte
}

func (e kvEntry) String() string { return fmt.Sprintf("%s=%q", base.Format(e.ikey), trunc(e.value)) }

func trunc(b []byte) []byte {
	if len(b) > 16 {
		return b[:16]
	}
	return b
}

// newRand returns a generator and its seed, to be printed in failures.
func newRand(t testing.TB) (*rand.Rand, uint64) {
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	return rand.New(rand.NewPCG(seed, seed^0x5eed)), seed
}

// genConfig shapes the random entries of a model.
type genConfig struct {
	n              int // user keys
	maxVersions    int
	minKey, maxKey int // user key length range
	minVal, maxVal int // value length range
	alphabet       int // distinct byte values in keys (small: long shared prefixes)
	deleteOneIn    int
	bigValueOneIn  int // 0: never; else one in N values is up to 64 KiB
	bigKeyOneIn    int
}

// genEntries returns sorted, unique entries with several versions per user
// key and unique sequence numbers.
func genEntries(r *rand.Rand, c genConfig) []kvEntry {
	ukeys := map[string]bool{}
	randKey := func() []byte {
		n := c.minKey + r.IntN(c.maxKey-c.minKey+1)
		if c.bigKeyOneIn > 0 && r.IntN(c.bigKeyOneIn) == 0 {
			n = r.IntN(64<<10) + 1
		}
		k := make([]byte, n)
		for i := range k {
			if c.alphabet == 256 {
				k[i] = byte(r.Uint32())
			} else {
				k[i] = 'a' + byte(r.IntN(c.alphabet))
			}
		}
		return k
	}
	for tries := 0; len(ukeys) < c.n && tries < 10*c.n+100; tries++ {
		ukeys[string(randKey())] = true
	}
	var seqs []base.SeqNum
	var out []kvEntry
	seqSet := map[base.SeqNum]bool{}
	for uk := range ukeys {
		nv := 1 + r.IntN(c.maxVersions)
		for range nv {
			var seq base.SeqNum
			for {
				seq = base.SeqNum(r.Uint64N(1 << 20))
				if r.IntN(50) == 0 {
					seq = base.MaxSeqNum - base.SeqNum(r.IntN(10))
				}
				if !seqSet[seq] {
					break
				}
			}
			seqSet[seq] = true
			seqs = append(seqs, seq)
			kind := base.KindSet
			if c.deleteOneIn > 0 && r.IntN(c.deleteOneIn) == 0 {
				kind = base.KindDelete
			}
			var val []byte
			if kind == base.KindSet {
				vl := c.minVal + r.IntN(c.maxVal-c.minVal+1)
				if c.bigValueOneIn > 0 && r.IntN(c.bigValueOneIn) == 0 {
					vl = r.IntN(64<<10 + 1)
				}
				val = make([]byte, vl)
				for i := range val {
					val[i] = byte(r.IntN(4)) // compressible
				}
			}
			out = append(out, kvEntry{base.MakeInternalKey([]byte(uk), seq, kind), val})
		}
	}
	sortEntries(out)
	return out
}

func sortEntries(es []kvEntry) {
	sort.Slice(es, func(i, j int) bool { return base.Compare(es[i].ikey, es[j].ikey) < 0 })
}

// buildTable writes the entries into an in-memory file.
func buildTable(t testing.TB, es []kvEntry, opts WriterOptions) (*bytesFile, Meta) {
	t.Helper()
	f := &bytesFile{}
	w := NewWriter(f, opts)
	for _, e := range es {
		if err := w.Add(e.ikey, e.value); err != nil {
			t.Fatalf("Add(%s): %v", base.Format(e.ikey), err)
		}
	}
	m, err := w.Finish()
	if err != nil {
		t.Fatalf("Finish: %v", err)
	}
	if m.FileSize != uint64(len(f.data)) {
		t.Fatalf("Meta.FileSize %d, file has %d bytes", m.FileSize, len(f.data))
	}
	return f, m
}

func openBytes(t testing.TB, data []byte, opts ReaderOptions) *Reader {
	t.Helper()
	r, err := Open(&bytesFile{data: data}, "test.sst", 1, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return r
}

// modelGet is Get on the model: the newest entry of ukey with seq <= seq.
func modelGet(es []kvEntry, ukey []byte, seq base.SeqNum) (kvEntry, bool) {
	target := base.SeekKey(nil, ukey, seq)
	i := sort.Search(len(es), func(i int) bool { return base.Compare(es[i].ikey, target) >= 0 })
	if i < len(es) && bytes.Equal(base.UserKey(es[i].ikey), ukey) {
		return es[i], true
	}
	return kvEntry{}, false
}

// scan returns every entry of the iterator, forward.
func scan(it *Iter) []kvEntry {
	var out []kvEntry
	for ok := it.First(); ok; ok = it.Next() {
		out = append(out, kvEntry{slices.Clone(it.Key()), slices.Clone(it.Value())})
	}
	return out
}

func equalEntry(a, b kvEntry) bool {
	return bytes.Equal(a.ikey, b.ikey) && bytes.Equal(a.value, b.value)
}
