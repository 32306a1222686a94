package btree

import (
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
)

// pool is the buffer pool. It holds two kinds of page:
//
//   - clean pages as their raw bytes, in frames of a fixed arena of
//     cap*PageSize bytes allocated once, outside the Go heap where the
//     platform allows (arena_linux.go): readers search them in place
//     (pageView), the garbage collector never scans them, and the memory
//     they take is the pool size however many pages pass through;
//   - dirty pages (changed since last written) as nodes, the writer's
//     form, on the Go heap. The pool counts their heap bytes (node.heap)
//     in dirtyBytes; writeBack keeps them within dirtyBudget
//     (Options.dirtyBudget). When a node is written, its image moves into
//     a frame.
//
// Frames are evicted by the clock algorithm. A reader pins the frame it
// reads (get, load) and releases it when done; eviction skips pinned
// frames, so the bytes a reader holds never change under it. A page the
// writer replaces or frees while a reader pins its frame leaves the table
// at once; its frame (detached) is reused only once unpinned. Pins are
// taken under the read lock and eviction runs under the write lock, so an
// unpinned frame cannot become pinned while it is being evicted.
type pool struct {
	mu     sync.RWMutex
	ps     int
	cap    int    // frames
	arena  []byte // cap*ps bytes
	frames []frame
	table  map[pgid]slot
	free   []int32 // frames holding nothing
	unused int     // frames [unused, cap) were never used
	hand   int     // the clock's hand over frames
	dirty  int     // dirty nodes in table
	// mapped is the store's mapping of the pages file (Options.Mmap), or
	// nil: with it, a page written back leaves the pool (readers find it
	// in the mapping) instead of taking a frame, and a page becoming
	// dirty loses its verified bit.
	mapped *mapping

	// dirtyBytes is the heap the dirty nodes in table hold, as of when
	// each was last counted (addDirty, charge); changed under mu.
	dirtyBytes  atomic.Int64
	dirtyBudget int64 // the bound writeBack keeps dirtyBytes within

	hits, misses atomic.Int64
	spills       atomic.Int64 // reads that found every frame pinned
}

// slot is the table's entry for a page: a dirty node, or a frame.
type slot struct {
	n *node // dirty page; nil for a clean one
	f int32 // clean page: its frame
}

// Frame states, changed under the pool's write lock.
const (
	frameFree     = iota // on the free list (or never used)
	frameLoading         // being read from the file by one reader
	frameCached          // in the table
	frameDetached        // left the table while pinned; freed when unpinned
)

type frame struct {
	pg    pgid
	pins  atomic.Int32
	ref   atomic.Bool // the clock's reference bit, set on every hit
	state uint8
	// branch frames (under the write lock) get branchChances more passes
	// of the clock than leaves after their last hit: every Get and scan
	// under a branch goes through it, and losing one costs the next
	// reader under it an extra read (a scan on a small pool then reads
	// three pages instead of two). keep counts the passes left.
	branch bool
	keep   uint8
}

// branchChances is the clock passes a branch frame survives unreferenced
// beyond a leaf's one: branches are a few percent of the pages, so the
// pool gives up little room for them.
const branchChances = 2

// setBranch records under the write lock whether frame f holds a branch
// page, from its bytes.
func (f *frame) setBranch(v pageView) {
	f.branch = len(v) > offType && v[offType] == pageBranch
	f.keep = 0
	if f.branch {
		f.keep = branchChances
	}
}

// page is a page a reader holds: a pinned frame's bytes, a dirty node, or
// (when every frame was pinned) a private copy. Release it with
// pool.release.
type page struct {
	v pageView // clean page bytes; nil when n is set
	n *node    // dirty page
	f int32    // the pinned frame, or -1
}

func newPool(capacity, ps int) (*pool, error) {
	arena, err := allocArena(capacity * ps)
	if err != nil {
		return nil, fmt.Errorf("btree: buffer pool of %d pages: %w", capacity, err)
	}
	return &pool{ps: ps, cap: capacity, arena: arena, frames: make([]frame, capacity),
		table: make(map[pgid]slot, capacity)}, nil
}

// close returns the arena to the system, unless a frame is still pinned (an
// iterator left open past Close, whose Key may still alias it): the arena
// is then left to the process.
func (p *pool) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i := range p.frames {
		if p.frames[i].pins.Load() != 0 {
			return
		}
	}
	freeArena(p.arena)
	p.arena, p.table = nil, nil
}

