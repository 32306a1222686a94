package trie

import (
	"bytes"
	"iter"
)

// Iterator walks the keys of a trie in lexicographic (byte-wise) order.
// A new Iterator is unpositioned: call First or Seek. Key returns a slice
// valid until the iterator moves; copy it to keep it. The trie must not be
// modified while an iterator is in use.
//
//	it := t.Iterator()
//	for ok := it.Seek([]byte("app")); ok && bytes.HasPrefix(it.Key(), []byte("app")); ok = it.Next() {
//		use(it.Key(), it.Value())
//	}
type Iterator struct {
	t     *Trie
	stack []frame
	key   []byte
	cur   uint32
	valid bool
}

// frame is one node on the iterator's path: next is the index of the next
// child to visit, keyLen the key length before the node's label.
type frame struct {
	node   uint32
	next   uint32
	keyLen uint32
}

// Iterator returns an unpositioned iterator over t.
func (t *Trie) Iterator() *Iterator {
	return &Iterator{t: t}
}

// Valid reports whether the iterator rests on a key.
func (it *Iterator) Valid() bool { return it.valid }

// Key returns the current key.
func (it *Iterator) Key() []byte { return it.key }

// Value returns the current key's value.
func (it *Iterator) Value() uint64 { return it.t.nodes[it.cur].value }

// Weight returns the current key's weight.
func (it *Iterator) Weight() uint64 { return it.t.nodes[it.cur].weight }

// Entry returns the current key's value and weight.
func (it *Iterator) Entry() Entry {
	n := &it.t.nodes[it.cur]
	return Entry{Value: n.value, Weight: n.weight}
}

// First moves to the smallest key.
func (it *Iterator) First() bool {
	it.stack = append(it.stack[:0], frame{})
	it.key = it.key[:0]
	if it.t.nodes[0].flags&hasValue != 0 {
		it.cur, it.valid = 0, true
		return true
	}
	return it.advance()
}

// Next moves to the next larger key.
func (it *Iterator) Next() bool {
	if !it.valid {
		return false
	}
	return it.advance()
}

// advance moves depth-first to the next node holding a value.
func (it *Iterator) advance() bool {
	t := it.t
	for len(it.stack) > 0 {
		f := &it.stack[len(it.stack)-1]
		n := &t.nodes[f.node]
		if f.next < uint32(n.nkids) {
			c := t.slotNode(n.kids + f.next)
			f.next++
			it.stack = append(it.stack, frame{node: c, keyLen: uint32(len(it.key))})
			it.key = append(it.key, t.label(c)...)
			if t.nodes[c].flags&hasValue != 0 {
				it.cur, it.valid = c, true
				return true
			}
			continue
		}
		it.key = it.key[:f.keyLen]
		it.stack = it.stack[:len(it.stack)-1]
	}
	it.valid = false
	return false
}

// Seek moves to the smallest key >= key.
func (it *Iterator) Seek(key []byte) bool {
	t := it.t
	it.stack = append(it.stack[:0], frame{})
	it.key = it.key[:0]
	x := uint32(0)
	rest := key
	for {
		f := &it.stack[len(it.stack)-1]
		if len(rest) == 0 {
			// x's path is key: x itself, then everything below.
			if t.nodes[x].flags&hasValue != 0 {
				it.cur, it.valid = x, true
				return true
			}
			return it.advance()
		}
		i := t.lowerKid(x, rest[0])
		f.next = i
		off, cnt := t.kidRange(x)
		if i == cnt || t.slotByte(off+i) != rest[0] {
			return it.advance() // every key below kids[i:] is > key
		}
		c := t.slotNode(off + i)
		lab := t.label(c)
		if len(lab) <= len(rest) && bytes.Equal(lab, rest[:len(lab)]) {
			f.next = i + 1
			it.stack = append(it.stack, frame{node: c, keyLen: uint32(len(it.key))})
			it.key = append(it.key, lab...)
			x = c
			rest = rest[len(lab):]
			continue
		}
		m := 0
		for m < len(lab) && m < len(rest) && lab[m] == rest[m] {
			m++
		}
		if m < len(lab) && m < len(rest) && lab[m] < rest[m] {
			f.next = i + 1 // all of c's subtree is < key
		}
		// Otherwise rest is a proper prefix of lab, or lab sorts after it:
		// all of c's subtree is > key.
		return it.advance()
	}
}

// All returns every key and its entry in order. The key slice is reused
// between iterations.
func (t *Trie) All() iter.Seq2[[]byte, Entry] {
	return func(yield func([]byte, Entry) bool) {
		it := t.Iterator()
		for ok := it.First(); ok; ok = it.Next() {
			if !yield(it.key, it.Entry()) {
				return
			}
		}
	}
}

// From returns the keys >= seek and their entries in order.
func (t *Trie) From(seek []byte) iter.Seq2[[]byte, Entry] {
	return func(yield func([]byte, Entry) bool) {
		it := t.Iterator()
		for ok := it.Seek(seek); ok; ok = it.Next() {
			if !yield(it.key, it.Entry()) {
				return
			}
		}
	}
}

// Prefix returns the keys that start with prefix, and their entries, in
// order.
func (t *Trie) Prefix(prefix []byte) iter.Seq2[[]byte, Entry] {
	return func(yield func([]byte, Entry) bool) {
		t.WalkPrefix(prefix, yield)
	}
}

// WalkPrefix calls fn for every key that starts with prefix, in order,
// until fn returns false, and reports whether it went through all of them.
// The key passed to fn is valid only during the call.
func (t *Trie) WalkPrefix(prefix []byte, fn func(key []byte, e Entry) bool) bool {
	x, path, ok := t.locus(prefix, nil)
	if !ok {
		return true
	}
	n := &t.nodes[x]
	if n.flags&hasValue != 0 && !fn(path, Entry{Value: n.value, Weight: n.weight}) {
		return false
	}
	return t.walk(x, path, fn)
}

// walk calls fn for every key below x in order; key is x's path. It
// recurses: the depth is the number of edges, short for any real
// dictionary.
func (t *Trie) walk(x uint32, key []byte, fn func([]byte, Entry) bool) bool {
	n := &t.nodes[x]
	for s := n.kids; s < n.kids+uint32(n.nkids); s++ {
		c := &t.nodes[t.slotNode(s)]
		k := append(key, t.labels[c.lab:c.lab+c.labLen]...)
		if c.flags&hasValue != 0 && !fn(k, Entry{Value: c.value, Weight: c.weight}) {
			return false
		}
		if c.nkids > 0 && !t.walk(t.slotNode(s), k, fn) {
			return false
		}
	}
	return true
}

// locus returns the highest node whose path starts with prefix, and that
// path appended to dst.
func (t *Trie) locus(prefix []byte, dst []byte) (uint32, []byte, bool) {
	x := uint32(0)
	rest := prefix
	for len(rest) > 0 {
		slot, ok := t.child(x, rest[0])
		if !ok {
			return 0, dst, false
		}
		c := t.slotNode(slot)
		lab := t.label(c)
		if len(rest) <= len(lab) {
			if !bytes.Equal(lab[:len(rest)], rest) {
				return 0, dst, false
			}
			dst = append(dst, prefix[:len(prefix)-len(rest)]...)
			return c, append(dst, lab...), true
		}
		if !bytes.Equal(lab, rest[:len(lab)]) {
			return 0, dst, false
		}
		rest = rest[len(lab):]
		x = c
	}
	return x, append(dst, prefix...), true
}
