package btree

import (
	"bytes"
	"slices"
	"sync/atomic"
)

// node is a decoded leaf or branch page: the writer's form of a page it
// changes. Readers do not decode pages: they search the page bytes in place
// (pageView); a node exists only for a page the writer has changed since it
// was last written (a dirty page, which the buffer pool holds as a node),
// or for a moment while the writer, Check or Compact works on a page.
//
// A leaf holds len(keys) cells: keys[i] with either an inline value vals[i]
// or, when ovf[i].pg != 0, a value of ovf[i].n bytes stored in the overflow
// run that starts at page ovf[i].pg.
//
// A branch holds len(keys) separators and len(keys)+1 children: every key
// k under kids[i] satisfies keys[i-1] <= k < keys[i].
//
// Nodes reachable from the tree are modified only by the writer, under the
// tree's write lock, and only once they are fresh (allocated since the last
// checkpoint): see cow in tree.go. Key and value bytes are never modified in
// place, so they may alias the page buffer the node was decoded from.
type node struct {
	pgno pgid
	leaf bool
	keys [][]byte
	vals [][]byte // leaf only
	ovf  []ovfRef // leaf only
	kids []pgid   // branch only
	size int      // encoded size in bytes, header included
	acct int      // size last counted in the DB's leaf-bytes gauge

	// ref is the clock algorithm's reference bit (coldDirty).
	ref atomic.Bool
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

// cellSize returns the encoded size of cell i.
func (n *node) cellSize(i int) int {
	if !n.leaf {
		return branchCellSize(n.keys[i])
	}
	if n.ovf[i].pg != 0 {
		return leafCellSize(n.keys[i], int(n.ovf[i].n), n.ovf[i])
	}
	return leafCellSize(n.keys[i], len(n.vals[i]), ovfRef{})
}

func (n *node) computeSize() int {
	s := pageHeaderSize
	for i := range n.keys {
		s += n.cellSize(i)
	}
	return s
}

// search returns the index of the first key >= key and whether it equals key.
func (n *node) search(key []byte) (int, bool) {
	return slices.BinarySearchFunc(n.keys, key, bytes.Compare)
}

// childIndex returns the index of the child whose range holds key.
func (n *node) childIndex(key []byte) int {
	i, found := n.search(key)
	if found {
		return i + 1
	}
	return i
}

// clone returns a copy of n under a new page number; key and value bytes are
// shared (they are immutable).
func (n *node) clone(pg pgid) *node {
	c := &node{pgno: pg, leaf: n.leaf, size: n.size, acct: n.acct}
	c.keys = slices.Clone(n.keys)
	if n.leaf {
		c.vals = slices.Clone(n.vals)
		c.ovf = slices.Clone(n.ovf)
	} else {
		c.kids = slices.Clone(n.kids)
	}
	return c
}

// setLeaf stores a cell at index i, inserting when insert is set.
func (n *node) setLeaf(i int, insert bool, key, val []byte, ref ovfRef) {
	if insert {
		n.keys = slices.Insert(n.keys, i, key)
		n.vals = slices.Insert(n.vals, i, val)
		n.ovf = slices.Insert(n.ovf, i, ref)
	} else {
		n.size -= n.cellSize(i)
		n.keys[i], n.vals[i], n.ovf[i] = key, val, ref
	}
	n.size += n.cellSize(i)
}

// removeLeaf deletes leaf cell i.
func (n *node) removeLeaf(i int) {
	n.size -= n.cellSize(i)
	n.keys = slices.Delete(n.keys, i, i+1)
	n.vals = slices.Delete(n.vals, i, i+1)
	n.ovf = slices.Delete(n.ovf, i, i+1)
}

// insertSep inserts separator key at index i with child right after it.
func (n *node) insertSep(i int, key []byte, right pgid) {
	n.keys = slices.Insert(n.keys, i, key)
	n.kids = slices.Insert(n.kids, i+1, right)
	n.size += branchCellSize(key)
}

// removeSep deletes separator i and the child to its right.
func (n *node) removeSep(i int) {
	n.size -= branchCellSize(n.keys[i])
	n.keys = slices.Delete(n.keys, i, i+1)
	n.kids = slices.Delete(n.kids, i+1, i+2)
}

// splitPoint chooses where to cut cells so that both halves fit in ps
// bytes, as evenly as possible; for a branch the cut key moves up. With
// appendMode the left part is kept as full as possible (sorted loads).
// It returns -1 when no cut works.
func (n *node) splitPoint(ps int, appendMode bool) int {
	cnt := len(n.keys)
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
	if n.leaf {
		right.keys = append(right.keys, n.keys[cut:]...)
		right.vals = append(right.vals, n.vals[cut:]...)
		right.ovf = append(right.ovf, n.ovf[cut:]...)
		n.keys, n.vals, n.ovf = n.keys[:cut:cut], n.vals[:cut:cut], n.ovf[:cut:cut]
		n.size, right.size = n.computeSize(), right.computeSize()
		return right.keys[0]
	}
	sep := n.keys[cut]
	right.keys = append(right.keys, n.keys[cut+1:]...)
	right.kids = append(right.kids, n.kids[cut+1:]...)
	n.keys, n.kids = n.keys[:cut:cut], n.kids[:cut+1:cut+1]
	n.size, right.size = n.computeSize(), right.computeSize()
	return sep
}

// absorb appends the cells of right to n; sep is the parent's separator
// between them (pulled down into a branch, ignored for a leaf).
func (n *node) absorb(sep []byte, right *node) {
	if n.leaf {
		n.keys = append(n.keys, right.keys...)
		n.vals = append(n.vals, right.vals...)
		n.ovf = append(n.ovf, right.ovf...)
	} else {
		n.keys = append(append(n.keys, sep), right.keys...)
		n.kids = append(n.kids, right.kids...)
	}
	n.size = n.computeSize()
}
