package btree

import (
	"bytes"

	"github.com/kvlab/kvlab/kv"
)

// iterator walks the leaves through a root-to-leaf stack (the tree has no
// sibling links: see the package documentation). The stack holds, for each
// branch level, the page and the child taken; the current leaf is held
// pinned in the buffer pool (or, when dirty, as its node; when read
// through the mapping, as a copy in the iterator's buffer) from one call to
// the next, so steps within a leaf and Key and Value read the page in
// place, and the next leaf is found from the parent without descending
// from the root again.
//
// Every positioning call takes the tree's read lock, so it sees whole
// batches. Between calls the writer may change the tree; the iterator then
// notices that the tree's version moved and finds its place again by
// seeking from its current key: the next key strictly after it (Next) or
// before it (Prev) in the tree as it is now. Keys that exist throughout the
// iteration are therefore never skipped, repeated or misordered; keys
// written or deleted meanwhile are seen or not depending on whether the
// iterator has passed their position. A pinned frame never changes, and a
// dirty node's key and value bytes are never modified in place, so Key and
// Value stay valid until the next positioning call.
type iterator struct {
	db      *DB
	o       kv.IterOptions
	stack   []level
	leaf    page // the current leaf; leafOK says whether one is held
	leafOK  bool
	i       int // cell index in leaf
	version uint64
	key     []byte
	val     []byte
	seekKey []byte // a copy of key, to seek from when the tree changed
	valid   bool
	err     error
	closed  bool
	// pin is set for an iterator opened on a snapshot: it reads the
	// pinned version, which never changes, and holds a reference to it
	// until Close.
	pin *snapPin
	// buf holds a copy of the current leaf when it was read through the
	// mapping (Options.Mmap): the iterator never aliases the mapping
	// between calls (see setLeaf). Taken from DB.leafBufs, returned by
	// Close.
	buf []byte

	// Counts not yet added to the DB's counters (flushed every
	// flushEvery steps and on Close, to keep shared atomics off the
	// per-step path).
	steps, userRead int64
}

// level is one branch of the iterator's path: page pg, with count
// separators (count+1 children), and the index of the child taken.
type level struct {
	pg    pgid
	i     int
	count int
}

const flushEvery = 256

func (it *iterator) flushCounts() {
	if it.steps != 0 {
		it.db.st.steps.Add(it.steps)
	}
	if it.userRead != 0 {
		it.db.st.userRead.Add(it.userRead)
	}
	it.steps, it.userRead = 0, 0
}

// NewIterator implements kv.Engine.
func (db *DB) NewIterator(o kv.IterOptions) (kv.Iterator, error) {
	if db.closed.Load() {
		return nil, kv.ErrClosed
	}
	db.st.iters.Add(1)
	o.LowerBound = cloneOrNil(o.LowerBound)
	o.UpperBound = cloneOrNil(o.UpperBound)
	return &iterator{db: db, o: o}, nil
}

func cloneOrNil(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append([]byte{}, b...)
}

// begin takes the read lock and checks that the iterator may move.
func (it *iterator) begin(seek bool) bool {
	if it.closed {
		it.valid = false
		return false
	}
	if it.err != nil {
		it.valid = false
		return false
	}
	it.db.tmu.RLock()
	if it.db.closed.Load() {
		it.db.tmu.RUnlock()
		it.err, it.valid = kv.ErrClosed, false
		return false
	}
	if seek {
		it.db.st.seeks.Add(1)
	} else if it.steps++; it.steps >= flushEvery {
		it.flushCounts()
	}
	return true
}

func (it *iterator) end(ok bool, err error) bool {
	if err != nil {
		it.err, ok = err, false
	}
	if ok {
		ok, err = it.load()
		if err != nil {
			it.err, ok = err, false
		}
	}
	it.valid = ok
	it.version = it.db.version.Load()
	it.db.tmu.RUnlock()
	return ok
}

// dropLeaf releases the current leaf.
func (it *iterator) dropLeaf() {
	if it.leafOK {
		it.db.pool.release(it.leaf)
		it.leaf, it.leafOK = page{}, false
	}
}

// setLeaf makes page p (pinned) the current leaf. A leaf read through the
// mapping is copied into the iterator's buffer: Key and Value alias the
// leaf until the iterator moves, and between calls the iterator holds no
// lock, so the page could meanwhile be freed, reused and rewritten, or cut
// off the file (a fault). A copy of 4 KiB costs about what the frame pin
// it replaces did, leaves the pool's frames untouched (resident memory)
// and needs no pool lock; a pinned frame or a dirty node is held as is.
func (it *iterator) setLeaf(p page) {
	it.dropLeaf()
	if p.n == nil && p.f < 0 && it.db.mapped != nil {
		if it.buf == nil {
			if b, ok := it.db.leafBufs.Get().(*[]byte); ok && len(*b) == len(p.v) {
				it.buf = *b
			} else {
				it.buf = make([]byte, len(p.v))
			}
		}
		p.v = p.v.copyTo(it.buf)
	}
	it.leaf, it.leafOK = p, true
}

