package btree

import (
	"slices"

	"github.com/google/btree"
)

// allocator tracks which pages are free. It is used only by the writer
// (under DB.wmu).
//
// A page belongs to the last checkpoint unless it is fresh (allocated since
// then). Shadow paging never overwrites a checkpoint's page, so:
//
//   - free pages are reusable now: not part of the last checkpoint;
//   - pending pages were part of the last checkpoint and have been
//     released since; they become free once the next checkpoint's meta page
//     is durable;
//   - a fresh page that is released is free at once;
//   - reserved pages were pending when a checkpoint froze: its free list
//     records them as free, but the previous checkpoint (the newest on disk
//     until the frozen one's meta page is durable) may use them, so they
//     become free when it completes (see freeze and checkpointed);
//   - held pages are free as far as checkpoints go but an open snapshot
//     may still read them: they become free when the last snapshot that
//     can see them is released (see snapshot.go).
//
// Epochs: every freeze, a checkpoint's or a snapshot's, starts a new epoch
// (nothing is fresh after it). A snapshot taken at the start of epoch e
// sees only pages allocated before it, so a page allocated in epoch b and
// released in epoch r is visible to the open snapshots whose epoch e has
// b < e <= r, and to no other (as bbolt frees a page allocated and freed
// between two readers). Allocation epochs are recorded while a snapshot is
// open (born); a page without one is older than every open snapshot.
type allocator struct {
	free      *btree.BTreeG[pgid]
	pending   []relPage
	reserved  []relPage
	held      []relPage
	fresh     map[pgid]struct{}
	pageCount pgid // pages 1..pageCount-1 exist

	epoch uint64          // the current epoch
	born  map[pgid]uint64 // allocation epochs of pages allocated while snapshots were open
	nseen int             // released pages with seen set that are not free yet
	snaps map[uint64]int  // open snapshots (pins) by epoch
	// unpin is called for every page that leaves the held state or was
	// released while a snapshot was open, as it becomes free: the DB drops
	// what it kept of the page for snapshot readers.
	unpin func(pgid)
}

// relPage is a released page that is not free yet: born and rel are the
// epochs it was allocated and released in (rel 0: no snapshot can see it,
// such as a free-list page), seen whether an open snapshot could see it
// when it was released.
type relPage struct {
	pg        pgid
	born, rel uint64
	seen      bool
}

func newAllocator(pageCount pgid) *allocator {
	return &allocator{
		free:      btree.NewOrderedG[pgid](32),
		fresh:     map[pgid]struct{}{},
		pageCount: pageCount,
		epoch:     1,
		snaps:     map[uint64]int{},
		born:      map[pgid]uint64{},
	}
}

func (a *allocator) isFresh(pg pgid) bool {
	_, ok := a.fresh[pg]
	return ok
}

// alloc returns a run of n consecutive free pages, lowest first, extending
// the file when no free run is long enough.
func (a *allocator) alloc(n int) pgid {
	var start pgid
	if n == 1 {
		if pg, ok := a.free.DeleteMin(); ok {
			start = pg
		}
	} else {
		runStart, runLen := pgid(0), 0
		a.free.Ascend(func(pg pgid) bool {
			if runLen > 0 && pg == runStart+pgid(runLen) {
				runLen++
			} else {
				runStart, runLen = pg, 1
			}
			return runLen < n
		})
		if runLen >= n {
			start = runStart
			for i := range pgid(n) {
				a.free.Delete(start + i)
			}
		}
	}
	if start == 0 {
		start = a.pageCount
		a.pageCount += pgid(n)
	}
	for i := range pgid(n) {
		a.fresh[start+i] = struct{}{}
	}
	if len(a.snaps) > 0 {
		for i := range pgid(n) {
			a.born[start+i] = a.epoch
		}
	}
	return start
}

