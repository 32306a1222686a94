package btree

import (
	"bytes"
	"encoding/binary"
	"slices"
	"sync/atomic"
)

// node is a leaf or branch page in the writer's form. Readers do not
// decode pages: they search the page bytes in place (pageView); a node
// exists only for a page the writer has changed since it was last written
// (a dirty page, which the buffer pool holds as a node), or for a moment
// while the writer, Check or Compact works on a page.
//
// A node keeps its cells in the page's own cell format (docs/format/
// btree.md), one after another in data, and their order in offs: cell i
// starts at data[offs[i]]. Decoding a page is thus one copy of its cell
// area plus a read of its slot array, encoding it one copy per cell, and a
// node costs its cell bytes plus four bytes a cell on the heap (heap
// counts them for the pool's dirty budget).
//
// A leaf cell holds a key and either an inline value or the reference to
// an overflow run (ovfRef). A branch holds count() separators and
// count()+1 children: every key k under kids[i] satisfies key(i-1) <= k <
// key(i). A branch cell in data starts with eight bytes that are not
// read: kids is the authority for the children.
//
// data is append-only: a changed cell is appended and the old bytes left
// in place (dead, counted by the size), and when data has no room left the
// live cells are copied into a new buffer. Bytes once written to data are
// thus never modified, so keys and values returned by key, value and
// leafCell stay valid and unchanged however the node changes later (they
// may be held by a reader, a parent's separator or a clone). A clone
// shares data with a capacity cut at its length, so its appends go to a
// buffer of its own.
//
// Nodes reachable from the tree are modified only by the writer, under the
// tree's write lock, and only once they are fresh (allocated since the last
// checkpoint): see cow in tree.go.
type node struct {
	pgno pgid
	leaf bool
	offs []uint32 // cell i starts at data[offs[i]]
	data []byte   // cells in page format, append-only
	kids []pgid   // branch only: count()+1 children
	size int      // encoded size in bytes, header and slots included
	acct int      // size last counted in the DB's leaf-bytes gauge
	mem  int      // heap bytes last counted in the pool's dirty bytes

	// private marks a node loadNode decoded from a clean page that is not
	// yet in the pool: only the writer holds it, so cow may move it to
	// its new page number instead of cloning it.
	private bool

	// ref is the clock algorithm's reference bit (coldDirty).
	ref atomic.Bool
}

// nodeOverhead is the heap a node takes besides its slices: the struct
// and the pool table's entry, rounded up.
const nodeOverhead = 160

// heap returns the bytes of Go heap n holds.
func (n *node) heap() int {
	return nodeOverhead + cap(n.data) + 4*cap(n.offs) + 8*cap(n.kids)
}

// ovfRef locates a value stored in overflow pages.
type ovfRef struct {
	pg  pgid   // first page of the run; 0 for an inline value
	n   uint32 // value length
	raw bool   // a bare run (cellOverflowRaw), checked by sum
	sum uint32 // raw: CRC-32C of the value
}

// pages returns how many overflow pages hold the value.
func (r ovfRef) pages(ps int) int {
	c := overflowCapacity(ps)
	if r.raw {
		c = ps
	}
	return (int(r.n) + c - 1) / c
}

func leafCellSize(key []byte, vlen int, ref ovfRef) int {
	n := 1 + uvarintLen(uint64(len(key))) + uvarintLen(uint64(vlen)) + len(key) + slotSize
	if ref.raw {
		return n + 12
	}
	if ref.pg != 0 {
		return n + 8
	}
	return n + vlen
}

func branchCellSize(key []byte) int {
	return 8 + uvarintLen(uint64(len(key))) + len(key) + slotSize
}

// The cell parsers below read a cell that checkNodePage validated (or that
// a node wrote); c runs from the cell's first byte to the end of its
// buffer.

// leafKey returns leaf cell c's key.
func leafKey(c []byte) []byte {
	kl, w1 := uvarint(c[1:])
	_, w2 := uvarint(c[1+w1:])
	w := 1 + w1 + w2
	return c[w : w+int(kl) : w+int(kl)]
}

// branchKey returns branch cell c's separator.
func branchKey(c []byte) []byte {
	kl, w := uvarint(c[8:])
	return c[8+w : 8+w+int(kl) : 8+w+int(kl)]
}

// parseLeafCell returns leaf cell c's key and its inline value or overflow
// reference.
func parseLeafCell(c []byte) ([]byte, []byte, ovfRef) {
	kl, w1 := uvarint(c[1:])
	vl, w2 := uvarint(c[1+w1:])
	w := 1 + w1 + w2
	key := c[w : w+int(kl) : w+int(kl)]
	w += int(kl)
	switch c[0] {
	case cellOverflow:
		return key, nil, ovfRef{pg: pgid(binary.LittleEndian.Uint64(c[w:])), n: uint32(vl)}
	case cellOverflowRaw:
		return key, nil, ovfRef{pg: pgid(binary.LittleEndian.Uint64(c[w:])), n: uint32(vl),
			raw: true, sum: binary.LittleEndian.Uint32(c[w+8:])}
	}
	return key, c[w : w+int(vl) : w+int(vl)], ovfRef{}
}

