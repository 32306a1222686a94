package btree

import (
	"fmt"

	"github.com/kvlab/kvlab/internal/storedir"
	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/wal"
)

// A checkpoint makes the tree as of one moment durable in the pages file
// and starts a new log. It runs in three phases:
//
//   - freeze, under wmu (freezeLocked): the previous checkpoint's free-list
//     pages are released (pending) and free pages at the end of the file
//     dropped; the new free list (free and pending pages) is laid out in
//     fresh pages; the dirty nodes are listed; the old log is synced and a
//     new, empty one created, and writers switch to it; the allocator starts
//     a new epoch: nothing is fresh any more, so a writer copies on write
//     every node the checkpoint lists instead of changing it, and the pages
//     released before the freeze stay reserved until the checkpoint is
//     durable.
//   - write, without wmu (writeCheckpoint): every listed node and the free
//     list are written to their (fresh) locations — no page of the previous
//     checkpoint is overwritten — and the pages file is synced; then the meta
//     page is written to the other slot and synced: the new checkpoint now
//     exists. (The first checkpoint of a version-1 store rewrites the store
//     marker to this format version before it writes the meta page.)
//   - complete, under wmu (completeLocked): the pages reserved at the freeze
//     become free; the old logs are removed; the file is truncated to the
//     page count.
//
// Writes trigger checkpoints (the log passing Options.CheckpointSize, or
// the pages released since the last freeze passing the shadow budget, see
// shadowBudget) that run the write phase on a background goroutine, so the
// writer that crosses the threshold pays only for the freeze, and other
// writers proceed meanwhile, into the new log. The dirty budget: while a
// checkpoint writes, the new epoch's log may grow to CheckpointSize and its
// released pages to the shadow budget; a writer that finds either full
// waits for the running checkpoint before starting the next one, so at most
// two epochs of dirty pages (the one being written, frozen, and the current
// one, which writeBack keeps within the pool) exist at once. Checkpoint, Close and
// Check wait for a running checkpoint and then run all three phases on the
// caller's goroutine.
//
// A crash at any point leaves a valid checkpoint: until the new meta page is
// durable the previous one is the newest, and neither its pages nor the free
// pages its free list names that the new checkpoint uses were written; the
// logs it needs (its own and the one started at the freeze) are both kept,
// and recovery replays them in order. The old log is durable before the new
// one takes a write, so replay never applies a write of the new log after
// losing one of the old. Any failure makes the store read-only.

// ckpt is a checkpoint between its freeze and its completion.
type ckpt struct {
	m       meta
	fl      []pgid  // free-list pages, in list order
	list    []pgid  // the free pages the free list records
	dirty   []*node // the nodes to write, frozen: writers copy them on write
	oldWal  *wal.Writer
	oldLogs [2]uint64 // logs oldLogs[0] up to (not including) oldLogs[1] become obsolete
	written int64
	upgrade bool // the first checkpoint of a version-1 store: the marker is rewritten
}

// checkpointState says what the background checkpoint is doing.
type checkpointState uint8

const (
	ckptIdle    checkpointState = iota
	ckptStarted                 // launched, not yet frozen
	ckptWriting                 // frozen, writing its pages
)

// checkpointLocked writes a checkpoint on the caller's goroutine, after any
// background one; the caller holds wmu. Any failure makes the store
// read-only.
func (db *DB) checkpointLocked() error {
	db.waitCheckpointLocked()
	if db.roErr != nil {
		return db.roErr
	}
	if db.logged == 0 && db.pool.dirtyCount() == 0 && !db.alloc.tailFree() {
		return nil // nothing changed since the last checkpoint
	}
	info, start := db.checkpointBegin()
	c, err := db.freezeLocked()
	if err == nil {
		err = db.writeCheckpoint(c)
	}
	if err != nil {
		err = db.abortCheckpointLocked(c, err)
		db.checkpointEnd(info, start, nil, err)
		return err
	}
	db.completeLocked(c)
	db.checkpointEnd(info, start, c, nil)
	return nil
}

// waitCheckpointLocked waits until no background checkpoint runs; the
// caller holds wmu, which the wait releases meanwhile.
func (db *DB) waitCheckpointLocked() {
	for db.ckptState != ckptIdle {
		db.ckptDone.Wait()
	}
}

