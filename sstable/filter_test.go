package sstable

import (
	"bytes"
	"encoding/binary"
	"math"
	"testing"

	"github.com/bits-and-blooms/bloom/v3"

	"github.com/kvlab/kvlab/internal/base"
)

// TestBloomFalsePositiveRate measures the false positive rate of Get on
// 100k absent keys and checks it is within 50 % of what the bits per key
// predict: (1 - e^(-k/b))^k, about 0.8 % at 10 bits per key.
func TestBloomFalsePositiveRate(t *testing.T) {
	const n, probes = 100_000, 100_000
	es := make([]kvEntry, n)
	for i := range es {
		es[i] = kvEntry{base.MakeInternalKey(binary.BigEndian.AppendUint64([]byte("present-"), uint64(i)*2), 1, base.KindSet), []byte("v")}
	}
	for _, bits := range []int{5, 10} {
		f, _ := buildTable(t, es, WriterOptions{BloomBitsPerKey: bits})
		rd := openBytes(t, f.data, ReaderOptions{Cache: NewCache(64 << 20)})
		m, k := rd.FilterParams()
		if m != uint64(bits*n) || k != uint64(filterHashes(bits)) {
			t.Fatalf("filter has %d bits and %d hashes, want %d and %d", m, k, bits*n, filterHashes(bits))
		}
		for i := range probes {
			key := binary.BigEndian.AppendUint64([]byte("present-"), uint64(i)*2+1) // odd: absent
			if _, _, found, err := rd.Get(key, base.MaxSeqNum); found || err != nil {
				t.Fatalf("absent key found: %v %v", found, err)
			}
		}
		st := rd.Stats()
		target := math.Pow(1-math.Exp(-float64(k)/float64(bits)), float64(k))
		rate := st.BloomFalsePositiveRate()
		t.Logf("%d bits/key, k=%d: false positive rate %.4f%% (%d of %d), predicted %.4f%%", bits, k, 100*rate, st.BloomFalsePositives, probes, 100*target)
		if st.BloomChecks != probes || st.BloomNegatives+st.BloomFalsePositives != probes {
			t.Fatalf("counters %+v do not add up to %d checks", st, probes)
		}
		if rate < target/2 || rate > target*1.5 {
			t.Fatalf("%d bits/key: false positive rate %.4f, predicted %.4f", bits, rate, target)
		}
		// Only false positives read data blocks.
		if st.BlocksTouched != st.BloomFalsePositives {
			t.Fatalf("touched %d blocks for %d false positives", st.BlocksTouched, st.BloomFalsePositives)
		}
		for i := 0; i < n; i += 97 {
			if !rd.MayContain(base.UserKey(es[i].ikey)) {
				t.Fatalf("MayContain false for a present key")
			}
		}
		rd.Close()
	}
}

// TestBloomCountsInvisibleKeysAsPresent checks that a Get that finds only
// versions newer than its sequence number is not a false positive.
func TestBloomCountsInvisibleKeysAsPresent(t *testing.T) {
	var es []kvEntry
	for i := range 200 {
		uk := binary.BigEndian.AppendUint32(nil, uint32(i))
		for seq := base.SeqNum(100); seq >= 50; seq -= 10 {
			es = append(es, kvEntry{base.MakeInternalKey(uk, seq, base.KindSet), bytes.Repeat([]byte{'v'}, 20)})
		}
	}
	for _, bs := range []int{64, 4096} {
		f, _ := buildTable(t, es, WriterOptions{BlockSize: bs, BloomBitsPerKey: 10, RestartInterval: 3})
		rd := openBytes(t, f.data, ReaderOptions{})
		for i := range 200 {
			if _, _, found, err := rd.Get(binary.BigEndian.AppendUint32(nil, uint32(i)), 49); found || err != nil {
				t.Fatalf("Get below every version: %v %v", found, err)
			}
		}
		if st := rd.Stats(); st.BloomFalsePositives != 0 || st.BloomNegatives != 0 {
			t.Fatalf("block size %d: invisible keys counted as absent: %+v", bs, st)
		}
		rd.Close()
	}
}

