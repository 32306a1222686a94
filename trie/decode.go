package trie

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"math"

	"github.com/kvlab/kvlab/kv"
)

// Decode builds a trie from its serialized form (see AppendBinary and
// docs/format/trie.md). Damaged or malformed input — a wrong checksum, an
// impossible count or length, a tree that breaks the trie's invariants —
// returns an error matching kv.ErrCorruption; Decode never panics on any
// input. A newer format version is reported as such (and also matches
// kv.ErrCorruption, as this package cannot tell it from damage).
//
// Decoding fills the trie's arrays in one pass without searching, so it is
// much faster than inserting the keys again.
func Decode(data []byte) (*Trie, error) {
	t := &Trie{}
	if err := t.decode(data); err != nil {
		return nil, err
	}
	return t, nil
}

// UnmarshalBinary replaces t's contents with the decoded data
// (encoding.BinaryUnmarshaler). On error t is left empty.
func (t *Trie) UnmarshalBinary(data []byte) error {
	if err := t.decode(data); err != nil {
		t.reset()
		return err
	}
	return nil
}

// Load reads a serialized trie from r to its end and decodes it.
func Load(r io.Reader) (*Trie, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("trie: read: %w", err)
	}
	return Decode(data)
}

func corrupt(off int, format string, args ...any) error {
	return kv.Corruptf("", int64(off), "trie: "+format, args...)
}

// decFrame is a node whose children are still being decoded.
type decFrame struct {
	node       uint32
	start      uint32 // the node's first child slot
	next, end  uint32 // next free child slot, end of the node's slots
	parentSlot uint32 // the slot that points at node (none for the root)
	max        uint64 // heaviest weight in the node's subtree decoded so far
}

// uvarint reads a varint at *pos and advances *pos past it.
func uvarint(b []byte, pos *int) (uint64, bool) {
	p := *pos
	if p < len(b) && b[p] < 0x80 {
		*pos = p + 1
		return uint64(b[p]), true
	}
	v, n := binary.Uvarint(b[min(p, len(b)):])
	if n <= 0 {
		return 0, false
	}
	*pos = p + n
	return v, true
}

