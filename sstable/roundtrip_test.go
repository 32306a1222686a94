package sstable

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/kvlab/kvlab/internal/base"
	"github.com/kvlab/kvlab/kv"
)

// TestRoundTrip builds tables across block sizes, restart intervals,
// compression and filter settings, with keys and values from 0 bytes to
// 64 KiB, and checks scans both ways, Get at many sequence numbers, and the
// properties against a sorted-slice model.
func TestRoundTrip(t *testing.T) {
	for _, bs := range []int{64, 1 << 10, 4 << 10, 64 << 10} {
		for _, ri := range []int{1, 2, 16} {
			for _, comp := range []Compression{SnappyCompression, NoCompression} {
				for _, bits := range []int{0, 10} {
					opts := WriterOptions{BlockSize: bs, RestartInterval: ri, Compression: comp, BloomBitsPerKey: bits}
					t.Run(fmt.Sprintf("block=%d/restart=%d/%s/bits=%d", bs, ri, comp, bits), func(t *testing.T) {
						t.Parallel()
						r, seed := newRand(t)
						es := genEntries(r, genConfig{n: 200, maxVersions: 3, minKey: 0, maxKey: 20, minVal: 0, maxVal: 300,
							alphabet: 3, deleteOneIn: 5, bigValueOneIn: 60, bigKeyOneIn: 150})
						checkTable(t, seed, es, opts)
					})
				}
			}
		}
	}
}

func checkTable(t *testing.T, seed uint64, es []kvEntry, opts WriterOptions) {
	f, meta := buildTable(t, es, opts)
	rd := openBytes(t, f.data, ReaderOptions{Cache: NewCache(1 << 20)})
	defer rd.Close()

	// Properties.
	p := rd.Properties()
	var dels, rawK, rawV uint64
	minSeq, maxSeq := base.MaxSeqNum, base.SeqNum(0)
	for _, e := range es {
		if base.KindOf(e.ikey) == base.KindDelete {
			dels++
		}
		rawK += uint64(len(e.ikey))
		rawV += uint64(len(e.value))
		minSeq, maxSeq = min(minSeq, base.Seq(e.ikey)), max(maxSeq, base.Seq(e.ikey))
	}
	if p.NumEntries != uint64(len(es)) || p.NumDeletions != dels || p.RawKeySize != rawK || p.RawValueSize != rawV ||
		!bytes.Equal(p.SmallestKey, es[0].ikey) || !bytes.Equal(p.LargestKey, es[len(es)-1].ikey) ||
		p.SmallestSeq != minSeq || p.LargestSeq != maxSeq {
		t.Fatalf("seed %d: properties %+v disagree with the model (%d entries, %d deletions, %d/%d raw bytes, seqs %d..%d)",
			seed, p, len(es), dels, rawK, rawV, minSeq, maxSeq)
	}
	if p.NumDataBlocks != uint64(len(rd.Index())) || p.BlockSize != uint64(opts.BlockSize) ||
		p.RestartInterval != uint64(opts.RestartInterval) || p.BloomBitsPerKey != uint64(opts.BloomBitsPerKey) ||
		p.Compression != opts.Compression {
		t.Fatalf("seed %d: properties %+v disagree with options %+v", seed, p, opts)
	}
	distinct := uint64(0)
	for i, e := range es {
		if i == 0 || !bytes.Equal(base.UserKey(es[i-1].ikey), base.UserKey(e.ikey)) {
			distinct++
		}
	}
	if wantKeys := distinct * uint64(min(opts.BloomBitsPerKey, 1)); p.FilterKeys != wantKeys {
		t.Fatalf("seed %d: filter holds %d keys, want %d", seed, p.FilterKeys, wantKeys)
	}
	if (p.FilterSize > 0) != (opts.BloomBitsPerKey > 0) {
		t.Fatalf("seed %d: filter size %d with %d bits per key", seed, p.FilterSize, opts.BloomBitsPerKey)
	}
	if !slices.EqualFunc([]any{meta.Properties.NumEntries, meta.Properties.IndexSize}, []any{p.NumEntries, p.IndexSize}, func(a, b any) bool { return a == b }) {
		t.Fatalf("seed %d: Finish's meta %+v differs from the stored properties %+v", seed, meta.Properties, p)
	}

	// Scans.
	it := rd.NewIter(nil, nil)
	got := scan(it)
	if err := it.Close(); err != nil {
		t.Fatalf("seed %d: scan: %v", seed, err)
	}
	if len(got) != len(es) {
		t.Fatalf("seed %d: forward scan returned %d entries, want %d", seed, len(got), len(es))
	}
	for i := range es {
		if !equalEntry(got[i], es[i]) {
			t.Fatalf("seed %d: forward scan entry %d is %v, want %v", seed, i, got[i], es[i])
		}
	}
	it = rd.NewIter(nil, nil)
	i := len(es) - 1
	for ok := it.Last(); ok; ok = it.Prev() {
		if i < 0 || !equalEntry(kvEntry{it.Key(), it.Value()}, es[i]) {
			t.Fatalf("seed %d: reverse scan at %d: got %s, want %v", seed, i, base.Format(it.Key()), es[max(i, 0)])
		}
		i--
	}
	if err := it.Close(); err != nil || i != -1 {
		t.Fatalf("seed %d: reverse scan stopped at %d: %v", seed, i, err)
	}

	// Gets at every version's sequence number, just below it, and at the
	// extremes.
	for _, e := range es {
		ukey, seq := base.UserKey(e.ikey), base.Seq(e.ikey)
		for _, s := range []base.SeqNum{seq, seq - 1, 0, base.MaxSeqNum} {
			if seq == 0 && s == seq-1 {
				continue
			}
			checkGet(t, seed, rd, es, ukey, s)
		}
		absent := append(slices.Clone(ukey), 0)
		checkGet(t, seed, rd, es, absent, base.MaxSeqNum)
	}
}

