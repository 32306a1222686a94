package memtable

import (
	"encoding/binary"

	"github.com/kvlab/kvlab/internal/base"
)

// A node is one entry of the skiplist. Its address n is that of its header;
// its tower of h links precedes it, so a node of height h occupies
//
//	n-8h .. n      tower: the link to the next node at level h-1, …, level 0
//	n+0            internal key length (low 24 bits) | height (high 8 bits)
//	n+4            value length
//	n+8            value address (values are allocated apart, see below)
//	n+12           internal key: user key + 8-byte little-endian trailer
//
// aligned to 8 bytes. Everything but the tower is written once, before the
// node is published; the tower's links change when later nodes are linked
// after this one.
//
// A link is a 64-bit word, loaded and stored atomically: the next node's
// address in the low 32 bits (0 = end of list) and, in the high 32 bits, 4
// bytes of its user key (big-endian, zero-padded: see prefixBase). Node
// addresses are multiples of 8, so the address's lowest bit is free: set,
// it says the high bits hold the key's window. A search compares its target
// with the window first and reads the next node only when it moves onto it
// or the windows tie, saving a cache miss per level for most keys.
//
// The window is not always the key's first 4 bytes: keys often share a
// long prefix (db_bench-style binary keys of small numbers start with five
// zero bytes, YCSB keys with "user"), which would make every window tie.
// The skiplist samples its first keys and takes the window just past their
// common prefix (prefixBase); a node whose key does not share that prefix
// is linked without a window (bit clear), and so is every node inserted
// before the window was chosen.
//
// A search touches a node's tower, header and key, never its value, so values
// live apart and nodes are small and dense in memory. Nodes taller than one
// level — the half of them that every search walks through above level 0
// — are allocated apart from the others, so that the upper levels of the
// list occupy few cache lines and pages.
//
// The head node comes first in the arena, has the maximum height and no key.
// No link ever points at the head, and no node is at address 0, so 0 in a
// link means "no next node".
const (
	linkSize       = 8
	nodeHeaderSize = 12
	heightShift    = 24
	keyLenMask     = 1<<heightShift - 1

	// maxHeight is the tallest tower. With a branching factor of 2, it
	// keeps searches logarithmic up to 2^24 entries (about 1.5 GiB of
	// arena at 100-byte entries), and degrades gently beyond.
	maxHeight = 24

	// headAddr is the address of the head node: the first allocation.
	headAddr = maxHeight * linkSize

	// maxNodeOverhead bounds an entry's bytes beyond its user key and value:
	// tallest tower, header, trailer and alignment padding.
	maxNodeOverhead = maxHeight*linkSize + nodeHeaderSize + base.TrailerLen + nodeAlign - 1
)

// nodeSize returns the bytes of a node of height h with an internal key of
// keyLen bytes, aligned.
func nodeSize(h, keyLen int) int {
	return alignUp(h*linkSize+nodeHeaderSize+keyLen, nodeAlign)
}

// linkOffset returns the offset of the link at level of the node at offset p.
func linkOffset(p uint32, level int) uint32 {
	return p - uint32(level+1)*linkSize
}

// makeLink packs a link to node n whose user key is ukey, with the key's
// window under pb if the key shares pb's prefix.
func makeLink(n uint32, ukey []byte, pb *prefixBase) uint64 {
	if w, ok := pb.window(ukey); ok {
		return uint64(w)<<32 | uint64(n) | linkHasWindow
	}
	return uint64(n)
}

// linkHasWindow marks a link whose high 32 bits hold the next key's window.
const linkHasWindow = 1

// linkAddr and linkWindow unpack a link.
func linkAddr(l uint64) uint32   { return uint32(l) &^ linkHasWindow }
func linkWindow(l uint64) uint32 { return uint32(l >> 32) }

// prefixBase says which 4 bytes of a key its links carry: those at off,
// past the prefix common (off bytes) shared by the first keys inserted.
// Windows of two keys that both start with common order like the keys
// where they differ; equal windows need a full comparison.
type prefixBase struct {
	off    int
	common []byte
}

// window returns the 4 bytes of ukey at off as a big-endian number, padded
// with zeros; ok is false when ukey does not start with the common prefix
// (or pb is nil).
func (pb *prefixBase) window(ukey []byte) (w uint32, ok bool) {
	if pb == nil || len(ukey) < pb.off || string(ukey[:pb.off]) != string(pb.common) {
		return 0, false
	}
	rest := ukey[pb.off:]
	if len(rest) >= 4 {
		return binary.BigEndian.Uint32(rest), true
	}
	var b [4]byte
	copy(b[:], rest)
	return binary.BigEndian.Uint32(b[:]), true
}

// link atomically loads node n's link at level.
func (s *skiplist) link(n uint32, level int) uint64 {
	c, p := s.a.locate(n)
	return c.loadLink(linkOffset(p, level))
}

// next returns node n's successor at level.
func (s *skiplist) next(n uint32, level int) uint32 {
	return linkAddr(s.link(n, level))
}

// nodeHeight returns node n's tower height.
func (s *skiplist) nodeHeight(n uint32) int {
	c, p := s.a.locate(n)
	return int(c.word(p) >> heightShift)
}

// nodeKey returns the internal key of the node at offset p of c, aliasing
// the arena.
func nodeKey(c *chunk, p uint32) []byte {
	start := p + nodeHeaderSize
	end := start + c.word(p)&keyLenMask
	return c.b[start:end:end]
}

// key returns node n's internal key, aliasing the arena.
func (s *skiplist) key(n uint32) []byte {
	c, p := s.a.locate(n)
	return nodeKey(c, p)
}

// entry returns node n's internal key and value, aliasing the arena. The
// value is never nil.
func (s *skiplist) entry(n uint32) (key, value []byte) {
	c, p := s.a.locate(n)
	return nodeKey(c, p), s.a.bytes(c.word(p+8), c.word(p+4))
}

// size returns the arena bytes of node n and its value.
func (s *skiplist) size(n uint32) int {
	c, p := s.a.locate(n)
	hdr := c.word(p)
	return nodeSize(int(hdr>>heightShift), int(hdr&keyLenMask)) + int(c.word(p+4))
}
