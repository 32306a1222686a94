package btree

import (
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/kvlab/kvlab/internal/notify"
	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/vfs"
	"github.com/kvlab/kvlab/wal"
)

// DB is a B+tree store in one directory. It is safe for concurrent use.
type DB struct {
	fs        vfs.FS // the accounting wrapper around the FS Open was given
	acct      *vfs.Accounting
	dir       string
	opts      Options
	ps        int
	threshold int
	maxKey    int
	lock      io.Closer
	pages     vfs.File
	metaf     vfs.File
	pagesName string
	pool      *pool
	wb, cw    *pageWriter // writeBack's (under wmu) and the checkpoint's page buffers
	scratch   []byte      // loadNode's page buffer for uncached reads, under wmu
	// mapped reads the pages file through a memory mapping (Options.Mmap,
	// mapping.go), or is nil. Set at Open.
	mapped *mapping
	// leafBufs holds page buffers for iterators, which copy a leaf read
	// through the mapping (see iterator.setLeaf).
	leafBufs sync.Pool

	// wmu admits one writer at a time; checkpoints and Check hold it too.
	wmu sync.Mutex
	// tmu guards the tree: readers hold it shared; the writer holds it
	// exclusively while it changes nodes.
	tmu    sync.RWMutex
	closed atomic.Bool

	// The tree, changed under wmu and tmu (write), read under either.
	root        pgid
	height      int
	version     atomic.Uint64 // bumped by every change of the tree, under tmu (read without it by iterator steps)
	keys        int64
	liveBytes   int64
	leafPages   int64
	branchPages int64
	ovfPages    int64
	leafBytes   int64

	// Writer state, under wmu.
	alloc   *allocator
	flPages []pgid // free-list pages of the last checkpoint
	meta    meta   // the last checkpoint
	wal     *wal.Writer
	walNum  uint64
	roErr   error // set after an unrecoverable write error
	logged  int64 // batches logged since the last checkpoint's freeze
	stalled int   // writers waiting for a checkpoint (the dirty budget)

	// The background checkpoint (see checkpoint.go), under wmu.
	ckptState checkpointState
	ckptDone  *sync.Cond // on wmu: ckptState became ckptIdle or ckptWriting

	// roOverflow holds, in a read-only DB, the overflow runs written by
	// the replay of the log, by first page: they are never written to
	// the file. Set at Open, read-only after it.
	roOverflow map[pgid][]byte

	freePages   atomic.Int64 // free, pending and held pages, for Stats
	pinnedPages atomic.Int64 // released pages kept for open snapshots, for Stats

	// Snapshots (snapshot.go). kept holds, by page number, the nodes of
	// pages released while a snapshot could see them whose contents were
	// never written to their page: snapshot readers find them there. It is
	// changed under tmu (write) and read under tmu (read) when nkept > 0.
	kept      map[pgid]*node
	nkept     atomic.Int64
	unpinned  []pgid       // pages just made free that were pinned, under wmu
	snapshots atomic.Int64 // open snapshots, for Stats
	walGen    atomic.Uint64

	st   counters
	note *notify.Notifier // events and log lines
}

type counters struct {
	gets, getHits, puts, deletes, batches atomic.Int64
	rangeDeletes                          atomic.Int64
	iters, seeks, steps                   atomic.Int64
	userWritten, userRead                 atomic.Int64
	blocksTouched                         atomic.Int64
	pagesRead, pagesWritten               atomic.Int64
	checkpoints, checkpointBytes          atomic.Int64
}

var (
	_ kv.Engine  = (*DB)(nil)
	_ kv.Checker = (*DB)(nil)
)

func walName(dir string, num uint64) string {
	return vfs.Join(dir, fmt.Sprintf("%s%06d%s", walPrefix, num, walSuffix))
}

func parseWalName(name string) (uint64, bool) {
	if !strings.HasPrefix(name, walPrefix) || !strings.HasSuffix(name, walSuffix) {
		return 0, false
	}
	n, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimPrefix(name, walPrefix), walSuffix), 10, 64)
	return n, err == nil
}

func (db *DB) pageOffset(pg pgid) int64 { return int64(pg-1) * int64(db.ps) }

// corrupt turns a page decoding error into a *kv.CorruptionError.
func (db *DB) corrupt(pg pgid, err error) error {
	var ce *kv.CorruptionError
	if errors.As(err, &ce) {
		return err
	}
	var pe *pageError
	if !errors.As(err, &pe) {
		return err
	}
	return &kv.CorruptionError{File: db.pagesName, Offset: db.pageOffset(pg), Reason: "btree: " + pe.Error()}
}

