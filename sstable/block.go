package sstable

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"

	"github.com/golang/snappy"

	"github.com/kvlab/kvlab/internal/base"
)

// block is a decoded, checksum-verified and structurally validated block:
// the unit the cache holds. Its bytes are never modified once built, so any
// number of iterators may read it at once, and slices into it stay valid for
// as long as someone holds them.
type block struct {
	data        []byte // entries followed by the restart array and count
	restartsOff int    // offset of the restart array = end of the entries
	numRestarts int
}

// restart returns the offset of restart point i.
func (b *block) restart(i int) int {
	return int(binary.LittleEndian.Uint32(b.data[b.restartsOff+4*i:]))
}

// size returns the memory the block holds, for cache accounting.
func (b *block) size() int64 { return int64(cap(b.data)) + blockOverhead }

// blockOverhead approximates the memory of a cached block beyond its bytes:
// the block struct and the cache entry.
const blockOverhead = 96

// entry is one decoded block entry. keyDelta and value alias the block.
type entry struct {
	shared   int
	keyDelta []byte
	value    []byte
	next     int // offset of the following entry
}

// decodeEntry decodes the entry at off. prevKeyLen is the length of the
// previous entry's key, which bounds shared. ok is false when the entry is
// malformed: a bad varint, a shared length longer than the previous key, or
// lengths running past the end of the entries.
func (b *block) decodeEntry(off, prevKeyLen int) (e entry, ok bool) {
	limit := b.restartsOff
	p := off
	var v [3]uint64
	for i := range v {
		if p >= limit {
			return entry{}, false
		}
		if c := b.data[p]; c < 0x80 { // one-byte varint: the common case
			v[i] = uint64(c)
			p++
			continue
		}
		x, n := binary.Uvarint(b.data[p:limit])
		if n <= 0 {
			return entry{}, false
		}
		v[i] = x
		p += n
	}
	shared, unshared, vlen := v[0], v[1], v[2]
	rest := uint64(limit - p)
	if shared > uint64(prevKeyLen) || unshared > rest || vlen > rest-unshared {
		return entry{}, false
	}
	k := p + int(unshared)
	end := k + int(vlen)
	return entry{shared: int(shared), keyDelta: b.data[p:k], value: b.data[k:end], next: end}, true
}

// decodeContents checks a block's trailer and returns its decompressed
// contents. buf holds the stored contents followed by the trailer. With
// verify false the checksum is not compared (fuzzing the parsers).
func decodeContents(buf []byte, verify bool) ([]byte, error) {
	if len(buf) < blockTrailerLen {
		return nil, errors.New("block shorter than its trailer")
	}
	n := len(buf) - blockTrailerLen
	typ := compressionType(buf[n])
	if verify {
		want := binary.LittleEndian.Uint32(buf[n+1:])
		if got := crc32.Checksum(buf[:n+1], crcTable); got != want {
			return nil, fmt.Errorf("checksum mismatch: stored %#08x, computed %#08x", want, got)
		}
	}
	switch typ {
	case noCompressionType:
		return buf[:n:n], nil
	case snappyCompressionType:
		dlen, err := snappy.DecodedLen(buf[:n])
		if err != nil {
			return nil, fmt.Errorf("snappy: %w", err)
		}
		if dlen > maxSnappyRatio*n+64 {
			return nil, fmt.Errorf("snappy: decoded length %d impossible for %d bytes", dlen, n)
		}
		out, err := snappy.Decode(make([]byte, dlen), buf[:n])
		if err != nil {
			return nil, fmt.Errorf("snappy: %w", err)
		}
		if len(out) != dlen {
			return nil, fmt.Errorf("snappy: decoded %d bytes, header says %d", len(out), dlen)
		}
		return out, nil
	}
	return nil, fmt.Errorf("unknown compression type %d", typ)
}

// parseBlock checks a block's restart array and returns the block. The
// entries are checked by walk.
func parseBlock(data []byte) (*block, error) {
	if len(data) < 4 {
		return nil, fmt.Errorf("block of %d bytes has no restart count", len(data))
	}
	n := binary.LittleEndian.Uint32(data[len(data)-4:])
	if uint64(n) > uint64(len(data)-4)/4 {
		return nil, fmt.Errorf("restart count %d does not fit in %d bytes", n, len(data))
	}
	b := &block{data: data, restartsOff: len(data) - 4 - 4*int(n), numRestarts: int(n)}
	if n == 0 && b.restartsOff != 0 {
		return nil, errors.New("entries without restart points")
	}
	prev := -1
	for i := 0; i < b.numRestarts; i++ {
		r := b.restart(i)
		if r <= prev || r >= b.restartsOff || (i == 0 && r != 0) {
			return nil, fmt.Errorf("restart point %d at %d out of order or range", i, r)
		}
		prev = r
	}
	return b, nil
}

// keyOrder says how walk checks that a block's keys increase.
type keyOrder int

const (
	internalKeyOrder keyOrder = iota // valid internal keys, base.Compare
	bytewiseOrder                    // any bytes, bytes.Compare
)

// walk decodes every entry of b in order, checking that each restart point
// falls on an entry that stores its whole key, that entries tile the space
// before the restart array exactly, and that keys strictly increase in the
// given order. It calls fn (if not nil) with each key and value; the key is
// valid only during the call. It returns the last key (nil for an empty
// block) and the first problem found, or fn's first error.
func (b *block) walk(order keyOrder, fn func(key, value []byte) error) ([]byte, error) {
	var key, prev []byte
	ri := 0
	for off, i := 0, 0; off < b.restartsOff; i++ {
		e, ok := b.decodeEntry(off, len(key))
		if !ok {
			return nil, fmt.Errorf("malformed entry %d at block offset %d", i, off)
		}
		if ri < b.numRestarts && b.restart(ri) == off {
			if e.shared != 0 {
				return nil, fmt.Errorf("restart entry at block offset %d shares a prefix", off)
			}
			ri++
		} else if ri < b.numRestarts && b.restart(ri) < off {
			return nil, fmt.Errorf("restart point %d at %d is not an entry", ri, b.restart(ri))
		}
		prev = append(prev[:0], key...)
		key = append(key[:e.shared], e.keyDelta...)
		switch order {
		case internalKeyOrder:
			if _, _, _, ok := base.Parse(key); !ok {
				return nil, fmt.Errorf("invalid internal key %x at block offset %d", key, off)
			}
			if i > 0 && base.Compare(prev, key) >= 0 {
				return nil, fmt.Errorf("key %s at block offset %d not after %s", base.Format(key), off, base.Format(prev))
			}
		case bytewiseOrder:
			if i > 0 && bytes.Compare(prev, key) >= 0 {
				return nil, fmt.Errorf("key %q at block offset %d not after %q", key, off, prev)
			}
		}
		if fn != nil {
			if err := fn(key, e.value); err != nil {
				return nil, err
			}
		}
		off = e.next
	}
	if ri != b.numRestarts {
		return nil, fmt.Errorf("restart point %d at %d is not an entry", ri, b.restart(ri))
	}
	return key, nil
}
