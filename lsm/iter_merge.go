package lsm

import (
	"github.com/kvlab/kvlab/internal/base"
	"github.com/kvlab/kvlab/kv"
)

// internalIterator walks internal keys (user key + trailer, see
// internal/base) in base.Compare order. memtable.Iter, sstable.Iter,
// levelIter and mergingIter implement it; their contract is kv.Iterator's,
// with internal keys: SeekGE and SeekLT take internal keys.
type internalIterator interface {
	kv.Iterator
}

// mergingIter merges several internal iterators into one ordered stream
// with a binary heap of the positioned children. Internal keys are unique
// across the children (a sequence number is written once and lives in one
// memtable or table of a read state), so no two children ever rest on the
// same key.
//
// A step costs one comparison in the common case: the merging iterator
// keeps each positioned child's current key (keys), so that comparisons do
// not call through the interface, and remembers which of the top's two heap
// children is the smaller (runnerUp). When the child on top advances and
// stays at or below that runner-up — the usual case, as one level (the
// largest) supplies most keys of a scan — the heap is unchanged below the
// top and one comparison settles it; otherwise the top sifts down as in any
// binary heap and the runner-up is worked out again on the next step.
//
// A direction switch repositions every child except the current one with a
// seek relative to the current key (LevelDB's and Pebble's approach), then
// steps the current child.
type mergingIter struct {
	iters    []internalIterator
	keys     [][]byte // keys[i]: child i's current key while it is in the heap
	heap     []int    // indexes of positioned children; heap[0] is current
	runnerUp int      // heap position (1 or 2) of the smaller of heap[0]'s children; 0 when unknown
	forward  bool
	err      error
}

func newMergingIter(iters []internalIterator) *mergingIter {
	return &mergingIter{iters: iters, keys: make([][]byte, len(iters)), heap: make([]int, 0, len(iters)), forward: true}
}

// less orders children a and b by their current keys in the iteration's
// direction.
func (m *mergingIter) less(a, b int) bool {
	c := base.Compare(m.keys[a], m.keys[b])
	if m.forward {
		return c < 0
	}
	return c > 0
}

func (m *mergingIter) down(i int) {
	n := len(m.heap)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		j := l
		if r := l + 1; r < n && m.less(m.heap[r], m.heap[l]) {
			j = r
		}
		if !m.less(m.heap[j], m.heap[i]) {
			return
		}
		m.heap[i], m.heap[j] = m.heap[j], m.heap[i]
		i = j
	}
}

// fixTop restores the heap after the child on top moved (and is still
// positioned), using and keeping the runner-up when the top stays.
func (m *mergingIter) fixTop() {
	n := len(m.heap)
	if n < 2 {
		return
	}
	ru := m.runnerUp
	if ru == 0 {
		ru = 1
		if n > 2 && m.less(m.heap[2], m.heap[1]) {
			ru = 2
		}
	}
	if !m.less(m.heap[ru], m.heap[0]) {
		m.runnerUp = ru // the top stays: nothing below it changed
		return
	}
	m.runnerUp = 0
	m.heap[0], m.heap[ru] = m.heap[ru], m.heap[0]
	m.down(ru)
}

// rebuild collects the positioned children into the heap, or records the
// first child error.
func (m *mergingIter) rebuild() bool {
	m.heap = m.heap[:0]
	m.runnerUp = 0
	for i, it := range m.iters {
		if it.Valid() {
			m.heap = append(m.heap, i)
			m.keys[i] = it.Key()
		} else if err := it.Err(); err != nil {
			m.err = err
			m.heap = m.heap[:0]
			return false
		}
	}
	for i := len(m.heap)/2 - 1; i >= 0; i-- {
		m.down(i)
	}
	return len(m.heap) > 0
}

func (m *mergingIter) First() bool {
	m.err = nil
	m.forward = true
	for _, it := range m.iters {
		it.First()
	}
	return m.rebuild()
}

func (m *mergingIter) Last() bool {
	m.err = nil
	m.forward = false
	for _, it := range m.iters {
		it.Last()
	}
	return m.rebuild()
}

func (m *mergingIter) SeekGE(ikey []byte) bool {
	m.err = nil
	m.forward = true
	for _, it := range m.iters {
		it.SeekGE(ikey)
	}
	return m.rebuild()
}

func (m *mergingIter) SeekLT(ikey []byte) bool {
	m.err = nil
	m.forward = false
	for _, it := range m.iters {
		it.SeekLT(ikey)
	}
	return m.rebuild()
}

// step advances the current child and restores the heap.
func (m *mergingIter) step(next bool) bool {
	cur := m.heap[0]
	it := m.iters[cur]
	var ok bool
	if next {
		ok = it.Next()
	} else {
		ok = it.Prev()
	}
	if ok {
		m.keys[cur] = it.Key()
		m.fixTop()
		return true
	}
	if err := it.Err(); err != nil {
		m.err = err
		m.heap = m.heap[:0]
		return false
	}
	last := len(m.heap) - 1
	m.heap[0] = m.heap[last]
	m.heap = m.heap[:last]
	m.runnerUp = 0
	if last > 0 {
		m.down(0)
	}
	return last > 0
}

// turn repositions every child but the current one on the other side of
// the current key.
func (m *mergingIter) turn(forward bool) bool {
	cur := m.heap[0]
	key := append([]byte(nil), m.iters[cur].Key()...)
	for i, it := range m.iters {
		if i == cur {
			continue
		}
		if forward {
			it.SeekGE(key)
		} else {
			it.SeekLT(key)
		}
		if err := it.Err(); err != nil {
			m.err = err
			m.heap = m.heap[:0]
			return false
		}
	}
	m.forward = forward
	it := m.iters[cur]
	if forward {
		it.Next()
	} else {
		it.Prev()
	}
	return m.rebuild()
}

func (m *mergingIter) Next() bool {
	if len(m.heap) == 0 {
		return false
	}
	if !m.forward {
		return m.turn(true)
	}
	return m.step(true)
}

func (m *mergingIter) Prev() bool {
	if len(m.heap) == 0 {
		return false
	}
	if m.forward {
		return m.turn(false)
	}
	return m.step(false)
}

func (m *mergingIter) Valid() bool { return len(m.heap) > 0 }
func (m *mergingIter) Key() []byte {
	if len(m.heap) == 0 {
		return nil
	}
	return m.keys[m.heap[0]]
}

func (m *mergingIter) Value() []byte {
	if len(m.heap) == 0 {
		return nil
	}
	return m.iters[m.heap[0]].Value()
}
func (m *mergingIter) Err() error { return m.err }

func (m *mergingIter) Close() error {
	var first error
	for _, it := range m.iters {
		if err := it.Close(); err != nil && first == nil {
			first = err
		}
	}
	if first == nil {
		first = m.err
	}
	return first
}
