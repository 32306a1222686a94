package peers

import (
	"bytes"
	"sync"

	"github.com/kvlab/kvlab/kv"
)

// cursor is an engine's own iterator reduced to unbounded moves. The
// iterator wrapper adds what the kv.Iterator contract asks and the engines
// do not agree on: bounds (clamping seeks and checking every key), staying
// exhausted after running off an end, sticky errors, a non-nil Value,
// counting, and being closed by the engine's Close.
//
// Every move returns whether the cursor rests on a key. key and value are
// called only then, and their results stay valid until the next move.
type cursor interface {
	first() bool
	last() bool
	seekGE(key []byte) bool // smallest key >= key
	seekLT(key []byte) bool // largest key < key
	next() bool
	prev() bool
	key() []byte
	value() ([]byte, error)
	err() error // the error that stopped the cursor, if any
	close() error
}

// iterator implements kv.Iterator over a cursor. Its mutex is uncontended
// in normal use (an iterator belongs to one goroutine); it lets the
// engine's Close close the cursor safely while the owner may be using it.
type iterator struct {
	mu           sync.Mutex
	core         *core
	cur          cursor
	lower, upper []byte
	valid        bool
	closed       bool // closed by its owner or by the engine
	err          error
	valueCounted bool

	seeks, steps, read int64 // folded into the engine's counters at close
}

var _ kv.Iterator = (*iterator)(nil)

func newIterator(c *core, cur cursor, o kv.IterOptions) *iterator {
	return &iterator{core: c, cur: cur, lower: o.LowerBound, upper: o.UpperBound}
}

// cloneBounds copies the bounds (the caller may reuse its slices) and turns
// an inverted range into an empty one.
func cloneBounds(o kv.IterOptions) kv.IterOptions {
	o.LowerBound, o.UpperBound = bytes.Clone(o.LowerBound), bytes.Clone(o.UpperBound)
	if o.LowerBound != nil && o.UpperBound != nil && bytes.Compare(o.LowerBound, o.UpperBound) > 0 {
		o.UpperBound = o.LowerBound
	}
	return o
}

// usable reports whether the iterator may move; a closed iterator's Err
// becomes kv.ErrClosed.
func (it *iterator) usable() bool {
	if it.closed && it.err == nil {
		it.err = kv.ErrClosed
	}
	if it.err != nil {
		it.valid = false
		return false
	}
	return true
}

// settle records the outcome of a cursor move.
func (it *iterator) settle(ok bool) bool {
	it.valueCounted = false
	if ok {
		k := it.cur.key()
		if (it.lower != nil && bytes.Compare(k, it.lower) < 0) ||
			(it.upper != nil && bytes.Compare(k, it.upper) >= 0) {
			ok = false
		} else {
			it.read += int64(len(k))
		}
	}
	if !ok {
		if err := it.cur.err(); err != nil {
			it.err = err
		}
	}
	it.valid = ok
	return ok
}

// First implements kv.Iterator.
func (it *iterator) First() bool {
	it.mu.Lock()
	defer it.mu.Unlock()
	if !it.usable() {
		return false
	}
	it.seeks++
	if it.lower != nil {
		return it.settle(it.cur.seekGE(it.lower))
	}
	return it.settle(it.cur.first())
}

// Last implements kv.Iterator.
func (it *iterator) Last() bool {
	it.mu.Lock()
	defer it.mu.Unlock()
	if !it.usable() {
		return false
	}
	it.seeks++
	if it.upper != nil {
		return it.settle(it.cur.seekLT(it.upper))
	}
	return it.settle(it.cur.last())
}

// SeekGE implements kv.Iterator.
func (it *iterator) SeekGE(key []byte) bool {
	it.mu.Lock()
	defer it.mu.Unlock()
	if !it.usable() {
		return false
	}
	it.seeks++
	if it.lower != nil && bytes.Compare(key, it.lower) < 0 {
		key = it.lower
	}
	return it.settle(it.cur.seekGE(key))
}

// SeekLT implements kv.Iterator.
func (it *iterator) SeekLT(key []byte) bool {
	it.mu.Lock()
	defer it.mu.Unlock()
	if !it.usable() {
		return false
	}
	it.seeks++
	if it.upper != nil && bytes.Compare(key, it.upper) > 0 {
		key = it.upper
	}
	return it.settle(it.cur.seekLT(key))
}

// Next implements kv.Iterator.
func (it *iterator) Next() bool {
	it.mu.Lock()
	defer it.mu.Unlock()
	if !it.usable() || !it.valid {
		return false
	}
	it.steps++
	return it.settle(it.cur.next())
}

// Prev implements kv.Iterator.
func (it *iterator) Prev() bool {
	it.mu.Lock()
	defer it.mu.Unlock()
	if !it.usable() || !it.valid {
		return false
	}
	it.steps++
	return it.settle(it.cur.prev())
}

// Valid implements kv.Iterator.
func (it *iterator) Valid() bool {
	it.mu.Lock()
	defer it.mu.Unlock()
	return it.valid
}

// Key implements kv.Iterator.
func (it *iterator) Key() []byte {
	it.mu.Lock()
	defer it.mu.Unlock()
	if !it.valid {
		return nil
	}
	return it.cur.key()
}

// Value implements kv.Iterator. An error reading the value (Pebble's and
// Badger's values may live apart from their keys) stops the iterator.
func (it *iterator) Value() []byte {
	it.mu.Lock()
	defer it.mu.Unlock()
	if !it.valid {
		return nil
	}
	v, err := it.cur.value()
	if err != nil {
		it.err, it.valid = err, false
		return nil
	}
	if v == nil {
		v = []byte{}
	}
	if !it.valueCounted {
		it.valueCounted = true
		it.read += int64(len(v))
	}
	return v
}

// Err implements kv.Iterator.
func (it *iterator) Err() error {
	it.mu.Lock()
	defer it.mu.Unlock()
	return it.err
}

// Close implements kv.Iterator. Closing twice is safe.
func (it *iterator) Close() error {
	it.mu.Lock()
	defer it.mu.Unlock()
	if !it.closed {
		it.shut()
		it.core.untrack(it)
	}
	if it.err == kv.ErrClosed {
		return nil
	}
	return it.err
}

// forceClose is the engine's Close closing an iterator its owner left open.
func (it *iterator) forceClose(err error) {
	it.mu.Lock()
	defer it.mu.Unlock()
	if it.closed {
		return
	}
	it.shut()
	if it.err == nil {
		it.err = err
	}
}

// shut closes the cursor and folds the counters into the engine's.
func (it *iterator) shut() {
	if err := it.cur.close(); err != nil && it.err == nil {
		it.err = err
	}
	it.closed, it.valid = true, false
	it.core.seeks.Add(it.seeks)
	it.core.steps.Add(it.steps)
	it.core.userRead.Add(it.read)
	it.seeks, it.steps, it.read = 0, 0, 0
}
