package sstable

import (
	"github.com/kvlab/kvlab/internal/base"
	"github.com/kvlab/kvlab/kv"
)

// blockIter walks the entries of one data block, whose keys are internal
// keys. It is the lower level of the two-level Iter and the whole of Get's
// in-block search.
//
// Moving forward decodes one entry at a time from the previous key. Moving
// backward decodes the restart interval before the current entry once and
// keeps its entries (rc), so that walking a block in reverse costs about as
// much as walking it forward.
//
// Blocks are validated when read from the file (block.walk), so decoding
// cannot fail on a block from this package's reader; the checks stay so that
// a bug elsewhere yields an error, never a panic or wrong data.
type blockIter struct {
	b        *block
	off      int // current entry; -1 before the first, b.restartsOff past the last
	next     int // entry after the current one
	key      []byte
	val      []byte
	err      error
	file     string
	blockOff uint64

	rc    []rcEntry // entries of the interval decoded by the last Prev
	rcBuf []byte    // their keys, back to back
	rcOK  bool
}

type rcEntry struct {
	off, next      int
	keyOff, keyEnd int // in rcBuf
	val            []byte
}

func (it *blockIter) init(b *block, file string, blockOff uint64) {
	it.b = b
	it.off = -1
	it.err = nil
	it.key = it.key[:0]
	it.val = nil
	it.file = file
	it.blockOff = blockOff
	it.rcOK = false
}

func (it *blockIter) valid() bool { return it.b != nil && it.off >= 0 && it.off < it.b.restartsOff }

func (it *blockIter) fail(off int) bool {
	it.err = kv.Corruptf(it.file, int64(it.blockOff), "sstable: malformed entry at block offset %d", off)
	it.off = -1
	return false
}

// decodeAt makes the entry at off current; the current key must be the
// previous entry's key (or empty at a restart point).
//
// The common entry — shared, unshared and value lengths each below 128, so
// one byte apiece — is decoded in place without building an entry; the key
// is rebuilt in it.key by overwriting its suffix past the shared prefix.
func (it *blockIter) decodeAt(off int) bool {
	d, limit := it.b.data, it.b.restartsOff
	if off >= 0 && off+3 <= limit {
		shared, unshared, vlen := int(d[off]), int(d[off+1]), int(d[off+2])
		if (shared|unshared|vlen) < 0x80 && shared <= len(it.key) {
			k := off + 3 + unshared
			end := k + vlen
			if end <= limit && shared+unshared >= base.TrailerLen {
				it.key = append(it.key[:shared], d[off+3:k]...)
				it.val = d[k:end:end]
				it.off, it.next = off, end
				return true
			}
		}
	}
	e, ok := it.b.decodeEntry(off, len(it.key))
	if !ok {
		return it.fail(off)
	}
	it.key = append(it.key[:e.shared], e.keyDelta...)
	if !base.Valid(it.key) {
		return it.fail(off)
	}
	it.val = e.value
	it.off, it.next = off, e.next
	return true
}

// seekRestart makes the entry at restart point i current.
func (it *blockIter) seekRestart(i int) bool {
	it.key = it.key[:0]
	return it.decodeAt(it.b.restart(i))
}

// restartKey returns the key stored in full at restart point i.
func (it *blockIter) restartKey(i int) ([]byte, bool) {
	e, ok := it.b.decodeEntry(it.b.restart(i), 0)
	return e.keyDelta, ok
}

func (it *blockIter) first() bool {
	if it.b.numRestarts == 0 {
		it.off = it.b.restartsOff
		return false
	}
	return it.seekRestart(0)
}

func (it *blockIter) last() bool {
	if it.b.numRestarts == 0 {
		it.off = -1
		return false
	}
	if !it.seekRestart(it.b.numRestarts - 1) {
		return false
	}
	for it.next < it.b.restartsOff {
		if !it.decodeAt(it.next) {
			return false
		}
	}
	return true
}

// seekGE moves to the first entry >= target.
func (it *blockIter) seekGE(target []byte) bool {
	lo, hi := 0, it.b.numRestarts // find the first restart key >= target
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		k, ok := it.restartKey(mid)
		if !ok || !base.Valid(k) {
			return it.fail(it.b.restart(mid))
		}
		if base.Compare(k, target) < 0 {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if it.b.numRestarts == 0 {
		it.off = it.b.restartsOff
		return false
	}
	if !it.seekRestart(max(lo-1, 0)) {
		return false
	}
	for base.Compare(it.key, target) < 0 {
		if !it.nextEntry() {
			return false
		}
	}
	return true
}

// seekLT moves to the last entry < target.
func (it *blockIter) seekLT(target []byte) bool {
	if it.seekGE(target) {
		return it.prev()
	}
	if it.err != nil {
		return false
	}
	return it.last()
}

// nextEntry moves to the next entry.
func (it *blockIter) nextEntry() bool {
	if !it.valid() {
		return false
	}
	if it.next >= it.b.restartsOff {
		it.off = it.b.restartsOff
		return false
	}
	return it.decodeAt(it.next)
}

// prev moves to the previous entry.
func (it *blockIter) prev() bool {
	if !it.valid() {
		return false
	}
	cur := it.off
	if it.rcOK {
		for i := len(it.rc) - 1; i >= 0; i-- {
			if e := &it.rc[i]; e.next == cur {
				it.key = append(it.key[:0], it.rcBuf[e.keyOff:e.keyEnd]...)
				it.val = e.val
				it.off, it.next = e.off, e.next
				return true
			}
		}
	}
	if cur == 0 {
		it.off = -1
		return false
	}
	lo, hi := 0, it.b.numRestarts // find the first restart >= cur
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if it.b.restart(mid) < cur {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	// Decode the interval from restart lo-1 (< cur, as restart 0 is 0) up
	// to the current entry, remembering every entry.
	it.rc, it.rcBuf, it.rcOK = it.rc[:0], it.rcBuf[:0], false
	if !it.seekRestart(lo - 1) {
		return false
	}
	for {
		it.rc = append(it.rc, rcEntry{off: it.off, next: it.next, keyOff: len(it.rcBuf), keyEnd: len(it.rcBuf) + len(it.key), val: it.val})
		it.rcBuf = append(it.rcBuf, it.key...)
		if it.next >= cur {
			break
		}
		if !it.decodeAt(it.next) {
			return false
		}
	}
	if it.next != cur {
		return it.fail(cur)
	}
	it.rcOK = true
	return true
}