// descend fills the stack with the path to the leaf where key belongs
// (the leftmost leaf for a nil key, the rightmost with last set) and makes
// that leaf the current one.
func (it *iterator) descend(key []byte, last bool) error {
	it.stack = it.stack[:0]
	pg := it.db.root
	if it.pin != nil {
		pg = it.pin.root
	}
	for {
		p, err := it.db.readView(pg)
		if err != nil {
			return err
		}
		if p.leaf() {
			it.setLeaf(p)
			return nil
		}
		i := p.childIndex(key)
		if last {
			i = p.count()
		}
		it.stack = append(it.stack, level{pg: pg, i: i, count: p.count()})
		pg = p.child(i)
		it.db.pool.release(p)
	}
}

// seekGE rests on the first key >= key (within the upper bound).
func (it *iterator) seekGE(key []byte) (bool, error) {
	if it.o.LowerBound != nil && bytes.Compare(key, it.o.LowerBound) < 0 {
		key = it.o.LowerBound
	}
	if err := it.descend(key, false); err != nil {
		return false, err
	}
	it.i, _ = it.leaf.search(key)
	if it.i >= it.leaf.count() {
		return it.nextLeaf()
	}
	return it.inBounds(), nil
}

// seekLT rests on the last key < key (within the lower bound); a nil key
// means the last key of the tree.
func (it *iterator) seekLT(key []byte) (bool, error) {
	if it.o.UpperBound != nil && (key == nil || bytes.Compare(key, it.o.UpperBound) > 0) {
		key = it.o.UpperBound
	}
	if err := it.descend(key, key == nil); err != nil {
		return false, err
	}
	it.i = it.leaf.count() - 1
	if key != nil {
		it.i, _ = it.leaf.search(key)
		it.i--
	}
	if it.i < 0 {
		return it.prevLeaf()
	}
	return it.inBounds(), nil
}

// nextLeaf moves to the first key of the next non-empty leaf.
func (it *iterator) nextLeaf() (bool, error) {
	for {
		ok, err := it.sibling(true)
		if !ok || err != nil {
			return false, err
		}
		if it.leaf.count() > 0 {
			it.i = 0
			return it.inBounds(), nil
		}
	}
}

// prevLeaf moves to the last key of the previous non-empty leaf.
func (it *iterator) prevLeaf() (bool, error) {
	for {
		ok, err := it.sibling(false)
		if !ok || err != nil {
			return false, err
		}
		if n := it.leaf.count(); n > 0 {
			it.i = n - 1
			return it.inBounds(), nil
		}
	}
}

// sibling makes the leaf after (forward) or before the current one the
// current leaf: up the stack to the nearest branch with a child on that
// side, then down its leftmost (rightmost) edge. It reports false at the
// end of the tree.
func (it *iterator) sibling(forward bool) (bool, error) {
	lvl := len(it.stack) - 1
	for lvl >= 0 && ((forward && it.stack[lvl].i >= it.stack[lvl].count) || (!forward && it.stack[lvl].i == 0)) {
		lvl--
	}
	if lvl < 0 {
		return false, nil
	}
	if forward {
		it.stack[lvl].i++
	} else {
		it.stack[lvl].i--
	}
	it.stack = it.stack[:lvl+1]
	p, err := it.db.readView(it.stack[lvl].pg)
	if err != nil {
		return false, err
	}
	pg := p.child(it.stack[lvl].i)
	it.db.pool.release(p)
	for {
		p, err := it.db.readView(pg)
		if err != nil {
			return false, err
		}
		if p.leaf() {
			it.setLeaf(p)
			return true, nil
		}
		i := 0
		if !forward {
			i = p.count()
		}
		it.stack = append(it.stack, level{pg: pg, i: i, count: p.count()})
		pg = p.child(i)
		it.db.pool.release(p)
	}
}

// inBounds reports whether the current key lies within the bounds.
func (it *iterator) inBounds() bool {
	return it.o.Contains(it.leaf.key(it.i))
}

// load makes the current cell the iterator's key and value. The slices
// alias the leaf, which stays pinned (or, when dirty, whose key and value
// bytes are never modified in place) until the iterator moves to another
// leaf; only an overflow value is read into a new buffer.
func (it *iterator) load() (bool, error) {
	var v []byte
	var ref ovfRef
	it.key, v, ref = it.leaf.leafCell(it.i)
	if ref.pg != 0 {
		var err error
		if v, err = it.db.readOverflow(ref); err != nil {
			return false, err
		}
	}
	if v == nil {
		v = []byte{}
	}
	it.val = v
	it.userRead += int64(len(it.key) + len(it.val))
	return true, nil
}

// stale reports whether the tree changed since the iterator last moved.
// A snapshot's iterator is never stale: its version does not change.
func (it *iterator) stale() bool { return it.pin == nil && it.version != it.db.version.Load() }