// cellLen returns the length of cell c (without its slot).
func cellLen(c []byte, leaf bool) int {
	if !leaf {
		kl, w := uvarint(c[8:])
		return 8 + w + int(kl)
	}
	kl, w1 := uvarint(c[1:])
	vl, w2 := uvarint(c[1+w1:])
	n := 1 + w1 + w2 + int(kl)
	switch c[0] {
	case cellOverflow:
		return n + 8
	case cellOverflowRaw:
		return n + 12
	}
	return n + int(vl)
}

// appendLeafCell appends the leaf cell of key and value (inline when
// ref.pg is 0) to dst.
func appendLeafCell(dst, key, val []byte, ref ovfRef) []byte {
	flag, vlen := byte(cellInline), len(val)
	if ref.pg != 0 {
		flag, vlen = cellOverflow, int(ref.n)
		if ref.raw {
			flag = cellOverflowRaw
		}
	}
	dst = append(dst, flag)
	dst = binary.AppendUvarint(dst, uint64(len(key)))
	dst = binary.AppendUvarint(dst, uint64(vlen))
	dst = append(dst, key...)
	switch {
	case ref.raw:
		dst = binary.LittleEndian.AppendUint64(dst, uint64(ref.pg))
		return binary.LittleEndian.AppendUint32(dst, ref.sum)
	case ref.pg != 0:
		return binary.LittleEndian.AppendUint64(dst, uint64(ref.pg))
	}
	return append(dst, val...)
}

// appendBranchCell appends a branch cell of separator key (its child
// field zero: kids holds the children) to dst.
func appendBranchCell(dst, key []byte) []byte {
	dst = append(dst, 0, 0, 0, 0, 0, 0, 0, 0)
	dst = binary.AppendUvarint(dst, uint64(len(key)))
	return append(dst, key...)
}

// count returns the number of cells (keys).
func (n *node) count() int { return len(n.offs) }

// cell returns the bytes from cell i's start to the end of data.
func (n *node) cell(i int) []byte { return n.data[n.offs[i]:] }

// key returns cell i's key (a separator in a branch).
func (n *node) key(i int) []byte {
	if n.leaf {
		return leafKey(n.cell(i))
	}
	return branchKey(n.cell(i))
}

// value returns leaf cell i's inline value, or its overflow reference.
func (n *node) value(i int) ([]byte, ovfRef) {
	_, v, ref := parseLeafCell(n.cell(i))
	return v, ref
}

// leafCell returns leaf cell i's key and its inline value or overflow
// reference.
func (n *node) leafCell(i int) ([]byte, []byte, ovfRef) { return parseLeafCell(n.cell(i)) }

// cellSize returns the encoded size of cell i, its slot included.
func (n *node) cellSize(i int) int { return cellLen(n.cell(i), n.leaf) + slotSize }

func (n *node) computeSize() int {
	s := pageHeaderSize
	for i := range n.offs {
		s += n.cellSize(i)
	}
	return s
}

// live returns the bytes of data that cells use.
func (n *node) live() int { return n.size - pageHeaderSize - slotSize*len(n.offs) }

// reserve makes room in data for need more bytes: when data is full, the
// live cells move to a new buffer (never the old one: its bytes may be
// held) with room for need and some slack.
func (n *node) reserve(need int) {
	if len(n.data)+need <= cap(n.data) {
		return
	}
	live := n.live()
	nd := make([]byte, 0, live+need+max(512, live/4))
	for i, off := range n.offs {
		c := n.data[off:]
		n.offs[i] = uint32(len(nd))
		nd = append(nd, c[:cellLen(c, n.leaf)]...)
	}
	n.data = nd
}

