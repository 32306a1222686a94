package memtable

import (
	"errors"
	"sync/atomic"
	"unsafe"
)

// ErrFull is returned by Add and ApplyBatch when the arena's 32-bit address
// space (4 GiB) is exhausted. A memtable is normally rotated long before: the
// caller flushes it and starts a new one.
var ErrFull = errors.New("memtable: arena full")

const (
	// nodeAlign is the alignment of node allocations, so that a node's links
	// are aligned 64-bit words that sync/atomic can load and store, and its
	// header fields aligned 32-bit words. Values are not aligned.
	nodeAlign = 8

	// DefaultChunkSize is the size of each arena chunk unless WithChunkSize
	// says otherwise.
	DefaultChunkSize = 1 << 20
	// MinChunkSize and MaxChunkSize bound WithChunkSize.
	MinChunkSize = 64 << 10
	MaxChunkSize = 1 << 30

	// firstChunkSize is the size of a stream's first chunk; each next chunk
	// doubles, up to the chunk size, so that a small memtable stays small.
	firstChunkSize  = 1 << firstChunkShift
	firstChunkShift = 14

	// addrBits is the width of an arena address.
	addrBits = 32
)

// chunk is a block of arena memory seen three ways: as bytes, for keys and
// values; as 32-bit words, for node headers; as 64-bit words, for links. The
// views cover the same memory, which holds no Go pointers, so the garbage
// collector never scans it.
type chunk struct {
	b   []byte
	w32 []uint32
	w64 []uint64
}

// newChunk allocates n bytes (a multiple of nodeAlign).
func newChunk(n int) chunk {
	w64 := make([]uint64, n/8)
	base := unsafe.Pointer(unsafe.SliceData(w64))
	return chunk{
		b:   unsafe.Slice((*byte)(base), n),
		w32: unsafe.Slice((*uint32)(base), n/4),
		w64: w64,
	}
}

// from returns the view of c from byte offset at (a multiple of nodeAlign).
func (c chunk) from(at int) *chunk {
	return &chunk{b: c.b[at:], w32: c.w32[at/4:], w64: c.w64[at/8:]}
}

// arena is a growable bump allocator addressed by uint32.
//
// An address is split into a slot (addr >> shift) and an offset within the
// slot (addr & mask). A slot spans chunkSize addresses and holds one chunk
// of at most that size (a stream's first chunks are smaller). An allocation
// larger than chunkSize gets a chunk of its own spanning several consecutive
// slots, each slot's view starting at its share of that chunk, so that any
// allocation is contiguous from the view of its first slot.
//
// Allocations come from streams: each stream bumps through a chunk of its
// own, so that what is read together is allocated together (the skiplist
// keeps its tall nodes, its short nodes and its values apart). All streams
// share the address space.
//
// Concurrency: only the single writer calls alloc. Readers call the accessors
// only with addresses they learnt from a link loaded atomically (or from the
// head, allocated before the memtable was shared); the writer filled the slot
// table and the memory behind an address before publishing it with an atomic
// store, so those plain reads are ordered after the writes.
type arena struct {
	shift uint
	mask  uint32
	slots []*chunk // indexed by addr >> shift; fixed length 1 << (32 - shift)

	// Writer-only state.
	free  uint32 // first slot not yet allocated
	limit uint32 // number of usable slots (len(slots) except in tests)

	inUse     atomic.Int64 // bytes handed out by alloc
	allocated atomic.Int64 // bytes of chunks allocated
}

// stream is a sequence of allocations from the arena: the chunk it bumps
// through, that chunk's size and the next free offset in it. A stream with
// size 0 has no chunk yet.
type stream struct {
	align           int // alignment of its allocations: 1 or nodeAlign
	slot, off, size uint32
}

// init prepares an arena with chunks of 1 << shift bytes.
func (a *arena) init(shift uint) {
	a.shift = shift
	a.mask = 1<<shift - 1
	a.slots = make([]*chunk, 1<<(addrBits-shift))
	a.limit = uint32(len(a.slots))
}

