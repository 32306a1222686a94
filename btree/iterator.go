package btree

import (
	"bytes"

	"github.com/kvlab/kvlab/kv"
)

// iterator walks the leaves through a root-to-leaf stack (the tree has no
// sibling links: see the package documentation).
//
// Every positioning call takes the tree's read lock, so it sees whole
// batches. Between calls the writer may change the tree; the iterator then
// notices that the tree's version moved and finds its place again by
// seeking from its current key: the next key strictly after it (Next) or
// before it (Prev) in the tree as it is now. Keys that exist throughout the
// iteration are therefore never skipped, repeated or misordered; keys
// written or deleted meanwhile are seen or not depending on whether the
// iterator has passed their position.
type iterator struct {
	db      *DB
	o       kv.IterOptions
	stack   []pathElem
	version uint64
	key     []byte
	val     []byte
	valid   bool
	err     error
	closed  bool
	// pin is set for an iterator opened on a snapshot: it reads the
	// pinned version, which never changes, and holds a reference to it
	// until Close.
	pin *snapPin

	// Counts not yet added to the DB's counters (flushed every
	// flushEvery steps and on Close, to keep shared atomics off the
	// per-step path).
	steps, userRead int64
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
	it.version = it.db.version
	it.db.tmu.RUnlock()
	return ok
}

// descend fills the stack with the path to the leaf where key belongs
// (the leftmost leaf for a nil key, the rightmost with last set).
func (it *iterator) descend(key []byte, last bool) (*node, error) {
	it.stack = it.stack[:0]
	var n *node
	var err error
	if it.pin != nil {
		n, err = it.db.readNode(it.pin.root)
	} else {
		n, err = it.db.rootNode()
	}
	for err == nil && !n.leaf {
		i := n.childIndex(key)
		if last {
			i = len(n.kids) - 1
		}
		it.stack = append(it.stack, pathElem{n, i})
		n, err = it.db.child(n, i)
	}
	if err != nil {
		return nil, err
	}
	it.stack = append(it.stack, pathElem{n: n})
	return n, nil
}

// seekGE rests on the first key >= key (within the upper bound).
func (it *iterator) seekGE(key []byte) (bool, error) {
	if it.o.LowerBound != nil && bytes.Compare(key, it.o.LowerBound) < 0 {
		key = it.o.LowerBound
	}
	n, err := it.descend(key, false)
	if err != nil {
		return false, err
	}
	i, _ := n.search(key)
	it.stack[len(it.stack)-1].i = i
	if i >= len(n.keys) {
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
	n, err := it.descend(key, key == nil)
	if err != nil {
		return false, err
	}
	i := len(n.keys) - 1
	if key != nil {
		i, _ = n.search(key)
		i--
	}
	it.stack[len(it.stack)-1].i = i
	if i < 0 {
		return it.prevLeaf()
	}
	return it.inBounds(), nil
}

// nextLeaf moves to the first key of the next non-empty leaf.
func (it *iterator) nextLeaf() (bool, error) {
	for {
		lvl := len(it.stack) - 2
		for lvl >= 0 && it.stack[lvl].i >= len(it.stack[lvl].n.kids)-1 {
			lvl--
		}
		if lvl < 0 {
			return false, nil
		}
		it.stack[lvl].i++
		it.stack = it.stack[:lvl+1]
		n := it.stack[lvl].n
		for {
			c, err := it.db.child(n, it.stack[len(it.stack)-1].i)
			if err != nil {
				return false, err
			}
			if c.leaf {
				it.stack = append(it.stack, pathElem{c, 0})
				break
			}
			it.stack = append(it.stack, pathElem{c, 0})
			n = c
		}
		if len(it.stack[len(it.stack)-1].n.keys) > 0 {
			return it.inBounds(), nil
		}
	}
}

// prevLeaf moves to the last key of the previous non-empty leaf.
func (it *iterator) prevLeaf() (bool, error) {
	for {
		lvl := len(it.stack) - 2
		for lvl >= 0 && it.stack[lvl].i == 0 {
			lvl--
		}
		if lvl < 0 {
			return false, nil
		}
		it.stack[lvl].i--
		it.stack = it.stack[:lvl+1]
		n := it.stack[lvl].n
		for {
			c, err := it.db.child(n, it.stack[len(it.stack)-1].i)
			if err != nil {
				return false, err
			}
			if c.leaf {
				it.stack = append(it.stack, pathElem{c, len(c.keys) - 1})
				break
			}
			it.stack = append(it.stack, pathElem{c, len(c.kids) - 1})
			n = c
		}
		if len(it.stack[len(it.stack)-1].n.keys) > 0 {
			return it.inBounds(), nil
		}
	}
}

// inBounds reports whether the current key lies within the bounds.
func (it *iterator) inBounds() bool {
	top := it.stack[len(it.stack)-1]
	return it.o.Contains(top.n.keys[top.i])
}

// load makes the current cell the iterator's key and value. The slices
// alias the node's key and value bytes, which are never modified once
// written (see node), so they stay valid however the tree changes; only an
// overflow value is read into a new buffer.
func (it *iterator) load() (bool, error) {
	top := it.stack[len(it.stack)-1]
	it.key = top.n.keys[top.i]
	if top.n.ovf[top.i].pg == 0 {
		it.val = top.n.vals[top.i]
	} else {
		v, err := it.db.readValue(top.n, top.i)
		if err != nil {
			return false, err
		}
		it.val = v
	}
	if it.val == nil {
		it.val = []byte{}
	}
	it.userRead += int64(len(it.key) + len(it.val))
	return true, nil
}

// stale reports whether the tree changed since the iterator last moved.
// A snapshot's iterator is never stale: its version does not change.
func (it *iterator) stale() bool { return it.pin == nil && it.version != it.db.version }

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
	if !it.begin(false) {
		return false
	}
	var ok bool
	var err error
	switch {
	case !it.stale():
		ok, err = it.step(forward)
	case forward:
		ok, err = it.seekGE(it.key)
		if err == nil && ok {
			if top := it.stack[len(it.stack)-1]; bytes.Equal(top.n.keys[top.i], it.key) {
				ok, err = it.step(true)
			}
		}
	default:
		ok, err = it.seekLT(it.key)
	}
	return it.end(ok, err)
}

// step moves one key forward or backward along the stack.
func (it *iterator) step(forward bool) (bool, error) {
	top := &it.stack[len(it.stack)-1]
	if forward {
		top.i++
		if top.i >= len(top.n.keys) {
			return it.nextLeaf()
		}
	} else {
		top.i--
		if top.i < 0 {
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
	it.closed = true
	it.valid = false
	it.stack = nil
	return it.err
}
