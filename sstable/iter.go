package sstable

import (
	"bytes"
	"fmt"
	"slices"

	"github.com/kvlab/kvlab/internal/base"
	"github.com/kvlab/kvlab/kv"
)

// Iter walks a table's entries in internal key order — user key ascending,
// then newest first — restricted to user keys in [lower, upper). Every
// version of every key is visited, tombstones included; resolving versions
// is the caller's job (the LSM's merging iterator).
//
// Iter is a two-level iterator: a position in the index (held decoded in
// the Reader) selects a data block, fetched through the block cache, and a
// block iterator walks that block. Moving past either end of a block moves
// the index position and loads the neighbouring block. Because the iterator
// holds one position and no look-ahead, switching direction (Next after
// Prev, or Prev after Next) is a single step like any other.
//
// Iter has kv.Iterator's method set and contract, except that its keys are
// internal keys: a new Iter is unpositioned; every positioning method
// returns whether the iterator now rests on an entry (the same as Valid);
// once it runs off either end, Next and Prev return false until it is
// positioned again. Key and Value return slices valid until the next
// positioning call or Close. Errors stick: after a corrupt block or an I/O
// error Valid is false and Err returns the error.
//
// An Iter is not safe for concurrent use; several Iters of one Reader are.
type Iter struct {
	r            *Reader
	lower, upper []byte // user key bounds; nil is open
	lowerSeek    []byte // internal key sorting first among lower's entries
	upperSeek    []byte // internal key sorting first among upper's entries
	idx          int    // index position of the loaded block
	loaded       int    // index position of the block in data; -1 when none
	data         blockIter
	valid        bool
	err          error
	closed       bool
}

var _ kv.Iterator = (*Iter)(nil)

// NewIter returns an iterator over the entries whose user keys lie in
// [lower, upper); a nil bound is open. The bounds are copied.
func (r *Reader) NewIter(lower, upper []byte) *Iter {
	it := &Iter{r: r, loaded: -1}
	if lower != nil {
		it.lower = slices.Clone(lower)
		it.lowerSeek = base.SeekKey(nil, lower, base.MaxSeqNum)
	}
	if upper != nil {
		it.upper = slices.Clone(upper)
		it.upperSeek = base.SeekKey(nil, upper, base.MaxSeqNum)
	}
	return it
}

// First moves to the first entry whose user key is >= lower.
func (it *Iter) First() bool {
	if !it.usable() {
		return false
	}
	if it.lower != nil {
		return it.seekGE(it.lowerSeek)
	}
	it.idx = -1
	return it.skipForward(false)
}

// Last moves to the last entry whose user key is < upper.
func (it *Iter) Last() bool {
	if !it.usable() {
		return false
	}
	if it.upper != nil {
		return it.seekLT(it.upperSeek)
	}
	it.idx = len(it.r.index)
	return it.skipBackward(false)
}

// SeekGE moves to the first entry whose internal key is >= ikey (and whose
// user key is >= lower). ikey must be an internal key (base.Valid). To find
// the newest version of a user key visible at sequence number seq, seek to
// base.SeekKey(nil, ukey, seq).
func (it *Iter) SeekGE(ikey []byte) bool {
	if !it.usable() || !it.validKey(ikey) {
		return false
	}
	if it.lower != nil && bytes.Compare(base.UserKey(ikey), it.lower) < 0 {
		ikey = it.lowerSeek
	}
	return it.seekGE(ikey)
}

// SeekLT moves to the last entry whose internal key is < ikey (and whose
// user key is < upper). ikey must be an internal key (base.Valid).
func (it *Iter) SeekLT(ikey []byte) bool {
	if !it.usable() || !it.validKey(ikey) {
		return false
	}
	if it.upper != nil && bytes.Compare(base.UserKey(ikey), it.upper) >= 0 {
		ikey = it.upperSeek
	}
	return it.seekLT(ikey)
}

// Next moves to the next entry.
func (it *Iter) Next() bool {
	if !it.valid {
		return false
	}
	return it.skipForward(it.data.nextEntry())
}

// Prev moves to the previous entry.
func (it *Iter) Prev() bool {
	if !it.valid {
		return false
	}
	return it.skipBackward(it.data.prev())
}

// Valid reports whether the iterator rests on an entry.
func (it *Iter) Valid() bool { return it.valid }

// Key returns the current entry's internal key.
func (it *Iter) Key() []byte {
	if !it.valid {
		return nil
	}
	return it.data.key
}

// Value returns the current entry's value, never nil while Valid.
func (it *Iter) Value() []byte {
	if !it.valid {
		return nil
	}
	return it.data.val
}

// Err returns the error that stopped the iterator, if any.
func (it *Iter) Err() error { return it.err }

// Close releases the iterator and returns Err. It is safe to call twice.
func (it *Iter) Close() error {
	it.closed, it.valid = true, false
	it.data = blockIter{}
	return it.err
}

func (it *Iter) usable() bool {
	it.valid = false
	return !it.closed && it.err == nil
}

func (it *Iter) validKey(ikey []byte) bool {
	if !base.Valid(ikey) {
		it.err = fmt.Errorf("sstable: seek key %x is not an internal key", ikey)
		return false
	}
	return true
}

func (it *Iter) seekGE(ikey []byte) bool {
	it.idx = it.r.searchIndex(ikey)
	if it.idx == len(it.r.index) || !it.load() {
		return false
	}
	return it.skipForward(it.data.seekGE(ikey))
}

func (it *Iter) seekLT(ikey []byte) bool {
	it.idx = it.r.searchIndex(ikey)
	if it.idx == len(it.r.index) {
		return it.skipBackward(false) // entries < ikey end with the last block
	}
	if !it.load() {
		return false
	}
	return it.skipBackward(it.data.seekLT(ikey))
}

// load makes data iterate over block idx.
func (it *Iter) load() bool {
	if it.loaded == it.idx {
		return true
	}
	b, err := it.r.dataBlock(it.idx)
	if err != nil {
		it.err, it.loaded = err, -1
		return false
	}
	it.data.init(b, it.r.name, it.r.index[it.idx].h.offset)
	it.loaded = it.idx
	return true
}

// skipForward settles after a forward move: when the block iterator ran off
// its block (ok false) it moves on to the next blocks' first entries; then
// it checks the upper bound.
func (it *Iter) skipForward(ok bool) bool {
	for !ok {
		if it.data.err != nil {
			it.err = it.data.err
			return it.stop()
		}
		it.idx++
		if it.idx >= len(it.r.index) || !it.load() {
			return it.stop()
		}
		ok = it.data.first()
	}
	if it.upper != nil && bytes.Compare(base.UserKey(it.data.key), it.upper) >= 0 {
		return it.stop()
	}
	it.valid = true
	return true
}

// skipBackward is skipForward's mirror image, with the lower bound.
func (it *Iter) skipBackward(ok bool) bool {
	for !ok {
		if it.data.err != nil {
			it.err = it.data.err
			return it.stop()
		}
		it.idx--
		if it.idx < 0 || !it.load() {
			return it.stop()
		}
		ok = it.data.last()
	}
	if it.lower != nil && bytes.Compare(base.UserKey(it.data.key), it.lower) < 0 {
		return it.stop()
	}
	it.valid = true
	return true
}

func (it *Iter) stop() bool {
	it.valid = false
	return false
}