func (a *arena) chunkSize() int { return 1 << a.shift }

// newSlots allocates one chunk of n bytes (a multiple of nodeAlign) covering
// k slots starting at a.free, and returns the first slot. Addresses past the
// chunk's end in its last slot stay unused.
func (a *arena) newSlots(k uint32, n int) uint32 {
	c := newChunk(n)
	first := a.free
	for j := range k {
		at := int(j) << a.shift
		a.slots[first+j] = c.from(at)
	}
	a.free += k
	a.allocated.Add(int64(n))
	return first
}

// room returns the bytes still allocatable, ignoring the waste at the end of
// chunks: an upper bound.
func (a *arena) room(streams ...*stream) int64 {
	r := int64(a.limit-a.free) << a.shift
	for _, s := range streams {
		r += int64(s.size - s.off)
	}
	return r
}

// slotsFor returns the new slots alloc(s, n) would take.
func (a *arena) slotsFor(s *stream, n int) int64 {
	n = alignUp(n, s.align)
	size := a.chunkSize()
	switch {
	case n <= int(s.size-s.off):
		return 0
	case n <= size:
		return 1
	}
	return int64((n + size - 1) >> a.shift)
}

// fits reports whether alloc(s1, n1) and then alloc(s2, n2) would both
// succeed; n2 == 0 stands for no allocation.
func (a *arena) fits(s1 *stream, n1 int, s2 *stream, n2 int) bool {
	return a.slotsFor(s1, n1)+a.slotsFor(s2, n2) <= int64(a.limit-a.free)
}

// alloc returns the address of n fresh zeroed bytes from stream s, n rounded
// up to the stream's alignment. Only the writer may call it.
func (a *arena) alloc(s *stream, n int) (uint32, error) {
	n = alignUp(n, s.align)
	size := a.chunkSize()
	var addr uint32
	switch {
	case n <= int(s.size-s.off):
		addr = s.slot<<a.shift | s.off
		s.off += uint32(n)
	case n <= size:
		// Start a new chunk, twice the size of the last; the tail of the
		// last stays unused.
		if a.free >= a.limit {
			return 0, ErrFull
		}
		next := min(max(2*int(s.size), firstChunkSize), size)
		for next < n {
			next *= 2
		}
		s.slot, s.off, s.size = a.newSlots(1, next), uint32(n), uint32(next)
		addr = s.slot << a.shift
	default:
		// A chunk of its own, spanning k slots; the stream goes on from
		// its current chunk.
		k := (n + size - 1) >> a.shift
		if int64(k) > int64(a.limit-a.free) {
			return 0, ErrFull
		}
		addr = a.newSlots(uint32(k), alignUp(n, nodeAlign)) << a.shift
	}
	a.inUse.Add(int64(n))
	return addr, nil
}

// locate returns the chunk view holding addr and addr's offset in it.
func (a *arena) locate(addr uint32) (*chunk, uint32) {
	return a.slots[addr>>a.shift], addr & a.mask
}

// bytes returns the n bytes at addr, with capacity n.
func (a *arena) bytes(addr, n uint32) []byte {
	c, p := a.locate(addr)
	return c.b[p : p+n : p+n]
}

// Word accessors take a chunk view and a byte offset from locate. word and
// setWord are plain, for header words: written before their node is
// published and never changed after. loadLink and storeLink are atomic, for
// links; setLink is plain, for the links of a node not yet published.

func (c *chunk) word(p uint32) uint32         { return c.w32[p/4] }
func (c *chunk) setWord(p, v uint32)          { c.w32[p/4] = v }
func (c *chunk) loadLink(p uint32) uint64     { return atomic.LoadUint64(&c.w64[p/8]) }
func (c *chunk) storeLink(p uint32, v uint64) { atomic.StoreUint64(&c.w64[p/8], v) }
func (c *chunk) setLink(p uint32, v uint64)   { c.w64[p/8] = v }

// alignUp rounds n up to a multiple of a, a power of two.
func alignUp(n, a int) int { return (n + a - 1) &^ (a - 1) }