// readPage reads page pg (and those after it, to fill buf) into buf: a
// copy from the mapping when the pages lie in it, else a ReadAt. Either
// counts as len(buf)/PageSize pages read.
func (db *DB) readPage(pg pgid, buf []byte) error {
	if run, ok := db.roOverflow[pg]; ok && len(run) == len(buf) {
		copy(buf, run)
		return nil
	}
	if mp := db.mapped; mp != nil {
		if b := mp.run(pg, len(buf)/db.ps); b != nil {
			copy(buf, b)
			db.st.pagesRead.Add(int64(len(buf) / db.ps))
			mp.m.CountMappedRead(len(buf))
			return nil
		}
	}
	n, err := db.pages.ReadAt(buf, db.pageOffset(pg))
	db.st.pagesRead.Add(int64(len(buf) / db.ps))
	if n == len(buf) {
		return nil
	}
	if err == nil || errors.Is(err, io.EOF) {
		return db.corrupt(pg, pageErrorf(pg, "page lies beyond the end of the file"))
	}
	return fmt.Errorf("btree: read page %d: %w", pg, err)
}

// readView returns page pg for reading, from the mapping, the pool or the
// file, pinned: the caller releases it (db.pool.release). A page read from
// the file (or first read through the mapping) is verified (checksum, page
// number, type) and its structure checked once, before any reader sees
// it. The caller holds tmu (for reading at least).
func (db *DB) readView(pg pgid) (page, error) {
	mp := db.mapped
	if mp != nil {
		if v := mp.verified(pg); v != nil {
			db.pool.hits.Add(1)
			return page{v: v, f: -1}, nil // clean, checked, in place
		}
	}
	if p, ok := db.pool.get(pg); ok {
		return p, nil
	}
	if db.nkept.Load() > 0 {
		if n := db.kept[pg]; n != nil {
			return page{n: n, f: -1}, nil // a snapshot reads a page released since
		}
	}
	if pg == 0 {
		return page{}, db.corrupt(pg, pageErrorf(pg, "null page reference"))
	}
	if mp != nil {
		if v, ok, err := db.mapView(pg); ok {
			return page{v: v, f: -1}, err
		}
	}
	db.pool.misses.Add(1)
	return db.pool.load(pg, func(buf []byte) error {
		if err := db.readPage(pg, buf); err != nil {
			return err
		}
		if err := verifyPage(buf, pg, pageLeaf, pageBranch); err != nil {
			return db.corrupt(pg, err)
		}
		if _, err := checkNodePage(buf, pg); err != nil {
			return db.corrupt(pg, err)
		}
		return nil
	})
}

// readNode returns page pg as a node, the writer's form: the pool's dirty
// node (or one kept for snapshots), or one decoded from the page (which
// the pool holds once the writer makes it dirty: cow).
func (db *DB) readNode(pg pgid) (*node, error) { return db.loadNode(pg, true) }

// loadNode is readNode; a page read from the file enters the pool's frames
// only when cache is set (a range delete reads the leaves it frees
// without). The node is decoded straight from the pinned frame (the
// decoder copies the cells out), or from the writer's scratch buffer.
func (db *DB) loadNode(pg pgid, cache bool) (*node, error) {
	var buf []byte
	if p, ok := db.pool.get(pg); ok || cache {
		if !ok {
			var err error
			if p, err = db.readView(pg); err != nil {
				return nil, err
			}
		}
		if p.n != nil {
			return p.n, nil
		}
		n, err := decodeNodeBody(p.v, pg)
		db.pool.release(p)
		if err != nil {
			return nil, db.corrupt(pg, err)
		}
		n.private = true
		return n, nil
	}
	if db.nkept.Load() > 0 {
		if n := db.kept[pg]; n != nil {
			return n, nil
		}
	}
	if pg == 0 {
		return nil, db.corrupt(pg, pageErrorf(pg, "null page reference"))
	}
	if len(db.scratch) != db.ps {
		db.scratch = make([]byte, db.ps)
	}
	buf = db.scratch
	if err := db.readPage(pg, buf); err != nil {
		return nil, err
	}
	if err := verifyPage(buf, pg, pageLeaf, pageBranch); err != nil {
		return nil, db.corrupt(pg, err)
	}
	n, err := decodeNodeBody(buf, pg)
	if err != nil {
		return nil, db.corrupt(pg, err)
	}
	n.private = true
	return n, nil
}