// TestFilterEncodingIsTheLibrarys checks that the filter block holds
// exactly bloom/v3's MarshalBinary encoding, and that decoding rejects
// damaged headers.
func TestFilterEncodingIsTheLibrarys(t *testing.T) {
	fb := &filterBuilder{bitsPerKey: 10}
	for _, k := range []string{"a", "b", "", "zzz"} {
		fb.add([]byte(k))
	}
	if fb.count() != 4 {
		t.Fatalf("%d distinct keys, want 4", fb.count())
	}
	enc := fb.build()
	ref := bloom.New(40, filterHashes(10))
	for _, k := range []string{"a", "b", "", "zzz"} {
		ref.Add([]byte(k))
	}
	want, err := ref.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(enc, want) {
		t.Fatalf("encoding differs from MarshalBinary:\n%x\n%x", enc, want)
	}
	bf, err := decodeFilter(enc)
	if err != nil || !bf.Test([]byte("zzz")) {
		t.Fatalf("decode: %v", err)
	}
	for _, bad := range [][]byte{
		enc[:10],
		enc[:len(enc)-8],
		append(append([]byte{}, enc...), 0),
		func() []byte { b := bytes.Clone(enc); b[7] = 0; return b }(),  // m = 0... with length mismatch
		func() []byte { b := bytes.Clone(enc); b[15] = 0; return b }(), // k = 0
		func() []byte { b := bytes.Clone(enc); b[15] = 99; return b }(),
	} {
		if _, err := decodeFilter(bad); err == nil {
			t.Fatalf("decoded a damaged filter %x", bad)
		}
	}
}

// TestFalsePositiveAtBlockBoundary covers Gets that land on the first entry
// of a block, where telling a false positive from an invisible key needs
// the previous block's separator, or the previous block itself.
func TestFalsePositiveAtBlockBoundary(t *testing.T) {
	ik := func(u string, seq base.SeqNum) kvEntry {
		return kvEntry{base.MakeInternalKey([]byte(u), seq, base.KindSet), []byte(u)}
	}
	for _, tc := range []struct {
		es          []kvEntry
		ukey        string
		seq         base.SeqNum
		fp, touched int64
	}{
		// Separator between b and d is the synthetic "c": reading the
		// block before shows c is absent.
		{[]kvEntry{ik("a", 10), ik("b", 50), ik("d", 10)}, "c", 5, 1, 2},
		// The block before ends with a newer b: present, not a false
		// positive; it continues into the next block.
		{[]kvEntry{ik("a", 10), ik("b", 50), ik("d", 10)}, "b", 45, 0, 2},
		// Separator b#50 is the block's last key itself: present without
		// reading it.
		{[]kvEntry{ik("b", 50), ik("c", 10)}, "b", 45, 0, 1},
		// After every separator: compared with the largest key.
		{[]kvEntry{ik("b", 50), ik("c", 10)}, "\xff", 5, 1, 0},
	} {
		f, _ := buildTable(t, tc.es, WriterOptions{BlockSize: 1, BloomBitsPerKey: 1000})
		rd := openBytes(t, f.data, ReaderOptions{})
		rd.filter = bloom.New(64, 1) // a filter that says "maybe" to everything
		rd.filter.BitSet().SetAll()
		if _, _, found, err := rd.Get([]byte(tc.ukey), tc.seq); found || err != nil {
			t.Fatalf("Get(%q, %d): %v %v", tc.ukey, tc.seq, found, err)
		}
		if st := rd.Stats(); st.BloomFalsePositives != tc.fp || st.BlocksTouched != tc.touched {
			t.Fatalf("Get(%q, %d): %d false positives, %d blocks touched; want %d, %d", tc.ukey, tc.seq, st.BloomFalsePositives, st.BlocksTouched, tc.fp, tc.touched)
		}
		rd.Close()
	}
}