// release frees a run of n pages starting at pg: at once when they are
// fresh (no checkpoint and no snapshot can see them), else once the next
// checkpoint is durable and no open snapshot can see them. It reports
// whether an open snapshot can see any of them.
func (a *allocator) release(pg pgid, n int) (seen bool) {
	for i := range pgid(n) {
		p := pg + i
		born := a.born[p]
		if len(a.born) > 0 {
			delete(a.born, p)
		}
		if a.isFresh(p) {
			delete(a.fresh, p)
			a.free.ReplaceOrInsert(p)
			continue
		}
		r := relPage{pg: p, born: born, rel: a.epoch}
		if r.seen = a.visible(r); r.seen {
			a.nseen++
			seen = true
		}
		a.pending = append(a.pending, r)
	}
	return seen
}

// releaseUnseen releases page pg, which belongs to the last checkpoint but
// which no snapshot reads (a free-list page).
func (a *allocator) releaseUnseen(pg pgid) {
	delete(a.born, pg)
	a.pending = append(a.pending, relPage{pg: pg})
}

// visible reports whether an open snapshot may read released page r.
func (a *allocator) visible(r relPage) bool {
	for e := range a.snaps {
		if r.born < e && e <= r.rel {
			return true
		}
	}
	return false
}

// makeFree makes released page r free, or held while a snapshot can see it.
func (a *allocator) makeFree(r relPage) {
	if r.seen && a.visible(r) {
		a.held = append(a.held, r)
		return
	}
	if r.seen {
		a.nseen--
		if a.unpin != nil {
			a.unpin(r.pg)
		}
	}
	a.free.ReplaceOrInsert(r.pg)
}

// pin starts a new epoch for a snapshot (nothing is fresh any more, so
// writers copy on write every page it can see) and returns the epoch.
func (a *allocator) pin() uint64 {
	a.epoch++
	clear(a.fresh)
	a.snaps[a.epoch]++
	return a.epoch
}

// unpinEpoch releases a snapshot pin of epoch e: held pages no open
// snapshot can see any more become free.
func (a *allocator) unpinEpoch(e uint64) {
	if a.snaps[e]--; a.snaps[e] <= 0 {
		delete(a.snaps, e)
	}
	if len(a.snaps) == 0 {
		clear(a.born) // every page is older than any later snapshot
	}
	held := a.held
	a.held = nil
	for _, r := range held {
		a.makeFree(r)
	}
}

// pinned returns the number of pages released while a snapshot was open
// that are not free yet: held for a snapshot, or pending or reserved for a
// checkpoint (the count is kept, not computed, so that it is cheap).
func (a *allocator) pinned() int { return a.nseen }

// trimTail drops free pages at the end of the file; it returns the new
// page count.
func (a *allocator) trimTail() pgid {
	for {
		pg, ok := a.free.Max()
		if !ok || pg != a.pageCount-1 {
			return a.pageCount
		}
		a.free.DeleteMax()
		a.pageCount--
	}
}

// tailFree reports whether the last page of the file is free.
func (a *allocator) tailFree() bool {
	pg, ok := a.free.Max()
	return ok && pg == a.pageCount-1
}

// freeList returns every page the next checkpoint records as free: free
// now, pending or held for a snapshot (after a crash no snapshot is open),
// in ascending order.
func (a *allocator) freeList() []pgid {
	out := make([]pgid, 0, a.free.Len()+len(a.pending)+len(a.held))
	a.free.Ascend(func(pg pgid) bool { out = append(out, pg); return true })
	for _, l := range [][]relPage{a.pending, a.held} {
		for _, r := range l {
			out = append(out, r.pg)
		}
	}
	slices.Sort(out)
	return out
}

// freeze starts a new epoch at a checkpoint's freeze: nothing is fresh any
// more (pages allocated so far belong to the checkpoint being written, so
// writers copy them on write), and the pages pending so far, which the
// checkpoint records as free, are reserved until it is durable: the
// previous checkpoint, the newest on disk until then, may still use them.
func (a *allocator) freeze() {
	a.reserved = append(a.reserved, a.pending...)
	a.pending = a.pending[:0]
	a.epoch++
	clear(a.fresh)
}

// checkpointed is called once the frozen checkpoint's meta page is
// durable: the pages reserved at its freeze are free, or held while an
// open snapshot can see them.
func (a *allocator) checkpointed() {
	for _, r := range a.reserved {
		a.makeFree(r)
	}
	a.reserved = a.reserved[:0]
}

func sortPgids(s []pgid) { slices.Sort(s) }