// rootNode returns the root as a node (see readNode).
func (db *DB) rootNode() (*node, error) { return db.readNode(db.root) }

// child returns branch p's child i as a node (see readNode).
func (db *DB) child(p *node, i int) (*node, error) { return db.readNode(p.kids[i]) }

// readValue returns a copy of leaf cell i's value.
func (db *DB) readValue(n *node, i int) ([]byte, error) {
	v, ref := n.value(i)
	if ref.pg == 0 {
		return append(make([]byte, 0, len(v)), v...), nil
	}
	return db.readOverflow(ref)
}

// readOverflow reads the value of overflow run ref with one read. A bare
// run (ref.raw) is read straight into the value's buffer and checked
// against the checksum its leaf cell holds; a run of headed pages is
// checked page by page.
func (db *DB) readOverflow(ref ovfRef) ([]byte, error) {
	cnt := ref.pages(db.ps)
	var v []byte
	if mp := db.mapped; mp != nil && ref.raw && db.roOverflow[ref.pg] == nil {
		if run := mp.run(ref.pg, cnt); run != nil {
			// Straight from the mapping: copy the value (what the caller
			// gets), then check the copy.
			v = append(make([]byte, 0, ref.n), run[:ref.n]...)
			db.st.pagesRead.Add(int64(cnt))
			mp.m.CountMappedRead(cnt * db.ps)
		}
	}
	if v == nil {
		buf := make([]byte, cnt*db.ps)
		if err := db.readPage(ref.pg, buf); err != nil {
			return nil, err
		}
		if !ref.raw {
			return db.framedOverflow(ref, buf)
		}
		v = buf[:ref.n:ref.n]
	}
	if got := crc32.Checksum(v, crcTable); got != ref.sum {
		return nil, db.corrupt(ref.pg, pageErrorf(ref.pg, "overflow run of %d bytes fails its checksum (stored %#08x, computed %#08x)", ref.n, ref.sum, got))
	}
	return v, nil
}

// framedOverflow returns the value of a version-1 overflow run of headed
// pages, read into buf, checking it page by page.
func (db *DB) framedOverflow(ref ovfRef, buf []byte) ([]byte, error) {
	out := make([]byte, 0, ref.n)
	for j := range len(buf) / db.ps {
		pg := ref.pg + pgid(j)
		chunk, err := decodeOverflow(buf[j*db.ps:(j+1)*db.ps], pg)
		if err != nil {
			return nil, db.corrupt(pg, err)
		}
		out = append(out, chunk...)
	}
	if len(out) != int(ref.n) {
		return nil, db.corrupt(ref.pg, pageErrorf(ref.pg, "overflow run holds %d bytes, the leaf says %d", len(out), ref.n))
	}
	return out, nil
}

// Get implements kv.Engine. It returns kv.ErrNotFound for an absent key and
// an error wrapping kv.ErrCorruption when a page on the way is damaged.
// It searches each page in place, holding it pinned only while it does.
func (db *DB) Get(key []byte) ([]byte, error) {
	db.tmu.RLock()
	defer db.tmu.RUnlock()
	if db.closed.Load() {
		return nil, kv.ErrClosed
	}
	db.st.gets.Add(1)
	return db.getFrom(db.root, key)
}

// getFrom looks key up in the tree whose root is page root (the tree's, or
// a snapshot's) and counts the hit; the caller holds tmu for reading.
func (db *DB) getFrom(root pgid, key []byte) ([]byte, error) {
	v, err := db.get(root, key)
	if err != nil {
		return nil, err
	}
	db.st.getHits.Add(1)
	db.st.userRead.Add(int64(len(key) + len(v)))
	return v, nil
}

// viewCounted is readView for a lookup that counts its own cache hits: a
// page found checked in the mapping adds to *hits instead of the pool's
// shared counter, which the caller adds once per lookup.
func (db *DB) viewCounted(pg pgid, hits *int64) (page, error) {
	if mp := db.mapped; mp != nil {
		if v := mp.verified(pg); v != nil {
			*hits++
			return page{v: v, f: -1}, nil
		}
	}
	return db.readView(pg)
}

