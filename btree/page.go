package btree

import (
	"encoding/binary"
	"fmt"
	"sync/atomic"
	"weak"
)

// pageError describes damage found in page pg; the caller turns it into a
// *kv.CorruptionError naming the file and offset.
type pageError struct {
	pg     pgid
	reason string
}

func (e *pageError) Error() string { return fmt.Sprintf("page %d: %s", e.pg, e.reason) }

func pageErrorf(pg pgid, format string, args ...any) *pageError {
	return &pageError{pg: pg, reason: fmt.Sprintf(format, args...)}
}

// verifyPage checks page p's checksum, its self-reference and its type.
func verifyPage(p []byte, pg pgid, want ...byte) error {
	if got := binary.LittleEndian.Uint32(p[offChecksum:]); got != pageChecksum(p) {
		if allZero(p) {
			return pageErrorf(pg, "page is all zeros (never written)")
		}
		return pageErrorf(pg, "checksum mismatch (stored %#08x, computed %#08x)", got, pageChecksum(p))
	}
	if self := pgid(binary.LittleEndian.Uint64(p[offPgno:])); self != pg {
		return pageErrorf(pg, "page claims to be page %d", self)
	}
	for _, t := range want {
		if p[offType] == t {
			return nil
		}
	}
	return pageErrorf(pg, "page type %d, want one of %v", p[offType], want)
}

func allZero(p []byte) bool {
	for _, b := range p {
		if b != 0 {
			return false
		}
	}
	return true
}

func putHeader(p []byte, typ byte, count int, pg, link pgid, aux uint32) {
	clear(p[:pageHeaderSize])
	p[offType] = typ
	binary.LittleEndian.PutUint16(p[offCount:], uint16(count))
	binary.LittleEndian.PutUint64(p[offPgno:], uint64(pg))
	binary.LittleEndian.PutUint64(p[offLink:], uint64(link))
	binary.LittleEndian.PutUint32(p[offAux:], aux)
}

// encodeNode writes n into page buffer p (len(p) is the page size): the
// header, the slot array growing up and the cells growing down from the end.
func encodeNode(n *node, p []byte) {
	ps := len(p)
	end := ps
	var link pgid
	typ := byte(pageLeaf)
	if !n.leaf {
		typ = pageBranch
		link = n.kids[len(n.kids)-1]
	}
	for i, k := range n.keys {
		sz := n.cellSize(i) - slotSize
		end -= sz
		c := p[end : end+sz]
		if n.leaf {
			flag := byte(cellInline)
			vlen := len(n.vals[i])
			if n.ovf[i].pg != 0 {
				flag, vlen = cellOverflow, int(n.ovf[i].n)
			}
			c[0] = flag
			w := 1 + binary.PutUvarint(c[1:], uint64(len(k)))
			w += binary.PutUvarint(c[w:], uint64(vlen))
			w += copy(c[w:], k)
			if flag == cellOverflow {
				binary.LittleEndian.PutUint64(c[w:], uint64(n.ovf[i].pg))
			} else {
				copy(c[w:], n.vals[i])
			}
		} else {
			binary.LittleEndian.PutUint64(c, uint64(n.kids[i]))
			w := 8 + binary.PutUvarint(c[8:], uint64(len(k)))
			copy(c[w:], k)
		}
		binary.LittleEndian.PutUint16(p[pageHeaderSize+slotSize*i:], uint16(end))
	}
	putHeader(p, typ, len(n.keys), n.pgno, link, uint32(end))
	clear(p[pageHeaderSize+slotSize*len(n.keys) : end])
	sealPage(p)
}

// decodeNode decodes leaf or branch page p, which must be page pg. The
// node's keys and values alias p. Every length and offset is checked, so a
// damaged page yields an error, never a panic or wrong data.
func decodeNode(p []byte, pg pgid) (*node, error) {
	if err := verifyPage(p, pg, pageLeaf, pageBranch); err != nil {
		return nil, err
	}
	return decodeNodeBody(p, pg)
}