// The shadow budget (Options.ShadowBudget): a checkpoint is also due once
// the pages released since the last freeze (pending: the last checkpoint's
// pages that shadow paging replaced, not reusable until the next checkpoint
// is durable) reach a fraction of the tree's pages, 1/8 by default, and at
// least minShadowPages. Those copies are what shadow paging costs in file
// space: with the log trigger alone, an epoch of random updates replaces up
// to every leaf (P·(1 − e^(−n/P)) pages for n updates of a P-page tree),
// and the file, which shrinks only by its free tail, keeps the high-water
// mark of the tree plus two epochs of copies. The budget bounds the copies
// to a few budgets whatever the log size; it costs checkpoints (two fsyncs,
// the branch pages and the free list each), not leaf writes: with a pool
// smaller than the tree, writeBack already writes about one page per random
// update. Workloads that change few distinct pages (hot keys, sorted loads)
// release few pages and so checkpoint by the log.
const (
	defaultShadowBudget = 0.125
	minShadowPages      = 256
)

// shadowBudget returns the pages released since a freeze past which a
// checkpoint is due, for a tree of treePages pages and a budget of frac of
// them.
func shadowBudget(treePages int64, frac float64) int64 {
	return max(int64(float64(treePages)*frac), minShadowPages)
}

// shadowsDue reports whether the pages released since the last freeze
// reach the shadow budget; the caller holds wmu. A background checkpoint
// launched but not frozen yet takes wmu only after syncing the log, and
// the writer goes on meanwhile: once its releases reach twice the budget,
// shadowsDue waits for that freeze, so that no epoch holds more than two
// budgets (see TestSpaceBoundedByShadowBudget).
func (db *DB) shadowsDue() bool {
	budget := shadowBudget(db.leafPages+db.branchPages+db.ovfPages, db.opts.shadowBudget())
	if db.ckptState == ckptStarted && int64(len(db.alloc.pending)) >= 2*budget {
		for db.ckptState == ckptStarted {
			db.ckptDone.Wait()
		}
	}
	return int64(len(db.alloc.pending)) >= budget
}

// startCheckpointLocked launches a background checkpoint; the caller holds
// wmu and no checkpoint runs. w is the log the checkpoint will replace.
func (db *DB) startCheckpointLocked(w *wal.Writer) {
	db.ckptState = ckptStarted
	go db.backgroundCheckpoint(w)
}

// backgroundCheckpoint runs a checkpoint triggered by a write: it syncs
// the log w first, without wmu, so that the freeze, which syncs it again
// under wmu, finds little left to sync.
func (db *DB) backgroundCheckpoint(w *wal.Writer) {
	_ = w.Sync() // an error comes back from the freeze's sync
	db.wmu.Lock()
	defer db.wmu.Unlock()
	defer db.ckptDone.Broadcast()
	defer func() { db.ckptState = ckptIdle }()
	if db.roErr != nil || db.closed.Load() {
		return
	}
	info, start := db.checkpointBegin()
	c, err := db.freezeLocked()
	if err == nil {
		db.ckptState = ckptWriting
		db.ckptDone.Broadcast() // writers waiting for the freeze (shadowsDue)
		db.wmu.Unlock()
		err = db.writeCheckpoint(c)
		db.wmu.Lock()
	}
	if err != nil {
		db.checkpointEnd(info, start, nil, db.abortCheckpointLocked(c, err))
		return
	}
	db.completeLocked(c)
	db.checkpointEnd(info, start, c, nil)
	db.noteFree()
}

// abortCheckpointLocked makes the store read-only after checkpoint c
// failed (c is nil when the freeze failed before switching logs) and
// returns the error.
func (db *DB) abortCheckpointLocked(c *ckpt, err error) error {
	if c != nil && c.oldWal != nil {
		_ = c.oldWal.Close() // synced at the freeze; kept for recovery
	}
	return db.failLocked(fmt.Errorf("btree: checkpoint: %w", err))
}