// get looks key up under page pg; the caller holds tmu.
func (db *DB) get(pg pgid, key []byte) ([]byte, error) {
	touched, hits := int64(0), int64(0)
	defer func() {
		db.st.blocksTouched.Add(touched)
		if hits > 0 {
			db.pool.hits.Add(hits)
		}
	}()
	for {
		p, err := db.viewCounted(pg, &hits)
		if err != nil {
			return nil, err
		}
		touched++
		if !p.leaf() {
			pg = p.child(p.childIndex(key))
			db.pool.release(p)
			continue
		}
		i, found := p.search(key)
		if !found {
			db.pool.release(p)
			return nil, kv.ErrNotFound
		}
		v, ref := p.value(i)
		if ref.pg == 0 {
			v = append(make([]byte, 0, len(v)), v...)
			db.pool.release(p)
			return v, nil
		}
		db.pool.release(p)
		return db.readOverflow(ref)
	}
}

// has reports whether key is present; the caller holds tmu.
func (db *DB) has(key []byte) (bool, error) {
	pg := db.root
	for {
		p, err := db.readView(pg)
		if err != nil {
			return false, err
		}
		if !p.leaf() {
			pg = p.child(p.childIndex(key))
			db.pool.release(p)
			continue
		}
		_, found := p.search(key)
		db.pool.release(p)
		return found, nil
	}
}

// Put implements kv.Engine.
func (db *DB) Put(key, value []byte) error {
	var b kv.Batch
	b.Put(key, value)
	return db.Write(&b, kv.WriteOptions{})
}

// Delete implements kv.Engine.
func (db *DB) Delete(key []byte) error {
	var b kv.Batch
	b.Delete(key)
	return db.Write(&b, kv.WriteOptions{})
}

// Write implements kv.Engine: the batch is logged to the WAL, then applied
// to the tree under the tree's write lock, so readers see all of it or none.
// With o.Sync (or Options.Sync) Write returns once the log holds the batch
// durably; concurrent synced writers share fsyncs (group commit).
func (db *DB) Write(b *kv.Batch, o kv.WriteOptions) error {
	if err := b.Err(); err != nil {
		return err
	}
	if n := b.MaxKeyLen(); n > db.maxKeyLimit() {
		return &kv.SizeError{Err: kv.ErrKeyTooLarge, Size: n, Limit: db.maxKeyLimit()}
	}
	if b.Empty() {
		var err error
		if o.Sync {
			err = db.Sync()
		} else {
			err = db.checkOpen()
		}
		if err == nil {
			db.st.batches.Add(1) // every successful Write counts, an empty one too
		}
		return err
	}
	db.wmu.Lock()
	if db.closed.Load() {
		db.wmu.Unlock()
		return kv.ErrClosed
	}
	if db.roErr != nil {
		err := db.roErr
		db.wmu.Unlock()
		return err
	}
	w, gen := db.wal, db.walGen.Load()
	if _, err := w.Append(b.Repr()); err != nil {
		err = db.failLocked(fmt.Errorf("btree: log: %w", err))
		db.wmu.Unlock()
		return err
	}
	db.logged++
	db.tmu.Lock()
	err := db.applyBatch(b)
	db.version.Add(1)
	db.tmu.Unlock()
	if err != nil {
		err = db.failLocked(fmt.Errorf("btree: apply: %w", err))
		db.wmu.Unlock()
		return err
	}
	db.countBatch(b)
	if w.Size() >= db.opts.CheckpointSize || db.shadowsDue() {
		err = db.triggerCheckpointLocked(w)
	} else {
		err = db.writeBack()
	}
	db.noteFree()
	if err != nil {
		db.wmu.Unlock()
		return err
	}
	db.wmu.Unlock()
	if o.Sync || db.opts.Sync {
		return db.syncLog(w, gen)
	}
	return nil
}