// decodeNodeBody decodes a page whose checksum has been verified (or, in
// the fuzz target, not): it validates every structural field itself.
func decodeNodeBody(p []byte, pg pgid) (*node, error) {
	ps := len(p)
	n := &node{pgno: pg, leaf: p[offType] == pageLeaf}
	if p[offType] != pageLeaf && p[offType] != pageBranch {
		return nil, pageErrorf(pg, "page type %d is not a leaf or branch", p[offType])
	}
	cnt := int(binary.LittleEndian.Uint16(p[offCount:]))
	start := int(binary.LittleEndian.Uint32(p[offAux:]))
	slotEnd := pageHeaderSize + slotSize*cnt
	if slotEnd > start || start > ps {
		return nil, pageErrorf(pg, "slot array (%d cells) overlaps the cell area at %d", cnt, start)
	}
	n.keys = make([][]byte, cnt)
	if n.leaf {
		n.vals = make([][]byte, cnt)
		n.ovf = make([]ovfRef, cnt)
	} else {
		n.kids = make([]pgid, cnt+1)
		n.kidCache = make([]atomic.Pointer[weak.Pointer[node]], cnt+1)
		n.kids[cnt] = pgid(binary.LittleEndian.Uint64(p[offLink:]))
		if n.kids[cnt] == 0 {
			return nil, pageErrorf(pg, "branch has no rightmost child")
		}
	}
	for i := range cnt {
		off := int(binary.LittleEndian.Uint16(p[pageHeaderSize+slotSize*i:]))
		if off < start || off >= ps {
			return nil, pageErrorf(pg, "cell %d at offset %d is outside the cell area [%d,%d)", i, off, start, ps)
		}
		c := p[off:]
		if n.leaf {
			flag := c[0]
			if flag != cellInline && flag != cellOverflow {
				return nil, pageErrorf(pg, "cell %d has unknown flag %d", i, flag)
			}
			klen, w1 := binary.Uvarint(c[1:])
			if w1 <= 0 {
				return nil, pageErrorf(pg, "cell %d: bad key length", i)
			}
			vlen, w2 := binary.Uvarint(c[1+w1:])
			if w2 <= 0 {
				return nil, pageErrorf(pg, "cell %d: bad value length", i)
			}
			w := 1 + w1 + w2
			if klen > uint64(len(c)-w) {
				return nil, pageErrorf(pg, "cell %d: key of %d bytes overruns the page", i, klen)
			}
			n.keys[i] = c[w : w+int(klen) : w+int(klen)]
			w += int(klen)
			if flag == cellOverflow {
				if len(c)-w < 8 || vlen > 1<<32-1 {
					return nil, pageErrorf(pg, "cell %d: bad overflow reference", i)
				}
				ref := ovfRef{pg: pgid(binary.LittleEndian.Uint64(c[w:])), n: uint32(vlen)}
				if ref.pg == 0 || vlen == 0 {
					return nil, pageErrorf(pg, "cell %d: empty overflow reference", i)
				}
				n.ovf[i] = ref
			} else {
				if vlen > uint64(len(c)-w) {
					return nil, pageErrorf(pg, "cell %d: value of %d bytes overruns the page", i, vlen)
				}
				n.vals[i] = c[w : w+int(vlen) : w+int(vlen)]
			}
		} else {
			if len(c) < 9 {
				return nil, pageErrorf(pg, "cell %d: truncated branch cell", i)
			}
			n.kids[i] = pgid(binary.LittleEndian.Uint64(c))
			if n.kids[i] == 0 {
				return nil, pageErrorf(pg, "cell %d: null child", i)
			}
			klen, w1 := binary.Uvarint(c[8:])
			if w1 <= 0 || klen > uint64(len(c)-8-w1) {
				return nil, pageErrorf(pg, "cell %d: bad key length", i)
			}
			w := 8 + w1
			n.keys[i] = c[w : w+int(klen) : w+int(klen)]
		}
	}
	n.size = n.computeSize()
	if n.size > ps {
		return nil, pageErrorf(pg, "cells need %d bytes, more than the page", n.size)
	}
	n.acct = n.size
	return n, nil
}

// encodeOverflow writes the part of value that overflow page pg holds.
func encodeOverflow(p []byte, pg pgid, chunk []byte) {
	putHeader(p, pageOverflow, 0, pg, 0, uint32(len(chunk)))
	copy(p[pageHeaderSize:], chunk)
	clear(p[pageHeaderSize+len(chunk):])
	sealPage(p)
}

// decodeOverflow returns the value bytes overflow page p (page pg) holds.
func decodeOverflow(p []byte, pg pgid) ([]byte, error) {
	if err := verifyPage(p, pg, pageOverflow); err != nil {
		return nil, err
	}
	used := int(binary.LittleEndian.Uint32(p[offAux:]))
	if used > len(p)-pageHeaderSize {
		return nil, pageErrorf(pg, "overflow page claims %d bytes", used)
	}
	return p[pageHeaderSize : pageHeaderSize+used], nil
}

// encodeFreelist writes free-list page pg holding ids, linked to next.
func encodeFreelist(p []byte, pg, next pgid, ids []pgid) {
	putHeader(p, pageFreelist, 0, pg, next, uint32(len(ids)))
	for i, id := range ids {
		binary.LittleEndian.PutUint64(p[pageHeaderSize+8*i:], uint64(id))
	}
	clear(p[pageHeaderSize+8*len(ids):])
	sealPage(p)
}

// decodeFreelist returns the page numbers free-list page p holds and the
// next page of the list.
func decodeFreelist(p []byte, pg pgid) (ids []pgid, next pgid, err error) {
	if err := verifyPage(p, pg, pageFreelist); err != nil {
		return nil, 0, err
	}
	cnt := int(binary.LittleEndian.Uint32(p[offAux:]))
	if cnt > freelistCapacity(len(p)) {
		return nil, 0, pageErrorf(pg, "free-list page claims %d entries", cnt)
	}
	ids = make([]pgid, cnt)
	for i := range ids {
		ids[i] = pgid(binary.LittleEndian.Uint64(p[pageHeaderSize+8*i:]))
	}
	return ids, pgid(binary.LittleEndian.Uint64(p[offLink:])), nil
}