// freezeLocked runs a checkpoint's freeze phase; the caller holds wmu. On
// an error before writers switched logs it returns a nil ckpt.
func (db *DB) freezeLocked() (*ckpt, error) {
	a := db.alloc
	for _, pg := range db.flPages {
		a.releaseUnseen(pg)
	}
	a.trimTail()
	capacity := freelistCapacity(db.ps)
	need := (len(a.freeList()) + capacity - 1) / capacity
	fl := make([]pgid, need)
	for i := range fl {
		fl[i] = a.alloc(1)
	}
	c := &ckpt{fl: fl, list: a.freeList(), dirty: db.pool.dirtyNodes()}

	// The old log must be durable before the new one takes a write.
	if err := db.wal.Sync(); err != nil {
		return nil, fmt.Errorf("sync log: %w", err)
	}
	newNum := db.walNum + 1
	nw, err := wal.Create(db.fs, walName(db.dir, newNum), newNum, wal.Options{})
	if err != nil {
		return nil, err
	}
	c.m = meta{
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
		c.m.freelist = fl[0]
	}
	c.upgrade = db.meta.version != 0 && db.meta.version < formatVersion
	c.oldWal, c.oldLogs = db.wal, [2]uint64{db.meta.walNum, newNum}
	if f := db.note.Events().WALRotated; f != nil {
		f(kv.WALInfo{OldNum: db.walNum, NewNum: newNum})
	}
	db.wal, db.walNum = nw, newNum
	db.walGen.Add(1)
	db.logged = 0
	a.freeze()
	return c, nil
}

// writeCheckpoint runs a checkpoint's write phase. It needs no lock: the
// nodes it writes are frozen, its pages are reserved, and only it writes
// the meta file.
func (db *DB) writeCheckpoint(c *ckpt) error {
	w := db.cw
	w.take()
	for i, n := range c.dirty {
		if err := w.add(n); err != nil {
			return err
		}
		c.dirty[i] = nil // written (or in w): let the heap have it back
	}
	if err := w.flush(); err != nil { // the free list's pages may lie below
		return err
	}
	capacity := freelistCapacity(db.ps)
	for i, pg := range c.fl {
		next := pgid(0)
		if i+1 < len(c.fl) {
			next = c.fl[i+1]
		}
		chunk := c.list[min(len(c.list), i*capacity):min(len(c.list), (i+1)*capacity)]
		p, err := w.page(pg, nil)
		if err != nil {
			return err
		}
		encodeFreelist(p, pg, next, chunk)
	}
	if err := w.flush(); err != nil {
		return err
	}
	c.written = w.take()
	if err := db.pages.Sync(); err != nil {
		return fmt.Errorf("sync pages: %w", err)
	}
	if c.upgrade {
		// A version-1 build looks at the meta pages only after finding a
		// log, and calls a store whose meta pages are of a newer version
		// corrupt. So the marker says format 2 before any meta page does:
		// such a build then refuses the store by its marker, with
		// kv.ErrUnsupportedVersion.
		if err := storedir.Write(db.fs, db.dir, storedir.Marker{Engine: Name, Format: FormatVersion}); err != nil {
			return err
		}
	}
	if _, err := db.metaf.WriteAt(c.m.encode(), int64(c.m.checkpoint%2)*metaSlotSize); err != nil {
		return fmt.Errorf("write meta: %w", err)
	}
	if err := db.metaf.Sync(); err != nil {
		return fmt.Errorf("sync meta: %w", err)
	}
	return nil
}

// completeLocked runs a checkpoint's completion; the caller holds wmu.
func (db *DB) completeLocked(c *ckpt) {
	a := db.alloc
	db.meta, db.flPages = c.m, c.fl
	a.checkpointed()
	db.dropUnpinned()
	_ = c.oldWal.Close() // its records are in the checkpoint now
	for num := c.oldLogs[0]; num < c.oldLogs[1]; num++ {
		_ = db.fs.Remove(walName(db.dir, num))
	}
	if size, err := db.pages.Size(); err == nil && size > db.pageOffset(a.pageCount) {
		_ = db.pages.Truncate(db.pageOffset(a.pageCount)) // free pages only
	}
	db.st.checkpoints.Add(1)
	db.st.checkpointBytes.Add(c.written + metaSize)
}

