package btree

import (
	"slices"
	"sync"
	"sync/atomic"
	"weak"
)

// pool is the buffer pool: a fixed number of frames holding decoded pages,
// evicted by the clock algorithm. A frame is dirty when its page changed
// since it was last written. Eviction drops clean frames only; the writer
// cleans dirty frames at safe points (after each batch, see writeBack, and
// at checkpoints), so the pool exceeds its capacity only briefly. A node
// the pool drops stays
// valid for whoever still holds it (Go's garbage collector takes the place
// of pin counts): readers use nodes only under the tree's read lock, during
// which no node they can reach is modified or freed.
type pool struct {
	mu     sync.RWMutex
	cap    int
	frames map[pgid]*frame
	ring   []*frame // clock order
	hand   int
	dirty  int

	hits, misses atomic.Int64
}

type frame struct {
	n     *node // its ref bit is set on every hit
	dirty bool
	idx   int // position in ring
}

func newPool(capacity int) *pool {
	return &pool{cap: capacity, frames: make(map[pgid]*frame, capacity)}
}

// get returns the cached node of page pg, counting a hit or a miss.
func (p *pool) get(pg pgid) *node {
	p.mu.RLock()
	f := p.frames[pg]
	var n *node
	if f != nil {
		n = f.n
		touch(n)
	}
	p.mu.RUnlock()
	if f == nil {
		p.misses.Add(1)
		return nil
	}
	p.hits.Add(1)
	return n
}

// addClean caches a node just read from disk and returns the cached node
// (another reader's, if it got there first).
func (p *pool) addClean(n *node) *node {
	p.mu.Lock()
	defer p.mu.Unlock()
	if f := p.frames[n.pgno]; f != nil {
		return f.n
	}
	p.evictLocked()
	p.addLocked(n, false)
	return n
}

// addDirty caches n (a fresh page) as dirty, replacing any frame of its page.
func (p *pool) addDirty(n *node) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if f := p.frames[n.pgno]; f != nil {
		if !f.dirty {
			p.dirty++
		}
		if f.n != n {
			f.n.evicted.Store(true)
			if n.weakSelf == nil {
				w := weak.Make(n)
				n.weakSelf = &w
			}
		}
		f.n, f.dirty = n, true
		touch(n)
		return
	}
	p.evictLocked()
	p.addLocked(n, true)
}

func (p *pool) addLocked(n *node, dirty bool) {
	if n.weakSelf == nil {
		w := weak.Make(n)
		n.weakSelf = &w
	}
	f := &frame{n: n, dirty: dirty, idx: len(p.ring)}
	touch(n)
	p.ring = append(p.ring, f)
	p.frames[n.pgno] = f
	if dirty {
		p.dirty++
	}
}

// evictLocked drops clean frames until there is room for one more.
func (p *pool) evictLocked() {
	for len(p.ring) >= p.cap {
		victim := -1
		for range 2 * len(p.ring) {
			if p.hand >= len(p.ring) {
				p.hand = 0
			}
			f := p.ring[p.hand]
			if !f.dirty {
				if !f.n.ref.Load() {
					victim = p.hand
					break
				}
				f.n.ref.Store(false)
			}
			p.hand++
		}
		if victim < 0 {
			return // everything is dirty: grow until the checkpoint
		}
		p.removeLocked(p.ring[victim])
	}
}

func (p *pool) removeLocked(f *frame) {
	last := len(p.ring) - 1
	p.ring[f.idx] = p.ring[last]
	p.ring[f.idx].idx = f.idx
	p.ring = p.ring[:last]
	delete(p.frames, f.n.pgno)
	f.n.evicted.Store(true)
	if f.dirty {
		p.dirty--
	}
}

// touch sets n's reference bit, avoiding the write when it is set.
func touch(n *node) {
	if !n.ref.Load() {
		n.ref.Store(true)
	}
}

// remove drops page pg's frame, dirty or not (the page was freed), and
// reports whether it was dirty.
func (p *pool) remove(pg pgid) (dirty bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if f := p.frames[pg]; f != nil {
		dirty = f.dirty
		p.removeLocked(f)
	}
	return dirty
}

// coldDirty returns up to n dirty nodes not referenced recently, in clock
// order (clearing reference bits as it passes, as eviction does).
func (p *pool) coldDirty(n int) []*node {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []*node
	for range 2 * len(p.ring) {
		if len(out) >= n || len(p.ring) == 0 {
			break
		}
		if p.hand >= len(p.ring) {
			p.hand = 0
		}
		f := p.ring[p.hand]
		p.hand++
		if !f.dirty {
			continue
		}
		if f.n.ref.Load() {
			f.n.ref.Store(false)
			continue
		}
		out = append(out, f.n)
	}
	return out
}

func (p *pool) size() int {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return len(p.ring)
}

// dirtyNodes returns the dirty nodes in page order.
func (p *pool) dirtyNodes() []*node {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []*node
	for _, f := range p.ring {
		if f.dirty {
			out = append(out, f.n)
		}
	}
	slices.SortFunc(out, func(a, b *node) int { return int64cmp(int64(a.pgno), int64(b.pgno)) })
	return out
}

// markCleanNodes records that the nodes' contents are on disk, under one
// lock: a frame that still holds its node becomes clean.
func (p *pool) markCleanNodes(nodes []*node) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, n := range nodes {
		if f := p.frames[n.pgno]; f != nil && f.n == n && f.dirty {
			f.dirty = false
			p.dirty--
		}
	}
	p.evictLocked()
}

// markClean records that page pg's current contents are on disk.
func (p *pool) markClean(pg pgid) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if f := p.frames[pg]; f != nil && f.dirty {
		f.dirty = false
		p.dirty--
	}
	p.evictLocked()
}

func (p *pool) dirtyCount() int {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.dirty
}

func int64cmp(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
