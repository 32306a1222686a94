package btree

import (
	"fmt"

	"github.com/kvlab/kvlab/wal"
)

// checkpointLocked writes a checkpoint; the caller holds wmu. The steps,
// each of which a crash may interrupt without harm:
//
//  1. The previous checkpoint's free-list pages are released (pending) and
//     free pages at the end of the file are dropped.
//  2. The new free list (free and pending pages) is laid out in fresh pages.
//  3. Every dirty page and the free list are written to their (fresh)
//     locations; no page of the previous checkpoint is overwritten. The
//     pages file is synced.
//  4. The next log is created (empty).
//  5. The meta page is written to the other slot and synced: the new
//     checkpoint now exists.
//  6. Writers switch to the new log; the old one is removed; pending pages
//     become free; the file is truncated to the page count.
//
// A crash before step 5 completes leaves the previous meta page newest, and
// its tree and log intact. Any failure makes the store read-only.
func (db *DB) checkpointLocked() error {
	if db.roErr != nil {
		return db.roErr
	}
	if db.logged == 0 && db.pool.dirtyCount() == 0 && !db.alloc.tailFree() {
		return nil // nothing changed since the last checkpoint
	}
	if err := db.checkpoint(); err != nil {
		return db.failLocked(fmt.Errorf("btree: checkpoint: %w", err))
	}
	return nil
}

func (db *DB) checkpoint() error {
	a := db.alloc
	for _, pg := range db.flPages {
		a.release(pg, 1)
	}
	a.trimTail()
	capacity := freelistCapacity(db.ps)
	need := (len(a.freeList()) + capacity - 1) / capacity
	fl := make([]pgid, need)
	for i := range fl {
		fl[i] = a.alloc(1)
	}
	list := a.freeList()

	w := newPageWriter(db)
	dirty := db.pool.dirtyNodes()
	for _, n := range dirty {
		encodeNode(n, w.page(n.pgno))
	}
	for i, pg := range fl {
		next := pgid(0)
		if i+1 < len(fl) {
			next = fl[i+1]
		}
		chunk := list[min(len(list), i*capacity):min(len(list), (i+1)*capacity)]
		encodeFreelist(w.page(pg), pg, next, chunk)
	}
	written, err := w.flush()
	if err != nil {
		return err
	}
	for _, n := range dirty {
		db.pool.markClean(n.pgno)
	}
	if err := db.pages.Sync(); err != nil {
		return fmt.Errorf("sync pages: %w", err)
	}

	newNum := db.walNum + 1
	nw, err := wal.Create(db.fs, walName(db.dir, newNum), newNum, wal.Options{})
	if err != nil {
		return err
	}
	m := meta{
		pageSize:      uint32(db.ps),
		checkpoint:    db.meta.checkpoint + 1,
		root:          db.root,
		height:        uint32(db.height),
		pageCount:     uint64(a.pageCount),
		walNum:        newNum,
		keys:          uint64(db.keys),
		liveBytes:     uint64(db.liveBytes),
		leafPages:     uint64(db.leafPages),
		branchPages:   uint64(db.branchPages),
		overflowPages: uint64(db.ovfPages),
		leafBytes:     uint64(db.leafBytes),
	}
	if len(fl) > 0 {
		m.freelist = fl[0]
	}
	if _, err := db.metaf.WriteAt(m.encode(), int64(m.checkpoint%2)*metaSlotSize); err != nil {
		nw.Close()
		return fmt.Errorf("write meta: %w", err)
	}
	if err := db.metaf.Sync(); err != nil {
		nw.Close()
		return fmt.Errorf("sync meta: %w", err)
	}

	old, oldNum := db.wal, db.walNum
	db.wal, db.walNum, db.meta, db.flPages = nw, newNum, m, fl
	db.walGen.Add(1)
	db.logged = 0
	a.checkpointed()
	_ = old.Close() // its records are in the checkpoint now
	_ = db.fs.Remove(walName(db.dir, oldNum))
	if size, err := db.pages.Size(); err == nil && size > db.pageOffset(a.pageCount) {
		_ = db.pages.Truncate(db.pageOffset(a.pageCount)) // free pages only
	}
	db.st.checkpoints.Add(1)
	db.st.checkpointBytes.Add(written + metaSize)
	return nil
}

// writeBack writes cold dirty pages to their (fresh) locations, without
// syncing, when dirty pages fill more than half the pool, so that the pool
// can evict them; the caller holds wmu, so no node changes meanwhile. Only
// pages allocated since the last checkpoint are dirty, so this never
// touches the checkpoint on disk. An error makes the store read-only.
func (db *DB) writeBack() error {
	limit := db.pool.cap / 2
	dirty := db.pool.dirtyCount()
	if dirty <= limit && db.pool.size() <= db.pool.cap {
		return nil
	}
	nodes := db.pool.coldDirty(max(dirty-limit/2, db.pool.size()-db.pool.cap))
	w := newPageWriter(db)
	for _, n := range nodes {
		encodeNode(n, w.page(n.pgno))
	}
	if _, err := w.flush(); err != nil {
		return db.failLocked(fmt.Errorf("btree: write back: %w", err))
	}
	for _, n := range nodes {
		db.pool.markClean(n.pgno)
	}
	return nil
}

// pageWriter collects page images and writes runs of consecutive pages
// with one WriteAt each.
type pageWriter struct {
	db    *DB
	pages map[pgid][]byte
	order []pgid
}

func newPageWriter(db *DB) *pageWriter {
	return &pageWriter{db: db, pages: map[pgid][]byte{}}
}

// page returns a zeroed buffer for page pg.
func (w *pageWriter) page(pg pgid) []byte {
	b := make([]byte, w.db.ps)
	w.pages[pg] = b
	w.order = append(w.order, pg)
	return b
}

// flush writes every collected page and returns the bytes written.
func (w *pageWriter) flush() (int64, error) {
	sortPgids(w.order)
	var total int64
	var run []byte
	var start pgid
	write := func() error {
		if len(run) == 0 {
			return nil
		}
		if _, err := w.db.pages.WriteAt(run, w.db.pageOffset(start)); err != nil {
			return fmt.Errorf("write pages %d-%d: %w", start, start+pgid(len(run)/w.db.ps)-1, err)
		}
		total += int64(len(run))
		w.db.st.pagesWritten.Add(int64(len(run) / w.db.ps))
		run = run[:0]
		return nil
	}
	for i, pg := range w.order {
		if i == 0 || pg != w.order[i-1]+1 || len(run) >= 1<<20 {
			if err := write(); err != nil {
				return total, err
			}
			start = pg
		}
		run = append(run, w.pages[pg]...)
	}
	return total, write()
}
