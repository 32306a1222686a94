package trie

import (
	"encoding/binary"
	"hash/crc32"
	"io"
	"math"
)

// The serialized form, specified byte by byte in docs/format/trie.md.
// Every fixed-width integer is little-endian.
const (
	// FormatVersion is the version of the serialized form this package
	// writes and the only one it reads.
	FormatVersion = 1

	// headerSize is the size of a version-1 header and the smallest header
	// of any version.
	headerSize = 56

	hdrMagicOff     = 0
	hdrVersionOff   = 8
	hdrLenOff       = 10
	hdrFlagsOff     = 12
	hdrKeysOff      = 16
	hdrNodesOff     = 24
	hdrLabelsOff    = 32
	hdrBodyLenOff   = 40
	hdrBodyCRCOff   = 48
	hdrHeaderCRCOff = 52

	// minNodeRecord is the smallest node record: tag, child count and
	// label length, one byte each.
	minNodeRecord = 3

	// tagValue is the node record's tag bit for a node holding a key.
	tagValue = 1

	crcMaskDelta = 0xa282ead8
)

// magic opens every serialized trie.
var magic = [8]byte{'k', 'v', 'l', 'a', 'b', 'T', 'R', 'I'}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// maskCRC masks a CRC-32C as LevelDB (and kvlab's WAL) does.
func maskCRC(c uint32) uint32 { return (c>>15 | c<<17) + crcMaskDelta }

// AppendBinary appends the serialized form of t to dst
// (encoding.BinaryAppender). The node records are written in preorder with
// nothing but the tree's shape, labels, values and weights: subtree maxima
// are recomputed on load, and garbage left by deletes is not written.
func (t *Trie) AppendBinary(dst []byte) ([]byte, error) {
	start := len(dst)
	dst = append(dst, make([]byte, headerSize)...)
	var nodes, labels uint64
	stack := []uint32{0}
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		n := &t.nodes[x]
		var tag byte
		if n.flags&hasValue != 0 {
			tag = tagValue
		}
		dst = append(dst, tag)
		dst = binary.AppendUvarint(dst, uint64(n.nkids))
		dst = binary.AppendUvarint(dst, uint64(n.labLen))
		dst = append(dst, t.labels[n.lab:n.lab+n.labLen]...)
		if tag&tagValue != 0 {
			dst = binary.AppendUvarint(dst, n.value)
			dst = binary.AppendUvarint(dst, n.weight)
		}
		nodes++
		labels += uint64(n.labLen)
		// Push the children last-first so the smallest is written next.
		for s := n.kids + uint32(n.nkids); s > n.kids; s-- {
			stack = append(stack, t.slotNode(s-1))
		}
	}
	h := dst[start : start+headerSize]
	body := dst[start+headerSize:]
	copy(h[hdrMagicOff:], magic[:])
	binary.LittleEndian.PutUint16(h[hdrVersionOff:], FormatVersion)
	binary.LittleEndian.PutUint16(h[hdrLenOff:], headerSize)
	binary.LittleEndian.PutUint32(h[hdrFlagsOff:], 0)
	binary.LittleEndian.PutUint64(h[hdrKeysOff:], uint64(t.count))
	binary.LittleEndian.PutUint64(h[hdrNodesOff:], nodes)
	binary.LittleEndian.PutUint64(h[hdrLabelsOff:], labels)
	binary.LittleEndian.PutUint64(h[hdrBodyLenOff:], uint64(len(body)))
	binary.LittleEndian.PutUint32(h[hdrBodyCRCOff:], maskCRC(crc32.Checksum(body, castagnoli)))
	binary.LittleEndian.PutUint32(h[hdrHeaderCRCOff:], maskCRC(crc32.Checksum(h[:hdrHeaderCRCOff], castagnoli)))
	return dst, nil
}

// MarshalBinary returns the serialized form of t (encoding.BinaryMarshaler).
func (t *Trie) MarshalBinary() ([]byte, error) {
	return t.AppendBinary(make([]byte, 0, t.sizeHint()))
}

// WriteTo writes the serialized form of t to w (io.WriterTo).
func (t *Trie) WriteTo(w io.Writer) (int64, error) {
	b, err := t.MarshalBinary()
	if err != nil {
		return 0, err
	}
	n, err := w.Write(b)
	return int64(n), err
}

// sizeHint estimates the serialized size.
func (t *Trie) sizeHint() int {
	live := len(t.nodes) - len(t.freeNodes)
	est := headerSize + (len(t.labels) - t.labGarbage) + live*4 + t.count*6
	return min(est, math.MaxInt32)
}
