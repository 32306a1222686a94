package btree

import (
	"encoding/binary"
	"fmt"
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
			ref := n.ovf[i]
			if ref.pg != 0 {
				flag, vlen = cellOverflow, int(ref.n)
				if ref.raw {
					flag = cellOverflowRaw
				}
			}
			c[0] = flag
			w := 1 + binary.PutUvarint(c[1:], uint64(len(k)))
			w += binary.PutUvarint(c[w:], uint64(vlen))
			w += copy(c[w:], k)
			if flag != cellInline {
				binary.LittleEndian.PutUint64(c[w:], uint64(ref.pg))
				if ref.raw {
					binary.LittleEndian.PutUint32(c[w+8:], ref.sum)
				}
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
// the fuzz target, not): checkNodePage validates every structural field,
// then the cells are read through a pageView.
func decodeNodeBody(p []byte, pg pgid) (*node, error) {
	if _, err := checkNodePage(p, pg); err != nil {
		return nil, err
	}
	v := pageView(p)
	cnt := v.count()
	n := &node{pgno: pg, leaf: v.leaf()}
	n.keys = make([][]byte, cnt)
	if n.leaf {
		n.vals = make([][]byte, cnt)
		n.ovf = make([]ovfRef, cnt)
		for i := range cnt {
			n.keys[i] = v.key(i)
			n.vals[i], n.ovf[i] = v.value(i)
		}
	} else {
		n.kids = make([]pgid, cnt+1)
		for i := range cnt {
			n.keys[i] = v.key(i)
			n.kids[i] = v.child(i)
		}
		n.kids[cnt] = v.child(cnt)
	}
	n.size = n.computeSize()
	if n.size > len(p) {
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