func (p *pool) frameBytes(f int32) pageView {
	off := int(f) * p.ps
	return pageView(p.arena[off : off+p.ps : off+p.ps])
}

// get returns page pg when the pool holds it, pinned, counting a hit.
func (p *pool) get(pg pgid) (page, bool) {
	p.mu.RLock()
	s, ok := p.table[pg]
	if !ok {
		p.mu.RUnlock()
		return page{}, false
	}
	if s.n != nil {
		p.mu.RUnlock()
		touch(&s.n.ref)
		p.hits.Add(1)
		return page{n: s.n, f: -1}, true
	}
	f := &p.frames[s.f]
	f.pins.Add(1)
	p.mu.RUnlock()
	touch(&f.ref)
	p.hits.Add(1)
	return page{v: p.frameBytes(s.f), f: s.f}, true
}

// release unpins a page get or load returned.
func (p *pool) release(pg page) {
	if pg.f >= 0 {
		p.frames[pg.f].pins.Add(-1)
	}
}

// load reads page pg into a frame with read (which fills the buffer and
// checks it) and caches it; the page is returned pinned. Two readers may
// load the same page at once: the second to finish uses the first's frame.
// When every frame is pinned the page is read into a private buffer and
// not cached (counted in spills).
func (p *pool) load(pg pgid, read func(buf []byte) error) (page, error) {
	p.mu.Lock()
	if s, ok := p.table[pg]; ok { // loaded meanwhile
		out := p.pinLocked(s)
		p.mu.Unlock()
		return out, nil
	}
	fi := p.grabLocked()
	if fi >= 0 {
		p.frames[fi].state = frameLoading
		p.frames[fi].pins.Store(1)
	}
	p.mu.Unlock()
	if fi < 0 {
		p.spills.Add(1)
		buf := make([]byte, p.ps)
		if err := read(buf); err != nil {
			return page{}, err
		}
		return page{v: buf, f: -1}, nil
	}
	if err := read(p.frameBytes(fi)); err != nil {
		p.mu.Lock()
		p.freeLocked(fi)
		p.mu.Unlock()
		return page{}, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if s, ok := p.table[pg]; ok { // another reader loaded it meanwhile
		p.freeLocked(fi)
		return p.pinLocked(s), nil
	}
	f := &p.frames[fi]
	f.pg, f.state = pg, frameCached
	f.ref.Store(true)
	f.setBranch(p.frameBytes(fi))
	p.table[pg] = slot{f: fi}
	return page{v: p.frameBytes(fi), f: fi}, nil
}

func (p *pool) pinLocked(s slot) page {
	if s.n != nil {
		return page{n: s.n, f: -1}
	}
	p.frames[s.f].pins.Add(1)
	return page{v: p.frameBytes(s.f), f: s.f}
}

func (p *pool) freeLocked(fi int32) {
	f := &p.frames[fi]
	f.pins.Store(0)
	f.state, f.pg = frameFree, 0
	p.free = append(p.free, fi)
}

// grabLocked returns a frame to fill: a free one, a never used one, or one
// the clock evicts (an unpinned frame not referenced since the hand last
// passed, or a detached frame no longer pinned). It returns -1 when every
// frame is pinned or loading.
func (p *pool) grabLocked() int32 {
	if n := len(p.free); n > 0 {
		fi := p.free[n-1]
		p.free = p.free[:n-1]
		return fi
	}
	if p.unused < p.cap {
		p.unused++
		return int32(p.unused - 1)
	}
	for range (2 + branchChances) * p.cap {
		if p.hand >= p.cap {
			p.hand = 0
		}
		fi := int32(p.hand)
		f := &p.frames[fi]
		p.hand++
		if f.pins.Load() != 0 {
			continue
		}
		switch f.state {
		case frameDetached:
			f.state, f.pg = frameFree, 0
			return fi
		case frameCached:
			if f.ref.Load() {
				f.ref.Store(false)
				if f.branch {
					f.keep = branchChances
				}
				continue
			}
			if f.keep > 0 {
				f.keep--
				continue
			}
			delete(p.table, f.pg)
			f.state, f.pg = frameFree, 0
			return fi
		}
	}
	return -1
}

// dropLocked removes page pg's table entry: a dirty node is forgotten, a
// frame freed (or detached while pinned). It reports whether the page was
// dirty.
func (p *pool) dropLocked(pg pgid) (dirty bool) {
	s, ok := p.table[pg]
	if !ok {
		return false
	}
	delete(p.table, pg)
	if s.n != nil {
		p.dirty--
		p.dirtyBytes.Add(-int64(s.n.mem))
		return true
	}
	if p.frames[s.f].pins.Load() == 0 {
		p.freeLocked(s.f)
	} else {
		p.frames[s.f].state = frameDetached
	}
	return false
}

// touch sets a reference bit, avoiding the write when it is set.
func touch(b *atomic.Bool) {
	if !b.Load() {
		b.Store(true)
	}
}

// addDirty caches n (a fresh page the writer changes) as dirty, replacing
// any entry of its page.
func (p *pool) addDirty(n *node) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if s, ok := p.table[n.pgno]; ok && s.n == n {
		touch(&n.ref)
		return
	}
	p.dropLocked(n.pgno)
	p.mapped.forget(n.pgno, 1) // its mapped bytes are stale from now on
	p.table[n.pgno] = slot{n: n}
	n.private = false // others may find it in the pool now
	p.dirty++
	n.mem = n.heap()
	p.dirtyBytes.Add(int64(n.mem))
	touch(&n.ref)
}

