package sstable

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/kvlab/kvlab/internal/base"
	"github.com/kvlab/kvlab/internal/rangedel"
	"github.com/kvlab/kvlab/kv"
)

// checkRangeDels checks what a Reader decoded from a range-deletion block:
// fragments sorted and disjoint, each with strictly descending sequence
// numbers, and Find agreeing with them.
func checkRangeDels(t *testing.T, rd *Reader) {
	t.Helper()
	frags := rd.RangeDels().Fragments()
	var n uint64
	for i, f := range frags {
		if bytes.Compare(f.Start, f.End) >= 0 || len(f.Seqs) == 0 {
			t.Fatalf("fragment %d: [%q, %q) with %d seqs", i, f.Start, f.End, len(f.Seqs))
		}
		if i > 0 && bytes.Compare(frags[i-1].End, f.Start) > 0 {
			t.Fatalf("fragments %d and %d overlap", i-1, i)
		}
		for j := 1; j < len(f.Seqs); j++ {
			if f.Seqs[j-1] <= f.Seqs[j] {
				t.Fatalf("fragment %d: seqs not descending: %v", i, f.Seqs)
			}
		}
		if got := rd.RangeDels().Find(f.Start); got == nil || !bytes.Equal(got.Start, f.Start) {
			t.Fatalf("Find(%q) misses fragment %d", f.Start, i)
		}
		n += uint64(len(f.Seqs))
	}
	if n != rd.Properties().NumRangeDeletions {
		t.Fatalf("%d range deletions decoded, properties say %d", n, rd.Properties().NumRangeDeletions)
	}
}

// randomRangeDels returns random overlapping tombstones over keys k00..k39,
// fragmented.
func randomRangeDels(rng *rand.Rand, n int) []rangedel.Fragment {
	var ts []rangedel.Tombstone
	for range n {
		a, b := rng.IntN(40), rng.IntN(40)
		ts = append(ts, rangedel.Tombstone{Start: fmt.Appendf(nil, "k%02d", a), End: fmt.Appendf(nil, "k%02d", b), Seq: base.SeqNum(rng.IntN(200) + 1)})
	}
	return rangedel.Fragments(ts)
}