func (t *Trie) decode(data []byte) error {
	if len(data) < headerSize {
		return corrupt(0, "%d bytes, shorter than the %d-byte header", len(data), headerSize)
	}
	h := data[:headerSize]
	if [8]byte(h[hdrMagicOff:hdrMagicOff+8]) != magic {
		return corrupt(0, "bad magic %q", h[:8])
	}
	if got, want := binary.LittleEndian.Uint32(h[hdrHeaderCRCOff:]), maskCRC(crc32.Checksum(h[:hdrHeaderCRCOff], castagnoli)); got != want {
		return corrupt(hdrHeaderCRCOff, "header checksum %#x, want %#x", got, want)
	}
	if v := binary.LittleEndian.Uint16(h[hdrVersionOff:]); v != FormatVersion {
		return corrupt(hdrVersionOff, "format version %d, this build reads only %d", v, FormatVersion)
	}
	if hl := binary.LittleEndian.Uint16(h[hdrLenOff:]); hl != headerSize {
		return corrupt(hdrLenOff, "header length %d, want %d", hl, headerSize)
	}
	if f := binary.LittleEndian.Uint32(h[hdrFlagsOff:]); f != 0 {
		return corrupt(hdrFlagsOff, "unknown flags %#x", f)
	}
	keys := binary.LittleEndian.Uint64(h[hdrKeysOff:])
	nodes := binary.LittleEndian.Uint64(h[hdrNodesOff:])
	labelBytes := binary.LittleEndian.Uint64(h[hdrLabelsOff:])
	bodyLen := binary.LittleEndian.Uint64(h[hdrBodyLenOff:])
	if bodyLen != uint64(len(data)-headerSize) {
		return corrupt(hdrBodyLenOff, "body length %d, but %d bytes follow the header", bodyLen, len(data)-headerSize)
	}
	body := data[headerSize:]
	if got, want := binary.LittleEndian.Uint32(h[hdrBodyCRCOff:]), maskCRC(crc32.Checksum(body, castagnoli)); got != want {
		return corrupt(hdrBodyCRCOff, "body checksum %#x, want %#x", got, want)
	}
	switch {
	case nodes == 0 || nodes > bodyLen/minNodeRecord || nodes > math.MaxUint32:
		return corrupt(hdrNodesOff, "node count %d impossible in a %d-byte body", nodes, bodyLen)
	case keys > nodes:
		return corrupt(hdrKeysOff, "%d keys in %d nodes", keys, nodes)
	case labelBytes > bodyLen:
		return corrupt(hdrLabelsOff, "%d label bytes in a %d-byte body", labelBytes, bodyLen)
	}
	nn := uint32(nodes)
	// Locals, not t's fields, in the loop: the compiler keeps them in
	// registers.
	nodeArr := make([]node, nn)
	labels := make([]byte, labelBytes)
	slots := make([]uint64, nn-1)
	kidMax := make([]uint64, nn-1)
	var rootMax uint64
	stack := make([]decFrame, 0, 64)
	var slotsUsed, lp uint32
	var count uint64
	pos := 0
	for i := uint32(0); i < nn; i++ {
		at := headerSize + pos
		if pos >= len(body) {
			return corrupt(at, "body ends after %d of %d nodes", i, nn)
		}
		tag := body[pos]
		pos++
		if tag&^tagValue != 0 {
			return corrupt(at, "node %d: unknown tag bits %#x", i, tag)
		}
		// Child count and label length are almost always one byte each.
		var nk, ll uint64
		if pos+1 < len(body) && body[pos]|body[pos+1] < 0x80 {
			nk, ll = uint64(body[pos]), uint64(body[pos+1])
			pos += 2
		} else {
			var ok1, ok2 bool
			nk, ok1 = uvarint(body, &pos)
			ll, ok2 = uvarint(body, &pos)
			if !ok1 || !ok2 {
				return corrupt(at, "node %d: bad varint", i)
			}
		}
		if nk > maxKids || uint64(slotsUsed)+nk > uint64(nn-1) {
			return corrupt(at, "node %d: %d children", i, nk)
		}
		if ll > uint64(len(body)-pos) || uint64(lp)+ll > labelBytes {
			return corrupt(at, "node %d: label of %d bytes overruns", i, ll)
		}
		if (i == 0) != (ll == 0) {
			return corrupt(at, "node %d: label of %d bytes (only the root's is empty)", i, ll)
		}
		n := &nodeArr[i]
		n.lab = lp
		n.labLen = uint32(ll)
		if src, dst := body[pos:pos+int(ll)], labels[lp:lp+uint32(ll)]; len(src) <= 8 {
			for j := range src {
				dst[j] = src[j]
			}
		} else {
			copy(dst, src)
		}
		lp += uint32(ll)
		pos += int(ll)
		n.kids = slotsUsed
		n.nkids = uint16(nk)
		slotsUsed += uint32(nk)
		f := decFrame{node: i, start: n.kids, next: n.kids, end: n.kids + uint32(nk)}
		if tag&tagValue != 0 {
			n.flags = hasValue
			count++
			var ok1, ok2 bool
			n.value, ok1 = uvarint(body, &pos)
			n.weight, ok2 = uvarint(body, &pos)
			if !ok1 || !ok2 {
				return corrupt(at, "node %d: bad varint", i)
			}
			f.max = n.weight
		} else if i != 0 && nk < 2 {
			return corrupt(at, "node %d: no key and %d children (the trie must be compressed)", i, nk)
		}
		if i != 0 {
			if len(stack) == 0 {
				return corrupt(at, "node %d has no parent", i)
			}
			p := &stack[len(stack)-1]
			b := labels[n.lab]
			if p.next > p.start && byte(slots[p.next-1]) >= b {
				return corrupt(at, "node %d: children out of order", i)
			}
			slots[p.next] = makeSlot(i, b)
			f.parentSlot = p.next
			p.next++
		}
		if nk == 0 && i != 0 {
			// A leaf closes at once: its maximum is its weight.
			kidMax[f.parentSlot] = f.max
			p := &stack[len(stack)-1]
			p.max = max(p.max, f.max)
		} else {
			stack = append(stack, f)
		}
		// Close every node whose children are all decoded: its maximum is
		// known now.
		for len(stack) > 0 && stack[len(stack)-1].next == stack[len(stack)-1].end {
			top := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if top.node == 0 {
				rootMax = top.max
			} else {
				kidMax[top.parentSlot] = top.max
				p := &stack[len(stack)-1]
				p.max = max(p.max, top.max)
			}
		}
	}
	switch {
	case len(stack) != 0:
		return corrupt(headerSize+pos, "%d nodes still expect children after the last node", len(stack))
	case pos != len(body):
		return corrupt(headerSize+pos, "%d bytes after the last node", len(body)-pos)
	case count != keys:
		return corrupt(hdrKeysOff, "header says %d keys, body holds %d", keys, count)
	case uint64(lp) != labelBytes:
		return corrupt(hdrLabelsOff, "header says %d label bytes, body holds %d", labelBytes, lp)
	}
	*t = Trie{nodes: nodeArr, labels: labels, slots: slots, kidMax: kidMax, rootMax: rootMax}
	t.count = int(count)
	return nil
}
