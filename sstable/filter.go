package sstable

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/bits-and-blooms/bloom/v3"
)

// The filter block holds one Bloom filter over the table's distinct user
// keys, built with github.com/bits-and-blooms/bloom/v3 and stored in that
// library's binary encoding (docs/format/sstable.md, "Filter block"):
//
//	m      uint64 big-endian   number of bits
//	k      uint64 big-endian   number of hash functions
//	length uint64 big-endian   bitset length in bits (= m)
//	words  ceil(m/64) × uint64 big-endian
//
// The package encodes and decodes it itself rather than through the
// library's MarshalBinary, whose word order is a process-wide setting of the
// bitset package; a test checks that the bytes agree.

const (
	filterHeaderLen = 24
	// maxFilterHashes bounds k: more hash functions never help (k = 0.69 ×
	// bits per key) and a damaged k must not make every probe slow.
	maxFilterHashes = 64
)

// filterHashes returns the number of hash functions for bitsPerKey: the
// standard k = bitsPerKey × ln 2, rounded, at least 1.
func filterHashes(bitsPerKey int) uint {
	k := math.Round(float64(bitsPerKey) * math.Ln2)
	return uint(min(max(k, 1), 30))
}

// filterBuilder gathers the distinct user keys of a table; the filter is
// sized when the number of keys is known, at Finish. Keys are kept in
// chunks, each key preceded by its length as a uvarint: building costs the
// user key bytes plus one or two bytes per distinct key in memory, and
// never copies a key twice.
type filterBuilder struct {
	bitsPerKey int
	chunks     [][]byte
	n          int
}

const filterChunkSize = 256 << 10

// add adds a user key. The caller skips repeats of the previous key
// (versions of one key arrive together).
func (f *filterBuilder) add(ukey []byte) {
	need := len(ukey) + binary.MaxVarintLen64
	if len(f.chunks) == 0 || cap(f.chunks[len(f.chunks)-1])-len(f.chunks[len(f.chunks)-1]) < need {
		f.chunks = append(f.chunks, make([]byte, 0, max(filterChunkSize, need)))
	}
	c := &f.chunks[len(f.chunks)-1]
	*c = binary.AppendUvarint(*c, uint64(len(ukey)))
	*c = append(*c, ukey...)
	f.n++
}

// count returns the number of keys added.
func (f *filterBuilder) count() int { return f.n }

// estimatedSize returns the filter block's expected size.
func (f *filterBuilder) estimatedSize() int {
	return filterHeaderLen + (f.bitsPerKey*f.n+63)/64*8 + blockTrailerLen
}

// build returns the filter's encoding, or nil when there is no key.
func (f *filterBuilder) build() []byte {
	if f.n == 0 {
		return nil
	}
	bf := bloom.New(uint(f.bitsPerKey*f.n), filterHashes(f.bitsPerKey))
	for _, c := range f.chunks {
		for len(c) > 0 {
			n, m := binary.Uvarint(c)
			bf.Add(c[m : m+int(n)])
			c = c[m+int(n):]
		}
	}
	return encodeFilter(bf)
}

func encodeFilter(bf *bloom.BloomFilter) []byte {
	words := bf.BitSet().Words()
	out := make([]byte, 0, filterHeaderLen+8*len(words))
	out = binary.BigEndian.AppendUint64(out, uint64(bf.Cap()))
	out = binary.BigEndian.AppendUint64(out, uint64(bf.K()))
	out = binary.BigEndian.AppendUint64(out, uint64(bf.BitSet().Len()))
	for _, w := range words {
		out = binary.BigEndian.AppendUint64(out, w)
	}
	return out
}

// decodeFilter validates and decodes a filter block's contents.
func decodeFilter(data []byte) (*bloom.BloomFilter, error) {
	if len(data) < filterHeaderLen {
		return nil, errors.New("filter shorter than its header")
	}
	m := binary.BigEndian.Uint64(data)
	k := binary.BigEndian.Uint64(data[8:])
	length := binary.BigEndian.Uint64(data[16:])
	if m == 0 || length != m || k == 0 || k > maxFilterHashes {
		return nil, fmt.Errorf("bad filter parameters m=%d k=%d length=%d", m, k, length)
	}
	nwords := uint64(len(data)-filterHeaderLen) / 8
	if uint64(len(data)-filterHeaderLen)%8 != 0 || nwords != (m+63)/64 {
		return nil, fmt.Errorf("filter of %d bits needs %d words, block holds %d bytes", m, (m+63)/64, len(data)-filterHeaderLen)
	}
	words := make([]uint64, nwords)
	for i := range words {
		words[i] = binary.BigEndian.Uint64(data[filterHeaderLen+8*i:])
	}
	return bloom.FromWithM(words, uint(m), uint(k)), nil
}