// triggerCheckpointLocked is called by a write that found the log w full,
// or the pages released since the last freeze over the shadow budget: it
// starts a background checkpoint, unless one is running. When the running
// one has already switched logs (w is the new epoch's log, full too, or the
// new epoch over its budget), the write waits for it before starting the
// next: the dirty budget (see checkpoint.go). The caller holds wmu.
func (db *DB) triggerCheckpointLocked(w *wal.Writer) error {
	if db.ckptState == ckptWriting {
		// Writers stalled together make one stall: it begins with the
		// first and ends with the last.
		ev := db.note.Events()
		if db.stalled++; db.stalled == 1 && ev.WriteStallBegin != nil {
			ev.WriteStallBegin(kv.WriteStallInfo{Reason: "checkpoint behind"})
		}
		db.waitCheckpointLocked()
		if db.stalled--; db.stalled == 0 && ev.WriteStallEnd != nil {
			ev.WriteStallEnd()
		}
		if db.roErr != nil {
			return db.roErr
		}
		if db.closed.Load() {
			return nil // Close's checkpoint, which ran meanwhile, holds this write
		}
		if db.wal != w {
			return db.writeBack() // another writer started the next one
		}
	}
	if db.ckptState == ckptIdle {
		db.startCheckpointLocked(w)
	}
	return db.writeBack()
}

func (db *DB) maxKeyLimit() int {
	return maxKeySize(db.opts.PageSize)
}

// countBatch adds an applied batch to the counters, from the figures the
// batch keeps (no decoding).
func (db *DB) countBatch(b *kv.Batch) {
	db.st.batches.Add(1)
	db.st.userWritten.Add(b.UserBytes())
	db.st.puts.Add(int64(b.Puts()))
	db.st.deletes.Add(int64(b.Deletes()))
	db.st.rangeDeletes.Add(int64(b.RangeDeletes()))
}

// noteFree publishes the number of free pages for Stats; the caller holds
// wmu (or is Open).
func (db *DB) noteFree() {
	a := db.alloc
	db.freePages.Store(int64(a.free.Len() + len(a.pending) + len(a.held)))
	db.pinnedPages.Store(int64(a.pinned()))
}

// failLocked records an unrecoverable error: from now on writes fail with
// kv.ErrReadOnly wrapped around it. It returns that error.
func (db *DB) failLocked(cause error) error {
	if db.roErr == nil {
		db.roErr = fmt.Errorf("%w after an earlier error: %w", kv.ErrReadOnly, cause)
		db.note.BackgroundError(cause)
	}
	return db.roErr
}

// syncLog makes log w durable up to its end. When a checkpoint has replaced
// w meanwhile, that checkpoint already made w's records durable.
func (db *DB) syncLog(w *wal.Writer, gen uint64) error {
	err := w.Sync()
	if err == nil || db.walGen.Load() != gen {
		return nil
	}
	db.wmu.Lock()
	defer db.wmu.Unlock()
	if db.walGen.Load() != gen {
		return nil
	}
	if db.closed.Load() {
		return kv.ErrClosed // Close synced and closed the log meanwhile
	}
	return db.failLocked(fmt.Errorf("btree: sync log: %w", err))
}

func (db *DB) checkOpen() error {
	if db.closed.Load() {
		return kv.ErrClosed
	}
	return nil
}

// Sync implements kv.Engine: it makes the WAL durable up to its end.
func (db *DB) Sync() error {
	db.wmu.Lock()
	if db.closed.Load() {
		db.wmu.Unlock()
		return kv.ErrClosed
	}
	if db.opts.ReadOnly {
		db.wmu.Unlock()
		return nil // nothing was written
	}
	if err := db.roErr; err != nil {
		db.wmu.Unlock()
		return err
	}
	w, gen := db.wal, db.walGen.Load()
	db.wmu.Unlock()
	return db.syncLog(w, gen)
}

// Close implements kv.Engine: it runs a final checkpoint (unless an earlier
// I/O error made the store read-only), closes the log and the files and
// releases the directory lock.
func (db *DB) Close() error {
	db.wmu.Lock()
	defer db.wmu.Unlock()
	if db.closed.Load() {
		return kv.ErrClosed
	}
	db.waitCheckpointLocked()
	err := db.roErr
	if db.opts.ReadOnly {
		err = nil // nothing to write
	} else if err == nil {
		err = db.checkpointLocked()
	}
	db.tmu.Lock()
	db.closed.Store(true)
	db.tmu.Unlock()
	if db.wal != nil {
		if cerr := db.wal.Close(); err == nil && cerr != nil && db.roErr == nil {
			err = fmt.Errorf("btree: close log: %w", cerr)
		}
	}
	db.closeFiles()
	db.pool.close()
	return err
}

func (db *DB) closeFiles() {
	if db.mapped != nil {
		db.mapped.close()
	}
	if db.pages != nil {
		db.pages.Close()
	}
	if db.metaf != nil {
		db.metaf.Close()
	}
	if db.lock != nil {
		db.lock.Close()
	}
}
