package memory

import (
	"bytes"
	"fmt"

	"github.com/google/btree"

	"github.com/kvlab/kvlab/kv"
)

// iterator walks a snapshot clone of the tree. Each step is a fresh
// O(log n) descent from the root: simple, and fast enough for a reference.
type iterator struct {
	db     *DB
	tree   *btree.BTreeG[item]
	opts   kv.IterOptions
	cur    item
	valid  bool
	closed bool
	err    error
}

func (it *iterator) set(i item, ok bool) bool {
	if ok && !it.opts.Contains(i.key) {
		ok = false
	}
	it.cur, it.valid = i, ok
	if ok {
		it.db.userRead.Add(int64(len(i.key) + len(i.value)))
	}
	return ok
}

// usable reports whether the iterator may move: not once it or its engine
// is closed (its Err then wraps kv.ErrClosed).
func (it *iterator) usable() bool {
	if it.closed {
		it.err, it.valid = kv.ErrClosed, false
	} else if it.err == nil && it.db.shut.Load() {
		it.err, it.valid = fmt.Errorf("memory: %w", kv.ErrClosed), false
	}
	return it.err == nil
}

// seekGE positions at the first key >= key, skipping key itself when strict.
func (it *iterator) seekGE(key []byte, strict bool) bool {
	var found item
	ok := false
	it.tree.AscendGreaterOrEqual(item{key: key}, func(i item) bool {
		if strict && bytes.Equal(i.key, key) {
			return true
		}
		found, ok = i, true
		return false
	})
	return it.set(found, ok)
}

// seekLT positions at the last key < key (the last key overall for nil).
func (it *iterator) seekLT(key []byte) bool {
	var found item
	ok := false
	visit := func(i item) bool { found, ok = i, true; return false }
	if key == nil {
		it.tree.Descend(visit)
	} else {
		it.tree.DescendLessOrEqual(item{key: key}, func(i item) bool {
			if bytes.Equal(i.key, key) {
				return true
			}
			return visit(i)
		})
	}
	return it.set(found, ok)
}

func (it *iterator) First() bool {
	if !it.usable() {
		return false
	}
	it.db.seeks.Add(1)
	return it.seekGE(it.opts.LowerBound, false)
}

func (it *iterator) Last() bool {
	if !it.usable() {
		return false
	}
	it.db.seeks.Add(1)
	return it.seekLT(it.opts.UpperBound)
}

func (it *iterator) SeekGE(key []byte) bool {
	if !it.usable() {
		return false
	}
	it.db.seeks.Add(1)
	if it.opts.LowerBound != nil && bytes.Compare(key, it.opts.LowerBound) < 0 {
		key = it.opts.LowerBound
	}
	return it.seekGE(key, false)
}

func (it *iterator) SeekLT(key []byte) bool {
	if !it.usable() {
		return false
	}
	it.db.seeks.Add(1)
	if it.opts.UpperBound != nil && bytes.Compare(key, it.opts.UpperBound) > 0 {
		key = it.opts.UpperBound
	}
	return it.seekLT(key)
}

func (it *iterator) Next() bool {
	if !it.usable() || !it.valid {
		it.valid = false
		return false
	}
	it.db.steps.Add(1)
	return it.seekGE(it.cur.key, true)
}

func (it *iterator) Prev() bool {
	if !it.usable() || !it.valid {
		it.valid = false
		return false
	}
	it.db.steps.Add(1)
	return it.seekLT(it.cur.key)
}

func (it *iterator) Valid() bool { return it.valid }

func (it *iterator) Key() []byte { return it.cur.key }

func (it *iterator) Value() []byte {
	if it.cur.value == nil {
		return []byte{}
	}
	return it.cur.value
}

func (it *iterator) Err() error { return it.err }

func (it *iterator) Close() error {
	it.closed, it.valid, it.tree = true, false, nil
	if it.err == kv.ErrClosed {
		return nil
	}
	return it.err
}
