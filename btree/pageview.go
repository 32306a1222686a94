package btree

import (
	"bytes"
	"encoding/binary"
)

// pageView reads a leaf or branch page in place, without decoding it into
// a node: readers search the page bytes the buffer pool holds, as bbolt
// and LMDB search their memory map. A view must have passed checkNodePage
// (every offset and length lies inside the page), so its accessors need no
// error paths; a page fails that check once, when it is read from the
// file, and never reaches a reader.
type pageView []byte

func (p pageView) leaf() bool { return p[offType] == pageLeaf }

func (p pageView) count() int { return int(binary.LittleEndian.Uint16(p[offCount:])) }

// cell returns the bytes from cell i's start to the end of the page.
func (p pageView) cell(i int) []byte {
	return p[binary.LittleEndian.Uint16(p[pageHeaderSize+slotSize*i:]):]
}

// uvarint decodes a checked uvarint, with a fast path for one byte.
func uvarint(b []byte) (uint64, int) {
	if b[0] < 0x80 {
		return uint64(b[0]), 1
	}
	return binary.Uvarint(b)
}

// key returns cell i's key.
func (p pageView) key(i int) []byte {
	c := p.cell(i)
	if p[offType] == pageBranch {
		kl, w := uvarint(c[8:])
		return c[8+w : 8+w+int(kl) : 8+w+int(kl)]
	}
	kl, w1 := uvarint(c[1:])
	_, w2 := uvarint(c[1+w1:])
	w := 1 + w1 + w2
	return c[w : w+int(kl) : w+int(kl)]
}

