package memtable

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math/bits"
	"sync/atomic"

	"github.com/kvlab/kvlab/internal/base"
)

// ErrRecordExists is returned by Add when the memtable already holds the same
// internal key (user key, sequence number and kind). Sequence numbers are
// unique per write, so it means the caller reused one.
var ErrRecordExists = errors.New("memtable: record already exists")

// seekFirst is a trailer greater than any valid one: (ukey, seekFirst) sorts
// before every entry of ukey.
const seekFirst = ^uint64(0)

// skiplist is a skiplist of internal keys in an arena, with one writer and
// any number of lock-free readers (see the package documentation).
type skiplist struct {
	a      arena
	height atomic.Uint32 // levels in use, 1..maxHeight
	count  atomic.Int64  // entries
	pfx    atomic.Pointer[prefixBase]

	// Writer-only state.
	tall, short, values stream // see node.go
	rng                 uint64 // xorshift state
	sample              []byte // common prefix of the keys so far, until pfx is set
	sampled             int    // keys sampled, up to prefixSample
	sampleMin           int    // length of the shortest of them
}

// prefixSample is the number of keys the skiplist samples before it fixes
// its link windows (prefixBase).
const prefixSample = 32

func (s *skiplist) init(shift uint, seed uint64) {
	s.a.init(shift)
	s.tall.align, s.short.align, s.values.align = nodeAlign, nodeAlign, 1
	start, _ := s.a.alloc(&s.tall, nodeSize(maxHeight, 0)) // the first chunk: address 0
	c, p := s.a.locate(start + headAddr)
	c.setWord(p, maxHeight<<heightShift)
	s.height.Store(1)
	s.rng = seed | 1
}

// observe samples an inserted user key; after prefixSample keys it fixes
// the link windows just past their common prefix, or at the start of the
// key when that prefix is as long as the shortest key sampled.
func (s *skiplist) observe(ukey []byte) {
	if s.sampled == 0 {
		s.sample = append([]byte(nil), ukey...)
		s.sampleMin = len(ukey)
	} else {
		n := 0
		for n < len(s.sample) && n < len(ukey) && s.sample[n] == ukey[n] {
			n++
		}
		s.sample = s.sample[:n]
		s.sampleMin = min(s.sampleMin, len(ukey))
	}
	s.sampled++
	if s.sampled < prefixSample {
		return
	}
	pb := &prefixBase{off: len(s.sample), common: s.sample}
	if pb.off >= s.sampleMin {
		pb = &prefixBase{}
	}
	s.pfx.Store(pb)
	s.sample = nil // sampled == prefixSample: no more calls
}

// target is a search key: an internal key split into user key and trailer,
// with the user key's window (see prefixBase) to compare with links, and
// its first 8 bytes as a big-endian number when it has them, to decide most
// other comparisons without calling bytes.Compare.
type target struct {
	ukey      []byte
	trailer   uint64
	window    uint32
	hasWindow bool
	prefix8   uint64
	prefixed  bool
}

func (s *skiplist) makeTarget(ukey []byte, trailer uint64) target {
	t := target{ukey: ukey, trailer: trailer}
	t.window, t.hasWindow = s.pfx.Load().window(ukey)
	if len(ukey) >= 8 {
		t.prefix8, t.prefixed = binary.BigEndian.Uint64(ukey), true
	}
	return t
}

// compare compares node n's internal key with t in internal key order.
func (s *skiplist) compare(n uint32, t *target) int {
	c, p := s.a.locate(n)
	k := nodeKey(c, p)
	u := len(k) - base.TrailerLen
	if t.prefixed && u >= 8 {
		if np := binary.BigEndian.Uint64(k); np != t.prefix8 {
			if np < t.prefix8 {
				return -1
			}
			return 1
		}
	}
	if c := bytes.Compare(k[:u], t.ukey); c != 0 {
		return c
	}
	tr := binary.LittleEndian.Uint64(k[u:])
	switch {
	case tr > t.trailer:
		return -1
	case tr < t.trailer:
		return 1
	}
	return 0
}

// compareLink compares the node link l points to with t, reading the node
// only when the windows of both do not decide. l must not be 0.
func (s *skiplist) compareLink(l uint64, t *target) int {
	if l&linkHasWindow != 0 && t.hasWindow {
		switch w := linkWindow(l); {
		case w < t.window:
			return -1
		case w > t.window:
			return 1
		}
	}
	return s.compare(linkAddr(l), t)
}

// surelyHolds reports whether the arena has room for entries whose nodes and
// values total at most need bytes, however they are split into allocations.
// Starting a chunk wastes the tail of the stream's last one, less than the
// allocation that did not fit; an allocation larger than a chunk wastes less
// than itself in its last slot; so allocations consume at most twice their
// bytes. A stream's first, smaller chunks each take a whole slot: at most
// growth slots per stream.
func (s *skiplist) surelyHolds(need int64) bool {
	growth := int64(s.a.shift) - firstChunkShift + 1
	slack := 3 * growth << s.a.shift
	return 2*need+slack <= s.a.room(&s.tall, &s.short, &s.values)
}