// charge brings dirty node n's count in dirtyBytes up to date after the
// writer changed it (a node not in the pool is left alone).
func (p *pool) charge(n *node) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if s, ok := p.table[n.pgno]; ok && s.n == n {
		m := n.heap()
		p.dirtyBytes.Add(int64(m - n.mem))
		n.mem = m
	}
}

// remove drops page pg's entry, dirty or not (the page was freed or
// copied elsewhere), and reports whether it was dirty.
func (p *pool) remove(pg pgid) (dirty bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.dropLocked(pg)
}

// markClean records that dirty node n's image img is on disk: when the
// pool still holds n for its page, the image takes a frame (if one is
// free or evictable) and the node is dropped.
func (p *pool) markClean(n *node, img []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.markCleanLocked(n, img)
}

func (p *pool) markCleanLocked(n *node, img []byte) {
	if s, ok := p.table[n.pgno]; !ok || s.n != n {
		return
	}
	delete(p.table, n.pgno)
	p.dirty--
	p.dirtyBytes.Add(-int64(n.mem))
	if p.mapped != nil {
		// Readers find the image in the mapping, already checked: it is
		// what the store just wrote from n.
		p.mapped.setVerified(n.pgno)
		return
	}
	fi := p.grabLocked()
	if fi < 0 {
		return
	}
	copy(p.frameBytes(fi), img)
	f := &p.frames[fi]
	f.pg, f.state = n.pgno, frameCached
	f.ref.Store(n.ref.Load())
	f.setBranch(p.frameBytes(fi))
	p.table[n.pgno] = slot{f: fi}
}

// markCleanNodes is markClean for many nodes under one lock; img(i)
// returns nodes[i]'s image. Nil entries are skipped.
func (p *pool) markCleanNodes(nodes []*node, img func(i int) []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, n := range nodes {
		if n != nil {
			p.markCleanLocked(n, img(i))
		}
	}
}

// coldDirty returns dirty nodes holding at least want heap bytes (or all
// of them), those not referenced since it last passed them first (it
// clears the reference bits of the others, as the clock does), in page
// order.
func (p *pool) coldDirty(want int64) []*node {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out, warm []*node
	var got int64
	for _, s := range p.table {
		switch {
		case s.n == nil:
		case s.n.ref.Load():
			s.n.ref.Store(false)
			warm = append(warm, s.n)
		default:
			out = append(out, s.n)
			got += int64(s.n.mem)
		}
		if got >= want {
			break
		}
	}
	for _, n := range warm {
		if got >= want {
			break
		}
		out = append(out, n)
		got += int64(n.mem)
	}
	slices.SortFunc(out, func(a, b *node) int { return int64cmp(int64(a.pgno), int64(b.pgno)) })
	return out
}

// size returns the pages the pool holds, clean and dirty.
func (p *pool) size() int {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return len(p.table)
}

// dirtyNodes returns the dirty nodes in page order.
func (p *pool) dirtyNodes() []*node {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]*node, 0, p.dirty)
	for _, s := range p.table {
		if s.n != nil {
			out = append(out, s.n)
		}
	}
	slices.SortFunc(out, func(a, b *node) int { return int64cmp(int64(a.pgno), int64(b.pgno)) })
	return out
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