// search returns the index of the first key >= key and whether it equals
// key (slices.BinarySearch over the cells, comparing in place).
func (p pageView) search(key []byte) (int, bool) {
	lo, hi := 0, p.count()
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if bytes.Compare(p.key(m), key) < 0 {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo, lo < p.count() && bytes.Equal(p.key(lo), key)
}

// child returns branch child i (count() is the rightmost, in the header).
func (p pageView) child(i int) pgid {
	if i == p.count() {
		return pgid(binary.LittleEndian.Uint64(p[offLink:]))
	}
	return pgid(binary.LittleEndian.Uint64(p.cell(i)))
}

// childIndex returns the index of the child whose range holds key.
func (p pageView) childIndex(key []byte) int {
	i, found := p.search(key)
	if found {
		return i + 1
	}
	return i
}

// value returns leaf cell i's inline value, or its overflow reference.
func (p pageView) value(i int) ([]byte, ovfRef) {
	_, v, ref := p.leafCell(i)
	return v, ref
}

// leafCell returns leaf cell i's key and its inline value or overflow
// reference, parsing the cell once.
func (p pageView) leafCell(i int) ([]byte, []byte, ovfRef) {
	c := p.cell(i)
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

// copyTo copies the page into buf (a page's size) and returns the copy:
// the header and slot array, and the cell area, at their offsets; the free
// gap between them, which no accessor reads, is not copied.
func (p pageView) copyTo(buf []byte) pageView {
	slotEnd := pageHeaderSize + slotSize*p.count()
	start := int(binary.LittleEndian.Uint32(p[offAux:]))
	copy(buf[:slotEnd], p[:slotEnd])
	copy(buf[start:], p[start:])
	return pageView(buf[:len(p):len(p)])
}

// checkNodePage validates the structure of leaf or branch page p (page pg),
// whose checksum has been verified (or, in the fuzz target, not): the slot
// array, every cell offset and length, the cell flags and child pointers.
// It returns the bytes the cells need, header included. A page that passes
// may be read through a pageView.
func checkNodePage(p []byte, pg pgid) (int, error) {
	ps := len(p)
	typ := p[offType]
	if typ != pageLeaf && typ != pageBranch {
		return 0, pageErrorf(pg, "page type %d is not a leaf or branch", typ)
	}
	cnt := int(binary.LittleEndian.Uint16(p[offCount:]))
	start := int(binary.LittleEndian.Uint32(p[offAux:]))
	slotEnd := pageHeaderSize + slotSize*cnt
	if slotEnd > start || start > ps {
		return 0, pageErrorf(pg, "slot array (%d cells) overlaps the cell area at %d", cnt, start)
	}
	size := pageHeaderSize
	if typ == pageBranch && binary.LittleEndian.Uint64(p[offLink:]) == 0 {
		return 0, pageErrorf(pg, "branch has no rightmost child")
	}
	for i := range cnt {
		off := int(binary.LittleEndian.Uint16(p[pageHeaderSize+slotSize*i:]))
		if off < start || off >= ps {
			return 0, pageErrorf(pg, "cell %d at offset %d is outside the cell area [%d,%d)", i, off, start, ps)
		}
		c := p[off:]
		if typ == pageBranch {
			if len(c) < 9 {
				return 0, pageErrorf(pg, "cell %d: truncated branch cell", i)
			}
			if binary.LittleEndian.Uint64(c) == 0 {
				return 0, pageErrorf(pg, "cell %d: null child", i)
			}
			klen, w1 := binary.Uvarint(c[8:])
			if w1 <= 0 || klen > uint64(len(c)-8-w1) {
				return 0, pageErrorf(pg, "cell %d: bad key length", i)
			}
			size += 8 + w1 + int(klen) + slotSize
			continue
		}
		flag := c[0]
		if flag != cellInline && flag != cellOverflow && flag != cellOverflowRaw {
			return 0, pageErrorf(pg, "cell %d has unknown flag %d", i, flag)
		}
		klen, w1 := binary.Uvarint(c[1:])
		if w1 <= 0 {
			return 0, pageErrorf(pg, "cell %d: bad key length", i)
		}
		vlen, w2 := binary.Uvarint(c[1+w1:])
		if w2 <= 0 {
			return 0, pageErrorf(pg, "cell %d: bad value length", i)
		}
		w := 1 + w1 + w2
		if klen > uint64(len(c)-w) {
			return 0, pageErrorf(pg, "cell %d: key of %d bytes overruns the page", i, klen)
		}
		w += int(klen)
		switch flag {
		case cellInline:
			if vlen > uint64(len(c)-w) {
				return 0, pageErrorf(pg, "cell %d: value of %d bytes overruns the page", i, vlen)
			}
			w += int(vlen)
		default:
			refLen := 8
			if flag == cellOverflowRaw {
				refLen = 12
			}
			if len(c)-w < refLen || vlen > 1<<32-1 {
				return 0, pageErrorf(pg, "cell %d: bad overflow reference", i)
			}
			if binary.LittleEndian.Uint64(c[w:]) == 0 || vlen == 0 {
				return 0, pageErrorf(pg, "cell %d: empty overflow reference", i)
			}
			w += refLen
		}
		size += w + slotSize
	}
	if size > ps {
		return 0, pageErrorf(pg, "cells need %d bytes, more than the page", size)
	}
	return size, nil
}

// The accessors of a page a reader holds: a clean page is read in place, a
// dirty one through its node.

func (pg page) leaf() bool {
	if pg.n != nil {
		return pg.n.leaf
	}
	return pg.v.leaf()
}

func (pg page) count() int {
	if pg.n != nil {
		return len(pg.n.keys)
	}
	return pg.v.count()
}

func (pg page) key(i int) []byte {
	if pg.n != nil {
		return pg.n.keys[i]
	}
	return pg.v.key(i)
}

func (pg page) search(key []byte) (int, bool) {
	if pg.n != nil {
		return pg.n.search(key)
	}
	return pg.v.search(key)
}

func (pg page) childIndex(key []byte) int {
	if pg.n != nil {
		return pg.n.childIndex(key)
	}
	return pg.v.childIndex(key)
}

func (pg page) child(i int) pgid {
	if pg.n != nil {
		return pg.n.kids[i]
	}
	return pg.v.child(i)
}

func (pg page) value(i int) ([]byte, ovfRef) {
	if pg.n != nil {
		return pg.n.vals[i], pg.n.ovf[i]
	}
	return pg.v.value(i)
}

func (pg page) leafCell(i int) ([]byte, []byte, ovfRef) {
	if pg.n != nil {
		return pg.n.keys[i], pg.n.vals[i], pg.n.ovf[i]
	}
	return pg.v.leafCell(i)
}