func checkGet(t *testing.T, seed uint64, rd *Reader, es []kvEntry, ukey []byte, seq base.SeqNum) {
	t.Helper()
	val, kind, found, err := rd.Get(ukey, seq)
	if err != nil {
		t.Fatalf("seed %d: Get(%q, %d): %v", seed, trunc(ukey), seq, err)
	}
	want, wantFound := modelGet(es, ukey, seq)
	if found != wantFound {
		t.Fatalf("seed %d: Get(%q, %d) found=%v, want %v (%v)", seed, trunc(ukey), seq, found, wantFound, want)
	}
	if !found {
		return
	}
	if kind != base.KindOf(want.ikey) || !bytes.Equal(val, want.value) {
		t.Fatalf("seed %d: Get(%q, %d) = %s %q, want %v", seed, trunc(ukey), seq, kind, trunc(val), want)
	}
	if kind == base.KindSet && val == nil {
		t.Fatalf("seed %d: Get(%q, %d) returned a nil value for a set", seed, trunc(ukey), seq)
	}
}

// TestGetVersionsAcrossBlocks puts many versions of one key into tiny
// blocks, so that the visible version is often in a later block than the
// seek target's index entry.
func TestGetVersionsAcrossBlocks(t *testing.T) {
	var es []kvEntry
	for _, uk := range []string{"a", "k", "z"} {
		for seq := base.SeqNum(300); seq >= 10; seq -= 10 {
			kind := base.KindSet
			if seq%70 == 0 {
				kind = base.KindDelete
			}
			var v []byte
			if kind == base.KindSet {
				v = fmt.Appendf(nil, "%s@%d", uk, seq)
			}
			es = append(es, kvEntry{base.MakeInternalKey([]byte(uk), seq, kind), v})
		}
	}
	for _, ri := range []int{1, 3} {
		f, _ := buildTable(t, es, WriterOptions{BlockSize: 64, RestartInterval: ri, BloomBitsPerKey: 10})
		rd := openBytes(t, f.data, ReaderOptions{})
		if n := len(rd.Index()); n < 20 {
			t.Fatalf("only %d blocks", n)
		}
		for _, uk := range []string{"a", "k", "z", "b", ""} {
			for seq := base.SeqNum(0); seq <= 310; seq++ {
				checkGet(t, 0, rd, es, []byte(uk), seq)
			}
		}
		if st := rd.Stats(); st.BlocksTouched < st.Gets/2 || st.BlocksPerGet() > 2 {
			t.Fatalf("implausible read amplification: %+v", st)
		}
		rd.Close()
	}
}

