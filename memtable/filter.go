package memtable

import (
	"hash/maphash"
	"math/bits"
	"sync/atomic"
)

// filter is a Bloom filter over the user keys of one memtable, so that a
// Get of a key the memtable does not hold — most Gets in an LSM, once the
// store is larger than a memtable — skips the skiplist search, a chain of
// cache misses. It is blocked: the bits of a key all lie in one 64-byte block (one
// cache line), so a test costs one miss. The memtable's single writer adds
// keys with atomic ORs before the entry is linked into the skiplist;
// readers test with atomic loads, so a reader that can see an entry sees its
// bits.
type filter struct {
	blocks []filterBlock
	seed   maphash.Seed
}

type filterBlock [8]atomic.Uint64

// filterProbes is the number of bits set per key.
const filterProbes = 6

// newFilter sizes a filter for a memtable of size bytes: one bit per
// byte of memtable / 8, about 18 bits per key for entries of 150 bytes
// (false positives near 0.1 %).
func newFilter(size int64) *filter {
	n := max(size/8/512, 1)
	return &filter{blocks: make([]filterBlock, n), seed: maphash.MakeSeed()}
}

func (f *filter) locate(key []byte) (*filterBlock, uint64) {
	h := maphash.Bytes(f.seed, key)
	hi, _ := bits.Mul64(h, uint64(len(f.blocks)))
	return &f.blocks[hi], h
}

// add records key. The probes' bits are gathered per word first, so that
// a word gets one atomic OR however many of the key's bits fall in it, and
// none when they are all set already.
func (f *filter) add(key []byte) {
	b, h := f.locate(key)
	delta := h>>32 | 1
	var masks [8]uint64
	for i := 0; i < filterProbes; i++ {
		bit := h & 511
		masks[bit>>6] |= 1 << (bit & 63)
		h += delta
	}
	for w, m := range masks {
		if m != 0 && b[w].Load()&m != m {
			b[w].Or(m)
		}
	}
}

// mayContain reports whether key may have been added.
func (f *filter) mayContain(key []byte) bool {
	b, h := f.locate(key)
	delta := h>>32 | 1
	for i := 0; i < filterProbes; i++ {
		bit := h & 511
		if b[bit>>6].Load()&(1<<(bit&63)) == 0 {
			return false
		}
		h += delta
	}
	return true
}