// First implements kv.Iterator.
func (it *iterator) First() bool { return it.seek(true, nil) }

// Last implements kv.Iterator.
func (it *iterator) Last() bool { return it.seek(false, nil) }

// SeekGE implements kv.Iterator.
func (it *iterator) SeekGE(key []byte) bool { return it.seek(true, nonNil(key)) }

// SeekLT implements kv.Iterator.
func (it *iterator) SeekLT(key []byte) bool { return it.seek(false, nonNil(key)) }

// nonNil turns a nil key (the empty key, to callers) into an empty one:
// seekGE and seekLT read nil as "the very first" and "the very last".
func nonNil(key []byte) []byte {
	if key == nil {
		return []byte{}
	}
	return key
}

// seek positions the iterator with seekGE (ge) or seekLT.
func (it *iterator) seek(ge bool, key []byte) bool {
	if !it.begin(true) {
		return false
	}
	var ok bool
	var err error
	if ge {
		ok, err = it.seekGE(key)
	} else {
		ok, err = it.seekLT(key)
	}
	return it.end(ok, err)
}

// Next implements kv.Iterator.
func (it *iterator) Next() bool { return it.move(true) }

// Prev implements kv.Iterator.
func (it *iterator) Prev() bool { return it.move(false) }

// move steps to the next key in either direction. When the tree changed
// since the last move it seeks from the current key instead: to the first
// key after it, or the last before it, in the tree as it is now.
func (it *iterator) move(forward bool) bool {
	if !it.valid {
		return false
	}
	if it.stepInPlace(forward) {
		return it.valid
	}
	if !it.begin(false) {
		return false
	}
	var ok bool
	var err error
	switch {
	case !it.stale():
		ok, err = it.step(forward)
	case forward:
		// Copied: the seek may release the leaf it.key aliases.
		it.seekKey = append(it.seekKey[:0], it.key...)
		ok, err = it.seekGE(it.seekKey)
		if err == nil && ok && bytes.Equal(it.leaf.key(it.i), it.seekKey) {
			ok, err = it.step(true)
		}
	default:
		it.seekKey = append(it.seekKey[:0], it.key...)
		ok, err = it.seekLT(it.seekKey)
	}
	return it.end(ok, err)
}

// stepInPlace takes a step within the current leaf without the tree's
// lock, when it can: the leaf is a pinned frame (whose bytes never change
// while pinned) and the tree's version is the one the iterator last saw,
// so the frame is still the tree's leaf as of the last committed batch (a
// batch the writer is applying meanwhile is not visible yet, as it would
// not be to a step that took the lock first). Values in overflow runs,
// dirty leaves (nodes the writer changes in place) and steps off the leaf
// take the locked path. It reports whether it moved (setting valid).
func (it *iterator) stepInPlace(forward bool) bool {
	if !it.leafOK || it.leaf.n != nil || it.closed || it.err != nil || it.stale() || it.db.closed.Load() {
		return false
	}
	i := it.i + 1
	if !forward {
		i = it.i - 1
	}
	if i < 0 || i >= it.leaf.v.count() {
		return false
	}
	key, v, ref := it.leaf.v.leafCell(i)
	if ref.pg != 0 {
		return false
	}
	if it.steps++; it.steps >= flushEvery {
		it.flushCounts()
	}
	it.i = i
	if !it.o.Contains(key) {
		it.valid = false
		return true
	}
	if v == nil {
		v = []byte{}
	}
	it.key, it.val = key, v
	it.userRead += int64(len(key) + len(v))
	return true
}

// step moves one key forward or backward along the stack.
func (it *iterator) step(forward bool) (bool, error) {
	if forward {
		it.i++
		if it.i >= it.leaf.count() {
			return it.nextLeaf()
		}
	} else {
		it.i--
		if it.i < 0 {
			return it.prevLeaf()
		}
	}
	return it.inBounds(), nil
}

// Valid implements kv.Iterator.
func (it *iterator) Valid() bool { return it.valid }

// Key implements kv.Iterator. The slice aliases the store's page data:
// it must not be modified.
func (it *iterator) Key() []byte { return it.key }

// Value implements kv.Iterator. Like Key's, the slice must not be
// modified.
func (it *iterator) Value() []byte { return it.val }

// Err implements kv.Iterator.
func (it *iterator) Err() error { return it.err }

// Close implements kv.Iterator. A closed iterator stays unpositioned.
func (it *iterator) Close() error {
	if !it.closed {
		it.flushCounts()
		if it.pin != nil {
			it.pin.release()
		}
	}
	it.dropLeaf()
	it.closed = true
	it.valid = false
	it.stack = nil
	it.key, it.val = nil, nil
	if it.buf != nil {
		b := it.buf
		it.db.leafBufs.Put(&b)
		it.buf = nil
	}
	return it.err
}