// buildRangeDelTable writes points es and fragments frags.
func buildRangeDelTable(t testing.TB, es []kvEntry, frags []rangedel.Fragment, opts WriterOptions) (*bytesFile, Meta) {
	t.Helper()
	f := &bytesFile{}
	w := NewWriter(f, opts)
	for _, fr := range frags {
		for _, s := range fr.Seqs {
			if err := w.AddRangeDel(fr.Start, fr.End, s); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, e := range es {
		if err := w.Add(e.ikey, e.value); err != nil {
			t.Fatal(err)
		}
	}
	m, err := w.Finish()
	if err != nil {
		t.Fatal(err)
	}
	return f, m
}

// rangeDelSeeds are fuzz seeds of format version 2.
func rangeDelSeeds(tb testing.TB) [][]byte {
	rng := rand.New(rand.NewPCG(7, 7))
	es := []kvEntry{{base.MakeInternalKey([]byte("k05"), 3, base.KindSet), []byte("v")}}
	a, _ := buildRangeDelTable(tb, es, randomRangeDels(rng, 5), WriterOptions{BlockSize: 64, Compression: NoCompression})
	b, _ := buildRangeDelTable(tb, nil, randomRangeDels(rng, 2), DefaultWriterOptions())
	return [][]byte{a.data, b.data}
}

// TestRangeDelRoundTrip writes random fragmented tombstones beside random
// points and reads both back: the fragments, the properties, the version,
// and the points unchanged.
func TestRangeDelRoundTrip(t *testing.T) {
	for seed := uint64(0); seed < 50; seed++ {
		rng := rand.New(rand.NewPCG(seed, 3))
		frags := randomRangeDels(rng, rng.IntN(12))
		var es []kvEntry
		for j := range rng.IntN(30) {
			es = append(es, kvEntry{base.MakeInternalKey(fmt.Appendf(nil, "k%02d", j), base.SeqNum(rng.IntN(100)+1), base.KindSet), []byte("v")})
		}
		opts := WriterOptions{BlockSize: 64, Compression: Compression(seed % 2)}
		f, m := buildRangeDelTable(t, es, frags, opts)
		if m.FileSize != uint64(len(f.data)) {
			t.Fatalf("seed %d: FileSize %d, file %d bytes", seed, m.FileSize, len(f.data))
		}
		rd, err := Open(f, "rd.sst", 1, ReaderOptions{})
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		wantVersion := uint32(1)
		if len(frags) > 0 {
			wantVersion = 2
		}
		if rd.FormatVersion() != wantVersion {
			t.Fatalf("seed %d: version %d, want %d", seed, rd.FormatVersion(), wantVersion)
		}
		got := rd.RangeDels().Fragments()
		if len(got) != len(frags) {
			t.Fatalf("seed %d: %d fragments read, %d written", seed, len(got), len(frags))
		}
		for i := range got {
			if !bytes.Equal(got[i].Start, frags[i].Start) || !bytes.Equal(got[i].End, frags[i].End) || fmt.Sprint(got[i].Seqs) != fmt.Sprint(frags[i].Seqs) {
				t.Fatalf("seed %d: fragment %d read %v, wrote %v", seed, i, got[i], frags[i])
			}
		}
		checkRangeDels(t, rd)
		it := rd.NewIter(nil, nil)
		n := 0
		for ok := it.First(); ok; ok = it.Next() {
			if !bytes.Equal(it.Key(), es[n].ikey) {
				t.Fatalf("seed %d: entry %d is %s, want %s", seed, n, base.Format(it.Key()), base.Format(es[n].ikey))
			}
			n++
		}
		if err := it.Close(); err != nil || n != len(es) {
			t.Fatalf("seed %d: scan %d of %d entries: %v", seed, n, len(es), err)
		}
		rd.Close()
	}
}

// TestAddRangeDelOrder checks that fragments out of order, overlapping or
// empty are refused, and that the Writer stays usable.
func TestAddRangeDelOrder(t *testing.T) {
	w := NewWriter(&bytesFile{}, DefaultWriterOptions())
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(w.AddRangeDel([]byte("b"), []byte("d"), 9))
	must(w.AddRangeDel([]byte("b"), []byte("d"), 5))
	for _, bad := range []struct {
		start, end string
		seq        base.SeqNum
	}{{"b", "d", 5}, {"b", "d", 7}, {"b", "e", 3}, {"c", "f", 1}, {"a", "b", 1}, {"x", "x", 1}, {"y", "x", 1}} {
		if err := w.AddRangeDel([]byte(bad.start), []byte(bad.end), bad.seq); err == nil {
			t.Errorf("AddRangeDel(%q, %q, %d) accepted", bad.start, bad.end, bad.seq)
		}
	}
	must(w.AddRangeDel([]byte("d"), []byte("e"), 1))
	if _, err := w.Finish(); err != nil {
		t.Fatal(err)
	}
}

// TestRangeDelBlockDamage flips every byte of a version 2 table's
// range-deletion block and footer and rewrites checksums so that the
// structural checks alone must catch what they can: Open either fails with
// kv.ErrCorruption or returns well-formed fragments.
func TestRangeDelBlockDamage(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	f, m := buildRangeDelTable(t, nil, randomRangeDels(rng, 6), plainOptions())
	size := len(f.data)
	rdSize := int(m.Properties.RangeDelSize)
	from := int(m.Properties.DataSize)
	for i := from; i < size; i++ {
		if i >= from+rdSize && i < size-footerLenV2 {
			continue // filter, index and properties: covered elsewhere
		}
		bad := bytes.Clone(f.data)
		bad[i] ^= 0x41
		for _, skip := range []bool{false, true} {
			rd, err := Open(&bytesFile{data: bad}, "bad.sst", 1, ReaderOptions{skipChecksums: skip})
			if err != nil {
				if !errors.Is(err, kv.ErrCorruption) {
					t.Fatalf("byte %d: %v does not match ErrCorruption", i, err)
				}
				continue
			}
			if !skip {
				t.Fatalf("byte %d: damage not detected with checksums on", i)
			}
			checkRangeDels(t, rd)
			rd.Close()
		}
	}
}

// plainOptions returns writer options without compression or filter,
// so that the range-deletion block's bytes are stored as is.
func plainOptions() WriterOptions {
	return WriterOptions{Compression: NoCompression, BloomBitsPerKey: -1}
}