// seek returns the last node before (ukey, trailer) — headAddr if none — and
// the first node at or after it — 0 if none.
func (s *skiplist) seek(ukey []byte, trailer uint64) (lt, ge uint32) {
	t := s.makeTarget(ukey, trailer)
	x := uint32(headAddr)
	var known uint64 // a link to a node already found >= the target
	for level := int(s.height.Load()) - 1; ; {
		l := s.link(x, level)
		if linkAddr(l) != 0 && l != known && s.compareLink(l, &t) < 0 {
			x = linkAddr(l)
			continue
		}
		if level == 0 {
			return x, linkAddr(l)
		}
		known = l
		level--
	}
}

// last returns the last node, or headAddr when the list is empty.
func (s *skiplist) last() uint32 {
	x := uint32(headAddr)
	for level := int(s.height.Load()) - 1; level >= 0; level-- {
		for nx := s.next(x, level); nx != 0; nx = s.next(x, level) {
			x = nx
		}
	}
	return x
}

// randomHeight draws a tower height: h with probability (1/2)^h (the last
// height takes the rest).
//
// A branching factor of 2, rather than LevelDB's 4, makes a search take
// about a third fewer steps to the right (1 per level rather than 3, over
// twice as many levels): each such step moves onto a new node, a cache
// miss, while the extra steps down compare the target with the key window
// in a link (node.go) and touch no new node. It costs 2/3 of a link (5
// bytes) more per entry.
func (s *skiplist) randomHeight() int {
	// xorshift64*
	s.rng ^= s.rng >> 12
	s.rng ^= s.rng << 25
	s.rng ^= s.rng >> 27
	r := s.rng * 2685821657736338717
	h := 1 + bits.TrailingZeros64(r)
	return min(h, maxHeight)
}

// insert adds (ukey, trailer) → value. Only one goroutine may call it at a
// time.
//
// The node is written in full, its tower included, before it is linked; it
// is then linked bottom-up with an atomic store into each predecessor. A
// reader therefore sees either no trace of the node or a complete node, and
// every level a reader can reach it from is consistent with level 0.
func (s *skiplist) insert(ukey []byte, trailer uint64, value []byte) error {
	var prev [maxHeight]uint32
	var next [maxHeight]uint64 // links
	t := s.makeTarget(ukey, trailer)
	listHeight := int(s.height.Load())
	x := uint32(headAddr)
	var known uint64
	for level := listHeight - 1; level >= 0; level-- {
		for {
			l := s.link(x, level)
			if linkAddr(l) != 0 && l != known {
				c := s.compareLink(l, &t)
				if c < 0 {
					x = linkAddr(l)
					continue
				}
				if c == 0 {
					return ErrRecordExists
				}
			}
			prev[level], next[level] = x, l
			known = l
			break
		}
	}
	h := s.randomHeight()
	// Above listHeight the new node follows the head and has no next (0).
	for level := listHeight; level < h; level++ {
		prev[level] = headAddr
	}

	// Check that both allocations will succeed before making either.
	keyLen := len(ukey) + base.TrailerLen
	nsize := nodeSize(h, keyLen)
	str := &s.short
	if h > 1 {
		str = &s.tall
	}
	if !s.a.fits(str, nsize, &s.values, len(value)) {
		return ErrFull
	}
	var vaddr uint32
	if len(value) > 0 {
		var err error
		if vaddr, err = s.a.alloc(&s.values, len(value)); err != nil {
			return err
		}
		copy(s.a.bytes(vaddr, uint32(len(value))), value)
	}
	start, err := s.a.alloc(str, nsize)
	if err != nil {
		return err
	}
	n := start + uint32(h)*linkSize
	c, p := s.a.locate(n)
	for level := range h {
		c.setLink(linkOffset(p, level), next[level])
	}
	c.setWord(p, uint32(keyLen)|uint32(h)<<heightShift)
	c.setWord(p+4, uint32(len(value)))
	c.setWord(p+8, vaddr)
	k := nodeKey(c, p)
	copy(k, ukey)
	binary.LittleEndian.PutUint64(k[len(ukey):], trailer)

	// Publish: level 0 first, so a node reachable at any level is in the
	// full list.
	l := makeLink(n, ukey, s.pfx.Load())
	for level := range h {
		pc, pp := s.a.locate(prev[level])
		pc.storeLink(linkOffset(pp, level), l)
	}
	if h > listHeight {
		s.height.Store(uint32(h))
	}
	s.count.Add(1)
	if s.sampled < prefixSample {
		s.observe(ukey)
	}
	return nil
}
