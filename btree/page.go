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
// header, the slot array growing up and the cells growing down from the
// end, each copied as it is in the node.
func encodeNode(n *node, p []byte) {
	end := len(p)
	var link pgid
	typ := byte(pageLeaf)
	if !n.leaf {
		typ = pageBranch
		link = n.kids[len(n.kids)-1]
	}
	for i := range n.offs {
		c := n.cell(i)
		l := cellLen(c, n.leaf)
		end -= l
		copy(p[end:end+l], c[:l])
		if !n.leaf {
			binary.LittleEndian.PutUint64(p[end:], uint64(n.kids[i]))
		}
		binary.LittleEndian.PutUint16(p[pageHeaderSize+slotSize*i:], uint16(end))
	}
	putHeader(p, typ, len(n.offs), n.pgno, link, uint32(end))
	clear(p[pageHeaderSize+slotSize*len(n.offs) : end])
	sealPage(p)
}

// decodeNode decodes leaf or branch page p, which must be page pg. The
// node holds a copy of the page's cells. Every length and offset is
// checked, so a damaged page yields an error, never a panic or wrong data.
func decodeNode(p []byte, pg pgid) (*node, error) {
	if err := verifyPage(p, pg, pageLeaf, pageBranch); err != nil {
		return nil, err
	}
	return decodeNodeBody(p, pg)
}

// decodeNodeBody decodes a page whose checksum has been verified (or, in
// the fuzz target, not): checkNodePage validates every structural field;
// then the cell area is copied as one piece (with room for a few more
// cells) and the slot array turned into offsets into the copy. p is not
// retained.
func decodeNodeBody(p []byte, pg pgid) (*node, error) {
	size, err := checkNodePage(p, pg)
	if err != nil {
		return nil, err
	}
	v := pageView(p)
	cnt := v.count()
	start := int(binary.LittleEndian.Uint32(p[offAux:]))
	n := &node{pgno: pg, leaf: v.leaf(), size: size, acct: size}
	area := len(p) - start
	n.data = make([]byte, area, area+max(512, area/4))
	copy(n.data, p[start:])
	n.offs = make([]uint32, cnt, cnt+8)
	for i := range cnt {
		n.offs[i] = uint32(binary.LittleEndian.Uint16(p[pageHeaderSize+slotSize*i:])) - uint32(start)
	}
	if !n.leaf {
		n.kids = make([]pgid, cnt+1, cnt+4)
		for i := range cnt + 1 {
			n.kids[i] = v.child(i)
		}
	}
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
