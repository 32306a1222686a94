package trie

import (
	"bytes"
	"sync"
)

// Completion is one result of TopK: a key and its entry.
type Completion struct {
	Key    []byte
	Value  uint64
	Weight uint64
}

// TopK returns the k heaviest keys starting with prefix, heaviest first,
// keys of equal weight in lexicographic order. It is best-first: every
// child slot records the heaviest weight in the child's subtree, so the
// search expands only subtrees that can still place a key in the result,
// about |prefix| + k·(depth + fan-out) node visits instead of the whole
// subtree. The result's keys are fresh memory owned by the caller.
func (t *Trie) TopK(prefix []byte, k int) []Completion {
	if k <= 0 {
		return nil
	}
	st := topkPool.Get().(*topkState)
	defer st.release()
	st.reset(k)
	x, path, ok := t.locus(prefix, st.keys[:0])
	if !ok {
		st.keys = path
		return nil
	}
	st.keys = path
	st.seed(cand{prio: t.nodeMax(x), node: x, n: uint32(len(path))})
	return st.run(t)
}

// cand is an item of the best-first search: the subtree of node (or, when
// isVal, node's own key) whose heaviest weight is prio. Its key (node's
// path) is keys[off:off+n] of the search state.
type cand struct {
	prio  uint64
	node  uint32
	off   uint32
	n     uint32
	isVal bool
}

// topkState is the reusable scratch of one TopK search.
type topkState struct {
	heap []cand
	keys []byte
	// guar holds, as a min-heap, the k largest weights that disjoint items
	// pushed so far guarantee to exist: a subtree whose maximum is below
	// guar[0] cannot place a key among the k best and is never pushed.
	guar []uint64
	k    int
	res  []Completion
	path []byte // the key of the node a descent is at
}

var topkPool = sync.Pool{New: func() any { return new(topkState) }}

func (st *topkState) reset(k int) {
	st.heap = st.heap[:0]
	st.keys = st.keys[:0]
	st.guar = st.guar[:0]
	st.res = st.res[:0]
	st.k = k
}

func (st *topkState) release() {
	if cap(st.keys) > 1<<20 || cap(st.heap) > 1<<16 {
		return // do not keep a huge scratch alive
	}
	clear(st.res[:cap(st.res)])
	topkPool.Put(st)
}

// below reports whether weight w cannot reach the result.
func (st *topkState) below(w uint64) bool {
	return len(st.guar) == st.k && w < st.guar[0]
}

// guarantee records a new disjoint item of weight w.
func (st *topkState) guarantee(w uint64) {
	g := st.guar
	if len(g) < st.k {
		g = append(g, w)
		for i := len(g) - 1; i > 0; {
			p := (i - 1) / 2
			if g[p] <= g[i] {
				break
			}
			g[p], g[i] = g[i], g[p]
			i = p
		}
		st.guar = g
		return
	}
	if w <= g[0] {
		return
	}
	g[0] = w
	for i := 0; ; {
		l, s := 2*i+1, i
		if l < len(g) && g[l] < g[s] {
			s = l
		}
		if l+1 < len(g) && g[l+1] < g[s] {
			s = l + 1
		}
		if s == i {
			break
		}
		g[i], g[s] = g[s], g[i]
		i = s
	}
}

// seed adds a starting subtree, disjoint from the others.
func (st *topkState) seed(c cand) {
	if st.below(c.prio) {
		return
	}
	st.guarantee(c.prio)
	st.push(c)
}

// less orders the heap: heavier first, then smaller key.
func (st *topkState) less(a, b *cand) bool {
	if a.prio != b.prio {
		return a.prio > b.prio
	}
	c := bytes.Compare(st.keys[a.off:a.off+a.n], st.keys[b.off:b.off+b.n])
	if c != 0 {
		return c < 0
	}
	return a.isVal && !b.isVal
}

func (st *topkState) push(c cand) {
	h := append(st.heap, c)
	for i := len(h) - 1; i > 0; {
		p := (i - 1) / 2
		if !st.less(&h[i], &h[p]) {
			break
		}
		h[p], h[i] = h[i], h[p]
		i = p
	}
	st.heap = h
}

func (st *topkState) pop() cand {
	h := st.heap
	top := h[0]
	last := len(h) - 1
	h[0] = h[last]
	h = h[:last]
	for i := 0; ; {
		l, s := 2*i+1, i
		if l < len(h) && st.less(&h[l], &h[s]) {
			s = l
		}
		if l+1 < len(h) && st.less(&h[l+1], &h[s]) {
			s = l + 1
		}
		if s == i {
			break
		}
		h[i], h[s] = h[s], h[i]
		i = s
	}
	st.heap = h
	return top
}

// run pops items until k keys are found, and returns them.
func (st *topkState) run(t *Trie) []Completion {
	for len(st.heap) > 0 && len(st.res) < st.k {
		c := st.pop()
		if c.isVal {
			st.emit(t, c.node, st.keys[c.off:c.off+c.n])
			continue
		}
		// Descend from c along the children that carry its maximum
		// c.prio, splitting everything else off into the heap, down to
		// the key of that weight. Every item left in the heap covers a
		// key range disjoint from c's, so none of equal weight can hold a
		// smaller key than the one found: the first child carrying the
		// maximum holds the smallest such key, and a node's own key is
		// smaller than its children's.
		st.path = append(st.path[:0], st.keys[c.off:c.off+c.n]...)
		x := c.node
		for {
			n := &t.nodes[x]
			// done: x's own key carries the maximum and is the result.
			done := false
			if n.flags&hasValue != 0 {
				if n.weight == c.prio {
					st.emit(t, x, st.path)
					done = true
				} else if !st.below(n.weight) {
					st.guarantee(n.weight)
					st.pushPath(cand{prio: n.weight, node: x, isVal: true}, nil)
				}
			}
			// The child carrying c.prio inherits c's guarantee; every
			// other one that can still place a key adds its own.
			next := uint32(0)
			found := done
			for s := n.kids; s < n.kids+uint32(n.nkids); s++ {
				w := t.kidMax[s]
				if !found && w == c.prio {
					next, found = s, true
					continue
				}
				if st.below(w) {
					continue
				}
				st.guarantee(w)
				kid := t.slotNode(s)
				st.pushPath(cand{prio: w, node: kid}, t.label(kid))
			}
			if done || !found {
				break // !found is unreachable while the maxima are exact
			}
			x = t.slotNode(next)
			st.path = append(st.path, t.label(x)...)
		}
	}
	out := make([]Completion, len(st.res))
	size := 0
	for _, r := range st.res {
		size += len(r.Key)
	}
	buf := make([]byte, 0, size)
	for i, r := range st.res {
		buf = append(buf, r.Key...)
		out[i] = Completion{Key: buf[len(buf)-len(r.Key) : len(buf) : len(buf)], Value: r.Value, Weight: r.Weight}
	}
	return out
}

// emit records node x's key as the next result.
func (st *topkState) emit(t *Trie, x uint32, key []byte) {
	n := &t.nodes[x]
	ko := len(st.keys)
	st.keys = append(st.keys, key...)
	st.res = append(st.res, Completion{Key: st.keys[ko:len(st.keys):len(st.keys)], Value: n.value, Weight: n.weight})
}

// pushPath pushes c with the key st.path ‖ label.
func (st *topkState) pushPath(c cand, label []byte) {
	ko := len(st.keys)
	st.keys = append(st.keys, st.path...)
	st.keys = append(st.keys, label...)
	c.off, c.n = uint32(ko), uint32(len(st.keys)-ko)
	st.push(c)
}
