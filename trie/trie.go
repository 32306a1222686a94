package trie

import "bytes"

// hasValue marks a node whose path is a key of the trie.
const hasValue = 1

// maxKids is the largest fan-out of a node: one child per first byte.
const maxKids = 256

// node is one vertex of the compressed trie. Nodes live in Trie.nodes and
// refer to each other by index; node 0 is the root. The label is the edge
// from the parent (its first byte is the one the parent branches on); the
// root's label is empty. A node's children occupy nkids consecutive slots
// of the kid arrays starting at kids, sorted by first label byte.
type node struct {
	lab    uint32 // offset of the label in Trie.labels
	labLen uint32 // label length
	kids   uint32 // first slot of the children in Trie.slots and Trie.kidMax
	nkids  uint16 // number of children, 0..256
	flags  uint16 // hasValue
	value  uint64
	weight uint64
}

// Entry is what a key carries: a value (a term id, a posting-list offset,
// a count — whatever the caller stores) and a weight that ranks the key in
// TopK.
type Entry struct {
	Value  uint64
	Weight uint64
}

// Trie is a compressed radix trie mapping byte-string keys to Entries.
// The zero value is not usable; call New (or Load / Decode).
//
// A Trie is not safe for concurrent mutation. Any number of goroutines may
// read it at once (Get, iteration, TopK) while nothing writes to it.
type Trie struct {
	nodes  []node
	labels []byte
	slots  []uint64 // child in the slot: node index << 8 | first label byte
	kidMax []uint64 // heaviest weight in the child's subtree

	freeNodes []uint32
	freeKids  [maxKids + 1][]uint32 // free slot ranges by exact size

	rootMax    uint64 // heaviest weight in the whole trie
	count      int    // number of keys
	labGarbage int    // label bytes no live node refers to
	kidGarbage int    // slots in free ranges

	path []uint32 // scratch: nodes from the root during a write
}

// New returns an empty trie.
func New() *Trie {
	t := &Trie{}
	t.reset()
	return t
}

func (t *Trie) reset() {
	*t = Trie{nodes: make([]node, 1, 16)}
}

// Len returns the number of keys.
func (t *Trie) Len() int { return t.count }

// label returns node x's label. It aliases the trie's memory.
func (t *Trie) label(x uint32) []byte {
	n := &t.nodes[x]
	return t.labels[n.lab : n.lab+n.labLen : n.lab+n.labLen]
}

// kidRange returns the first slot and the count of x's children.
func (t *Trie) kidRange(x uint32) (uint32, uint32) {
	n := &t.nodes[x]
	return n.kids, uint32(n.nkids)
}

// makeSlot packs a child's node index and first label byte into a slot:
// one load finds both, and a node's few children share a cache line.
func makeSlot(x uint32, b byte) uint64 { return uint64(x)<<8 | uint64(b) }

// slotNode and slotByte unpack slot s.
func (t *Trie) slotNode(s uint32) uint32 { return uint32(t.slots[s] >> 8) }
func (t *Trie) slotByte(s uint32) byte   { return byte(t.slots[s]) }

// child returns the slot of x's child whose label starts with b.
func (t *Trie) child(x uint32, b byte) (slot uint32, ok bool) {
	n := &t.nodes[x]
	return t.findSlot(n.kids, uint32(n.nkids), b)
}

// findSlot searches the cnt slots from off, sorted by byte, for b.
func (t *Trie) findSlot(off, cnt uint32, b byte) (uint32, bool) {
	ss := t.slots[off : off+cnt]
	if len(ss) <= 8 {
		for i, s := range ss {
			if byte(s) == b {
				return off + uint32(i), true
			}
		}
		return 0, false
	}
	lo, hi := 0, len(ss)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if byte(ss[m]) < b {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(ss) && byte(ss[lo]) == b {
		return off + uint32(lo), true
	}
	return 0, false
}

// lowerKid returns the index (0..nkids) of x's first child whose first
// byte is >= b.
func (t *Trie) lowerKid(x uint32, b byte) uint32 {
	off, cnt := t.kidRange(x)
	kb := t.slots[off : off+cnt]
	lo, hi := 0, len(kb)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if byte(kb[m]) < b {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return uint32(lo)
}

// find returns the node whose path is key.
func (t *Trie) find(key []byte) (uint32, bool) {
	x := uint32(0)
	for len(key) > 0 {
		n := &t.nodes[x]
		slot, ok := t.findSlot(n.kids, uint32(n.nkids), key[0])
		if !ok {
			return 0, false
		}
		x = t.slotNode(slot)
		c := &t.nodes[x]
		l := int(c.labLen)
		if len(key) < l || string(key[1:l]) != string(t.labels[c.lab+1:c.lab+c.labLen]) {
			return 0, false
		}
		key = key[l:]
	}
	return x, t.nodes[x].flags&hasValue != 0
}

// Get returns the value stored under key.
func (t *Trie) Get(key []byte) (value uint64, ok bool) {
	x, ok := t.find(key)
	if !ok {
		return 0, false
	}
	return t.nodes[x].value, true
}

// Lookup returns the entry (value and weight) stored under key.
func (t *Trie) Lookup(key []byte) (Entry, bool) {
	x, ok := t.find(key)
	if !ok {
		return Entry{}, false
	}
	n := &t.nodes[x]
	return Entry{Value: n.value, Weight: n.weight}, true
}

// Contains reports whether key is in the trie.
func (t *Trie) Contains(key []byte) bool {
	_, ok := t.find(key)
	return ok
}

// LongestPrefix returns the longest key of the trie that is a prefix of
// key (possibly key itself, possibly the empty key), as its length n — the
// match is key[:n] — and its entry.
func (t *Trie) LongestPrefix(key []byte) (n int, e Entry, ok bool) {
	x := uint32(0)
	pos := 0
	best := -1
	var bestNode uint32
	for {
		if t.nodes[x].flags&hasValue != 0 {
			best, bestNode = pos, x
		}
		if pos == len(key) {
			break
		}
		slot, found := t.child(x, key[pos])
		if !found {
			break
		}
		c := t.slotNode(slot)
		lab := t.label(c)
		if len(key)-pos < len(lab) || !bytes.Equal(key[pos:pos+len(lab)], lab) {
			break
		}
		pos += len(lab)
		x = c
	}
	if best < 0 {
		return 0, Entry{}, false
	}
	nd := &t.nodes[bestNode]
	return best, Entry{Value: nd.value, Weight: nd.weight}, true
}

// nodeMax returns the heaviest weight in x's subtree, from x's own weight
// and its children's recorded maxima.
func (t *Trie) nodeMax(x uint32) uint64 {
	n := &t.nodes[x]
	var m uint64
	if n.flags&hasValue != 0 {
		m = n.weight
	}
	for _, w := range t.kidMax[n.kids : n.kids+uint32(n.nkids)] {
		m = max(m, w)
	}
	return m
}

// MaxWeight returns the heaviest weight of any key (0 when empty).
func (t *Trie) MaxWeight() uint64 { return t.rootMax }