// search returns the index of the first key >= key and whether it equals key.
func (n *node) search(key []byte) (int, bool) {
	lo, hi := 0, len(n.offs)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if bytes.Compare(n.key(m), key) < 0 {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo, lo < len(n.offs) && bytes.Equal(n.key(lo), key)
}

// childIndex returns the index of the child whose range holds key.
func (n *node) childIndex(key []byte) int {
	i, found := n.search(key)
	if found {
		return i + 1
	}
	return i
}

// clone returns a copy of n under a new page number. The cell bytes are
// shared, with the clone's capacity cut so that its appends reallocate
// (n itself is not changed after it is cloned: it is not fresh).
func (n *node) clone(pg pgid) *node {
	c := &node{pgno: pg, leaf: n.leaf, size: n.size, acct: n.acct}
	c.data = n.data[:len(n.data):len(n.data)]
	c.offs = slices.Clone(n.offs)
	if !n.leaf {
		c.kids = slices.Clone(n.kids)
	}
	return c
}

// setLeaf stores a cell at index i, inserting when insert is set (else
// replacing cell i, whose key must equal key).
func (n *node) setLeaf(i int, insert bool, key, val []byte, ref ovfRef) {
	vlen := len(val)
	if ref.pg != 0 {
		vlen = int(ref.n)
	}
	sz := leafCellSize(key, vlen, ref)
	n.reserve(sz - slotSize)
	off := uint32(len(n.data))
	n.data = appendLeafCell(n.data, key, val, ref)
	if insert {
		n.offs = slices.Insert(n.offs, i, off)
	} else {
		n.size -= n.cellSize(i)
		n.offs[i] = off
	}
	n.size += sz
}

// removeLeaf deletes leaf cell i.
func (n *node) removeLeaf(i int) {
	n.size -= n.cellSize(i)
	n.offs = slices.Delete(n.offs, i, i+1)
}

// insertSep inserts separator key at index i with child right after it.
func (n *node) insertSep(i int, key []byte, right pgid) {
	off := n.appendSep(key)
	n.offs = slices.Insert(n.offs, i, off)
	n.kids = slices.Insert(n.kids, i+1, right)
}

// appendSep appends a separator cell to data, counts it in the size and
// returns its offset; the caller places it in offs.
func (n *node) appendSep(key []byte) uint32 {
	sz := branchCellSize(key)
	n.reserve(sz - slotSize)
	off := uint32(len(n.data))
	n.data = appendBranchCell(n.data, key)
	n.size += sz
	return off
}

// setSep replaces separator i with key.
func (n *node) setSep(i int, key []byte) {
	n.size -= n.cellSize(i)
	n.offs[i] = n.appendSep(key)
}

// removeSep deletes separator i and the child to its right.
func (n *node) removeSep(i int) {
	n.size -= n.cellSize(i)
	n.offs = slices.Delete(n.offs, i, i+1)
	n.kids = slices.Delete(n.kids, i+1, i+2)
}

// appendCells appends cells [from, to) of src to n.
func (n *node) appendCells(src *node, from, to int) {
	need := 0
	for i := from; i < to; i++ {
		need += src.cellSize(i) - slotSize
	}
	n.reserve(need)
	for i := from; i < to; i++ {
		c := src.cell(i)
		l := cellLen(c, src.leaf)
		n.offs = append(n.offs, uint32(len(n.data)))
		n.data = append(n.data, c[:l]...)
		n.size += l + slotSize
	}
}

// splitPoint chooses where to cut cells so that both halves fit in ps
// bytes, as evenly as possible; for a branch the cut key moves up. With
// appendMode the left part is kept as full as possible (sorted loads).
// It returns -1 when no cut works.
func (n *node) splitPoint(ps int, appendMode bool) int {
	cnt := n.count()
	sizes := make([]int, cnt)
	total := 0
	for i := range sizes {
		sizes[i] = n.cellSize(i)
		total += sizes[i]
	}
	best, bestMax := -1, 0
	left := 0
	// A leaf cut at i keeps cells [0,i) and moves [i,cnt); a branch cut at
	// i keeps separators [0,i), moves separator i up and [i+1,cnt) right.
	for i := 1; i < cnt; i++ {
		left += sizes[i-1]
		right := total - left
		if !n.leaf {
			right -= sizes[i]
		}
		l, r := pageHeaderSize+left, pageHeaderSize+right
		if l > ps || r > ps {
			continue
		}
		if !n.leaf && i >= cnt-1 {
			continue // keep at least one separator on each side
		}
		m := max(l, r)
		if appendMode {
			m = -l // prefer the fullest left part
		}
		if best < 0 || m < bestMax {
			best, bestMax = i, m
		}
	}
	return best
}

// splitOff moves the cells from cut onward into right (a new, empty node)
// and returns the separator for the parent.
func (n *node) splitOff(cut int, right *node) []byte {
	right.size = pageHeaderSize
	if n.leaf {
		right.appendCells(n, cut, n.count())
		n.offs = n.offs[:cut:cut]
		n.size = n.computeSize()
		return right.key(0)
	}
	sep := n.key(cut)
	right.appendCells(n, cut+1, n.count())
	right.kids = append(right.kids, n.kids[cut+1:]...)
	n.offs, n.kids = n.offs[:cut:cut], n.kids[:cut+1:cut+1]
	n.size = n.computeSize()
	return sep
}

// absorb appends the cells of right to n; sep is the parent's separator
// between them (pulled down into a branch, ignored for a leaf).
func (n *node) absorb(sep []byte, right *node) {
	if !n.leaf {
		off := n.appendSep(sep)
		n.offs = append(n.offs, off)
		n.kids = append(n.kids, right.kids...)
	}
	n.appendCells(right, 0, right.count())
}