// writeBack writes cold dirty pages to their (fresh) locations, without
// syncing, when the dirty nodes' heap passes the pool's dirty budget,
// until it is back to 7/8 of the budget (small steps keep the dirty set
// near the budget: fewer rewrites of the same page), so that the pool can
// evict them;
// the caller holds wmu, so no node changes meanwhile. Only pages allocated
// since the last durable checkpoint are dirty, so this never touches the
// checkpoint on disk. A node a running checkpoint is writing may be among
// them: both write the same image of the frozen node to the same page. An
// error makes the store read-only.
func (db *DB) writeBack() error {
	budget := db.pool.dirtyBudget
	dirty := db.pool.dirtyBytes.Load()
	if dirty <= budget {
		return nil
	}
	w := db.wb
	for _, n := range db.pool.coldDirty(dirty - budget*7/8) {
		if err := w.add(n); err != nil {
			return db.failLocked(fmt.Errorf("btree: write back: %w", err))
		}
	}
	if err := w.flush(); err != nil {
		return db.failLocked(fmt.Errorf("btree: write back: %w", err))
	}
	return nil
}

// pageWriter writes pages through one buffer of up to max pages, reused:
// pages are added in ascending page order, runs of consecutive pages go
// out with one WriteAt each, and the nodes among them are then marked
// clean with their images (which move into frames). A pageWriter is used
// by one goroutine at a time: DB.wb by writeBack under wmu, DB.cw by the
// checkpoint's write phase (one checkpoint at a time).
type pageWriter struct {
	db      *DB
	max     int
	buf     []byte  // len(pgs) page images
	pgs     []pgid  // the pages in buf
	nodes   []*node // nodes[i] is page pgs[i]'s node, nil for other pages
	written int64   // bytes written since the last take
}

// pageWriterPages is how many pages a pageWriter buffers for a pool of
// frames frames: an eighth of the pool, from 16 to 256 pages.
func pageWriterPages(frames int) int { return min(256, max(16, frames/8)) }

func newPageWriter(db *DB) *pageWriter {
	return &pageWriter{db: db, max: pageWriterPages(db.pool.cap)}
}

// add encodes node n into the next page image.
func (w *pageWriter) add(n *node) error {
	p, err := w.page(n.pgno, n)
	if err == nil {
		encodeNode(n, p)
	}
	return err
}

// page returns the buffer for page pg's image, which the caller fills
// whole before the next call; n is the page's node, if it is one. When
// the buffer is full, its pages are written first.
func (w *pageWriter) page(pg pgid, n *node) ([]byte, error) {
	if len(w.pgs) == w.max {
		if err := w.flush(); err != nil {
			return nil, err
		}
	}
	if w.buf == nil {
		w.buf = make([]byte, 0, w.max*w.db.ps)
	}
	off := len(w.buf)
	w.buf = w.buf[:off+w.db.ps]
	w.pgs = append(w.pgs, pg)
	w.nodes = append(w.nodes, n)
	return w.buf[off:], nil
}

// flush writes the buffered pages, marks their nodes clean and empties
// the buffer.
func (w *pageWriter) flush() error {
	ps := w.db.ps
	start := 0
	for i := range w.pgs {
		if i+1 < len(w.pgs) && w.pgs[i+1] == w.pgs[i]+1 {
			continue
		}
		run := w.buf[start*ps : (i+1)*ps]
		if _, err := w.db.pages.WriteAt(run, w.db.pageOffset(w.pgs[start])); err != nil {
			return fmt.Errorf("write pages %d-%d: %w", w.pgs[start], w.pgs[i], err)
		}
		w.written += int64(len(run))
		w.db.st.pagesWritten.Add(int64(i + 1 - start))
		start = i + 1
	}
	w.db.pool.markCleanNodes(w.nodes, func(i int) []byte { return w.buf[i*ps : (i+1)*ps] })
	clear(w.nodes)
	w.buf, w.pgs, w.nodes = w.buf[:0], w.pgs[:0], w.nodes[:0]
	return nil
}

// take returns the bytes written since the last take.
func (w *pageWriter) take() int64 {
	n := w.written
	w.written = 0
	return n
}