func TestEmptyTable(t *testing.T) {
	f, meta := buildTable(t, nil, DefaultWriterOptions())
	if meta.Properties.NumEntries != 0 || meta.Properties.NumDataBlocks != 0 {
		t.Fatalf("empty table meta %+v", meta)
	}
	rd := openBytes(t, f.data, ReaderOptions{})
	defer rd.Close()
	if _, _, found, err := rd.Get([]byte("x"), base.MaxSeqNum); found || err != nil {
		t.Fatalf("Get on empty table: %v %v", found, err)
	}
	it := rd.NewIter(nil, nil)
	if it.First() || it.Last() || it.SeekGE(base.MakeInternalKey(nil, 1, base.KindSet)) || it.SeekLT(base.MakeInternalKey([]byte("z"), 1, base.KindSet)) {
		t.Fatal("iterator over an empty table found an entry")
	}
	if err := it.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestWriterRejectsBadKeys(t *testing.T) {
	w := NewWriter(&bytesFile{}, DefaultWriterOptions())
	k := func(u string, seq base.SeqNum) []byte { return base.MakeInternalKey([]byte(u), seq, base.KindSet) }
	if err := w.Add([]byte("short"), nil); err == nil {
		t.Fatal("accepted a 5-byte internal key")
	}
	bad := k("a", 1)
	bad[len(bad)-8] = 9
	if err := w.Add(bad, nil); err == nil {
		t.Fatal("accepted an unknown kind")
	}
	if err := w.Add(k("b", 5), nil); err != nil {
		t.Fatal(err)
	}
	for _, key := range [][]byte{k("b", 5), k("b", 6), k("a", 1)} {
		if err := w.Add(key, nil); err == nil {
			t.Fatalf("accepted %s after b#5", base.Format(key))
		}
	}
	if err := w.Add(k("b", 4), []byte("v")); err != nil {
		t.Fatalf("refused b#4 after b#5: %v", err)
	}
	if _, err := w.Finish(); err != nil {
		t.Fatal(err)
	}
	if err := w.Add(k("c", 1), nil); err == nil {
		t.Fatal("Add after Finish succeeded")
	}
	if _, err := w.Finish(); err == nil {
		t.Fatal("second Finish succeeded")
	}
}

func TestFinishSyncsAndEstimatesSize(t *testing.T) {
	r, seed := newRand(t)
	es := genEntries(r, genConfig{n: 3000, maxVersions: 2, minKey: 8, maxKey: 24, minVal: 0, maxVal: 200, alphabet: 26})
	f := &bytesFile{}
	w := NewWriter(f, DefaultWriterOptions())
	var est uint64
	for _, e := range es {
		if err := w.Add(e.ikey, e.value); err != nil {
			t.Fatal(err)
		}
		n := w.EstimatedSize()
		if n+DefaultBlockSize < est {
			t.Fatalf("seed %d: EstimatedSize went down from %d to %d", seed, est, n)
		}
		est = n
	}
	m, err := w.Finish()
	if err != nil {
		t.Fatal(err)
	}
	if f.syncs != 1 || f.closed {
		t.Fatalf("Finish synced %d times, closed=%v; want one sync and the file left open", f.syncs, f.closed)
	}
	if diff := float64(est) - float64(m.FileSize); diff < -0.05*float64(m.FileSize) || diff > 0.05*float64(m.FileSize)+1024 {
		t.Fatalf("seed %d: EstimatedSize %d before Finish, file is %d bytes", seed, est, m.FileSize)
	}
}

func TestClosedReader(t *testing.T) {
	f, _ := buildTable(t, []kvEntry{{base.MakeInternalKey([]byte("a"), 1, base.KindSet), []byte("v")}}, DefaultWriterOptions())
	rd := openBytes(t, f.data, ReaderOptions{})
	if err := rd.Close(); err != nil {
		t.Fatal(err)
	}
	if err := rd.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, _, _, err := rd.Get([]byte("a"), 1); !errors.Is(err, kv.ErrClosed) {
		t.Fatalf("Get after Close: %v, want ErrClosed", err)
	}
}

func TestSeparators(t *testing.T) {
	r, seed := newRand(t)
	for range 20000 {
		mk := func() []byte {
			k := make([]byte, r.IntN(5))
			for i := range k {
				k[i] = []byte{0, 1, 'a', 'b', 0xfe, 0xff}[r.IntN(6)]
			}
			return base.MakeInternalKey(k, base.SeqNum(r.IntN(4)), base.Kind(r.IntN(2)))
		}
		a, b := mk(), mk()
		switch c := base.Compare(a, b); {
		case c == 0:
			continue
		case c > 0:
			a, b = b, a
		}
		sep := appendSeparator(nil, a, b)
		if base.Compare(a, sep) > 0 || base.Compare(sep, b) >= 0 {
			t.Fatalf("seed %d: separator(%s, %s) = %s", seed, base.Format(a), base.Format(b), base.Format(sep))
		}
		if len(sep) > len(a) {
			t.Fatalf("seed %d: separator(%s, %s) = %s is longer than a", seed, base.Format(a), base.Format(b), base.Format(sep))
		}
		if succ := appendSuccessor(nil, a); base.Compare(a, succ) > 0 || len(succ) > len(a) {
			t.Fatalf("seed %d: successor(%s) = %s", seed, base.Format(a), base.Format(succ))
		}
	}
	a := base.MakeInternalKey([]byte("the quick brown fox"), 5, base.KindSet)
	b := base.MakeInternalKey([]byte("the slow"), 9, base.KindSet)
	if got := base.UserKey(appendSeparator(nil, a, b)); string(got) != "the r" {
		t.Fatalf("separator user key %q, want %q", got, "the r")
	}
}
