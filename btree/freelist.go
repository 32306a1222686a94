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
//     become free when it completes (see freeze and checkpointed).
type allocator struct {
	free      *btree.BTreeG[pgid]
	pending   []pgid
	reserved  []pgid
	fresh     map[pgid]struct{}
	pageCount pgid // pages 1..pageCount-1 exist
}

func newAllocator(pageCount pgid) *allocator {
	return &allocator{
		free:      btree.NewOrderedG[pgid](32),
		fresh:     map[pgid]struct{}{},
		pageCount: pageCount,
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
	return start
}

// release frees a run of n pages starting at pg.
func (a *allocator) release(pg pgid, n int) {
	for i := range pgid(n) {
		p := pg + i
		if a.isFresh(p) {
			delete(a.fresh, p)
			a.free.ReplaceOrInsert(p)
		} else {
			a.pending = append(a.pending, p)
		}
	}
}

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
// now or pending, in ascending order.
func (a *allocator) freeList() []pgid {
	out := make([]pgid, 0, a.free.Len()+len(a.pending))
	a.free.Ascend(func(pg pgid) bool { out = append(out, pg); return true })
	out = append(out, a.pending...)
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
	clear(a.fresh)
}

// checkpointed is called once the frozen checkpoint's meta page is
// durable: the pages reserved at its freeze are free.
func (a *allocator) checkpointed() {
	for _, pg := range a.reserved {
		a.free.ReplaceOrInsert(pg)
	}
	a.reserved = a.reserved[:0]
}

func sortPgids(s []pgid) { slices.Sort(s) }
