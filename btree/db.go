package btree

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/kvlab/kvlab/internal/storedir"
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
	rootCache atomic.Pointer[node] // the root's node, valid as kidCache entries are

	// wmu admits one writer at a time; checkpoints and Check hold it too.
	wmu sync.Mutex
	// tmu guards the tree: readers hold it shared; the writer holds it
	// exclusively while it changes nodes.
	tmu    sync.RWMutex
	closed atomic.Bool

	// The tree, changed under wmu and tmu (write), read under either.
	root        pgid
	height      int
	version     uint64 // bumped by every change of the tree
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

	// The background checkpoint (see checkpoint.go), under wmu.
	ckptState checkpointState
	ckptDone  *sync.Cond // on wmu: ckptState became ckptIdle

	// roOverflow holds, in a read-only DB, the overflow runs written by
	// the replay of the log, by first page: they are never written to
	// the file. Set at Open, read-only after it.
	roOverflow map[pgid][]byte

	freePages atomic.Int64 // free and pending pages, for Stats
	walGen    atomic.Uint64

	st counters
}

type counters struct {
	gets, getHits, puts, deletes, batches atomic.Int64
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

// FormatVersion is the version of the store's format recorded in its
// marker (docs/format/store.md) and meta page (docs/format/btree.md). Open
// refuses a store of a newer version with an error wrapping
// kv.ErrUnsupportedVersion.
const FormatVersion = 1

// Open opens the store in dir on fs (vfs.Default when nil), creating it
// when dir holds none (unless o.MustExist or o.ReadOnly), and recovers it:
// the newest meta page whose checksum holds names the last checkpoint, and
// the writes logged after it are replayed from the WAL.
//
// Before it creates or locks anything Open checks the directory: one
// holding another engine's store or files that are not the B+tree's is
// refused with an error wrapping kv.ErrForeignStore that names them, a
// store of a newer format with one wrapping kv.ErrUnsupportedVersion. A new
// store gets its marker first; a store made before markers existed gets one
// on its first read-write Open.
//
// The directory is locked until Close. A store's page size is fixed when it
// is created: Open uses the stored one whatever o.PageSize says. With
// o.ReadOnly nothing is written: see Options.ReadOnly.
func Open(fs vfs.FS, dir string, o Options) (*DB, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	if fs == nil {
		fs = vfs.Default
	}
	acct := vfs.NewAccounting(fs)
	db := &DB{fs: acct, acct: acct, dir: dir, opts: o}
	db.ckptDone = sync.NewCond(&db.wmu)
	st, err := storedir.Check(acct, dir, Name, FormatVersion, ownFile, storedir.Mode{ReadOnly: o.ReadOnly, MustExist: o.MustExist})
	if err != nil {
		return nil, fmt.Errorf("btree: open: %w", err)
	}
	if !st.Exists {
		if err := acct.MkdirAll(dir); err != nil {
			return nil, fmt.Errorf("btree: open %s: %w", dir, err)
		}
	}
	if !o.ReadOnly || st.HasLock {
		lock, err := acct.Lock(vfs.Join(dir, lockFileName))
		if err != nil {
			return nil, fmt.Errorf("btree: open %s: %w", dir, err)
		}
		db.lock = lock
	}
	if !o.ReadOnly && !st.Marker {
		if err := storedir.Write(acct, dir, storedir.Marker{Engine: Name, Format: FormatVersion}); err != nil {
			db.closeFiles()
			return nil, fmt.Errorf("btree: open: %w", err)
		}
	}
	if o.ReadOnly {
		db.roOverflow = map[pgid][]byte{}
		db.roErr = errOpenedReadOnly
	}
	if err := db.open(); err != nil {
		db.closeFiles()
		return nil, err
	}
	return db, nil
}

// ownFile reports whether name is one of the files a B+tree store holds
// (besides LOCK and the marker).
func ownFile(name string) bool {
	_, isLog := parseWalName(name)
	return isLog || name == pagesFileName || name == metaFileName || name == metaFileName+".tmp"
}

// errOpenedReadOnly is the error of every write to a DB opened with
// Options.ReadOnly.
var errOpenedReadOnly = fmt.Errorf("%w: the store was opened read-only", kv.ErrReadOnly)

// openFile opens one of the store's files: read-only, and only if it
// exists, when the DB is; else for reading and writing, created if absent.
func (db *DB) openFile(name string, kind vfs.Kind) (vfs.File, error) {
	if db.opts.ReadOnly {
		return db.fs.Open(name, kind)
	}
	return db.fs.OpenReadWrite(name, kind)
}

func (db *DB) open() error {
	var err error
	metaName := vfs.Join(db.dir, metaFileName)
	metaSize := int64(0) // 0 also when the meta file is absent
	if fi, err := db.fs.Stat(metaName); err == nil {
		metaSize = fi.Size()
	} else if !errors.Is(err, vfs.ErrNotExist) {
		return fmt.Errorf("btree: open: %w", err)
	}
	db.pagesName = vfs.Join(db.dir, pagesFileName)
	if db.opts.ReadOnly && metaSize == 0 {
		return fmt.Errorf("btree: %s: %w: it has no meta page", db.dir, kv.ErrNoStore)
	}
	if db.pages, err = db.openFile(db.pagesName, vfs.KindBTreePages); err != nil {
		return fmt.Errorf("btree: open: %w", err)
	}
	if db.metaf, err = db.openFile(vfs.Join(db.dir, metaFileName), vfs.KindBTreeMeta); err != nil {
		return fmt.Errorf("btree: open: %w", err)
	}
	m, found, metaErrs, err := db.readMeta()
	if err != nil {
		return err
	}
	names, err := db.fs.List(db.dir)
	if err != nil {
		return fmt.Errorf("btree: open: %w", err)
	}
	if !found {
		for _, n := range names {
			if _, ok := parseWalName(n); ok {
				return kv.Corruptf(metaName, 0, "btree: no valid meta page, but the store has a log")
			}
		}
		// A store is created afresh only where none was: no meta file, or
		// an empty one (a creation that crashed before its meta page was
		// written, when at most one page had been written). Anything else
		// is a store whose meta pages are damaged or of a newer format.
		for _, e := range metaErrs {
			var me *metaError
			if errors.As(e, &me) && me.newer {
				return fmt.Errorf("btree: %s: %s: %w", metaName, me.reason, kv.ErrUnsupportedVersion)
			}
		}
		if metaSize > 0 {
			return kv.Corruptf(metaName, 0, "btree: neither meta slot holds a valid meta page (%v; %v)", metaErrs[0], metaErrs[1])
		}
		if ps, err := db.pages.Size(); err != nil {
			return fmt.Errorf("btree: open: %w", err)
		} else if ps > MaxPageSize {
			return kv.Corruptf(metaName, 0, "btree: the meta file is missing or empty, but %s holds %d bytes", db.pagesName, ps)
		}
		return db.create()
	}
	if int(m.pageSize) != db.opts.PageSize {
		db.opts.PageSize = int(m.pageSize)
		if db.opts.OverflowThreshold > maxInlineValue(db.opts.PageSize) {
			return fmt.Errorf("%w: overflow threshold %d is too large for the store's %d-byte pages", ErrBadOptions, db.opts.OverflowThreshold, m.pageSize)
		}
	}
	db.setGeometry()
	db.adopt(m)
	if err := db.loadFreelist(m); err != nil {
		return err
	}
	haveLog, newerLog := false, false
	for _, n := range names {
		num, ok := parseWalName(n)
		haveLog = haveLog || (ok && num == m.walNum)
		newerLog = newerLog || (ok && num > m.walNum)
	}
	if !haveLog && newerLog {
		// Checkpoint m's log is removed only once a newer meta page is
		// durable: that meta page has been damaged since.
		return kv.Corruptf(vfs.Join(db.dir, metaFileName), -1,
			"btree: the newest valid meta page (checkpoint %d) names log %d, which a later checkpoint removed: a newer meta page is damaged", m.checkpoint, m.walNum)
	}
	var logs []uint64 // the logs after checkpoint m, replayed in order
	for _, n := range names {
		num, ok := parseWalName(n)
		switch {
		case ok && num < m.walNum:
			if !db.opts.ReadOnly {
				_ = db.fs.Remove(vfs.Join(db.dir, n)) // obsolete: older than the checkpoint
			}
		case ok:
			logs = append(logs, num)
		}
	}
	return db.replay(logs)
}

func (db *DB) setGeometry() {
	db.ps = db.opts.PageSize
	db.threshold = db.opts.threshold()
	db.maxKey = maxKeySize(db.ps)
	db.pool = newPool(db.opts.poolFrames())
}

// adopt makes checkpoint m the current state.
func (db *DB) adopt(m meta) {
	db.meta = m
	db.root, db.height = m.root, int(m.height)
	db.keys, db.liveBytes = int64(m.keys), int64(m.liveBytes)
	db.leafPages, db.branchPages = int64(m.leafPages), int64(m.branchPages)
	db.ovfPages, db.leafBytes = int64(m.overflowPages), int64(m.leafBytes)
	db.walNum = m.walNum
	db.alloc = newAllocator(pgid(m.pageCount))
}

// readMeta returns the newest valid meta slot; found is false when neither
// slot holds a valid one.
func (db *DB) readMeta() (meta, bool, [2]error, error) {
	slots, errs, err := readMetaSlots(db.metaf)
	if err != nil {
		return meta{}, false, errs, err
	}
	best, found := newestMeta(slots, errs)
	return best, found, errs, nil
}

// create initializes an empty store: an empty root leaf (page 1), the
// first checkpoint's meta page and log 1.
func (db *DB) create() error {
	db.setGeometry()
	if err := db.pages.Truncate(0); err != nil {
		return fmt.Errorf("btree: create: %w", err)
	}
	root := &node{pgno: 1, leaf: true, size: pageHeaderSize}
	buf := make([]byte, db.ps)
	encodeNode(root, buf)
	if _, err := db.pages.WriteAt(buf, 0); err != nil {
		return fmt.Errorf("btree: create: %w", err)
	}
	if err := db.pages.Sync(); err != nil {
		return fmt.Errorf("btree: create: %w", err)
	}
	m := meta{pageSize: uint32(db.ps), checkpoint: 1, root: 1, height: 1, pageCount: 2, walNum: 1,
		leafPages: 1, leafBytes: pageHeaderSize}
	// The first meta file is written aside and renamed into place, so that
	// a crash leaves the meta file absent, empty or complete: Open creates
	// a store afresh only when it is absent or empty.
	metaName := vfs.Join(db.dir, metaFileName)
	tmpName := metaName + ".tmp"
	if err := db.metaf.Close(); err != nil {
		return fmt.Errorf("btree: create: %w", err)
	}
	db.metaf = nil
	tmp, err := db.fs.Create(tmpName, vfs.KindBTreeMeta)
	if err != nil {
		return fmt.Errorf("btree: create: %w", err)
	}
	_, err = tmp.WriteAt(m.encode(), metaSlotSize)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = db.fs.Rename(tmpName, metaName)
	}
	if err == nil {
		err = db.fs.SyncDir(db.dir)
	}
	if err != nil {
		return fmt.Errorf("btree: create: %w", err)
	}
	if db.metaf, err = db.fs.OpenReadWrite(metaName, vfs.KindBTreeMeta); err != nil {
		return fmt.Errorf("btree: create: %w", err)
	}
	db.adopt(m)
	w, err := wal.Create(db.fs, walName(db.dir, 1), 1, wal.Options{})
	if err != nil {
		return fmt.Errorf("btree: create: %w", err)
	}
	db.wal = w
	return nil
}

// loadFreelist reads checkpoint m's free list into the allocator.
func (db *DB) loadFreelist(m meta) error {
	seen := map[pgid]bool{}
	buf := make([]byte, db.ps)
	for pg := m.freelist; pg != 0; {
		if uint64(pg) >= m.pageCount || seen[pg] {
			return db.corrupt(pg, pageErrorf(pg, "free-list page out of range or listed twice"))
		}
		seen[pg] = true
		if err := db.readPage(pg, buf); err != nil {
			return err
		}
		ids, next, err := decodeFreelist(buf, pg)
		if err != nil {
			return db.corrupt(pg, err)
		}
		for _, id := range ids {
			if id == 0 || uint64(id) >= m.pageCount || seen[id] {
				return db.corrupt(pg, pageErrorf(pg, "free page %d out of range or listed twice", id))
			}
			seen[id] = true
			db.alloc.free.ReplaceOrInsert(id)
		}
		db.flPages = append(db.flPages, pg)
		pg = next
	}
	return nil
}

// replay applies the writes logged after the checkpoint and reopens the
// last log for appending. logs holds the numbers of the logs at or after
// the checkpoint's: its own and, when a background checkpoint was
// interrupted before its meta page became durable, the one writers had
// switched to at its freeze (see checkpoint.go), which must follow without
// a gap. The old log was durable before the new one took a write, so
// replaying both in order restores a prefix of the acknowledged writes.
func (db *DB) replay(logs []uint64) error {
	slices.Sort(logs)
	if db.opts.ReadOnly && (len(logs) == 0 || logs[0] != db.walNum) {
		return nil // nothing was acknowledged after the checkpoint
	}
	if len(logs) == 0 || logs[0] != db.walNum {
		// The log was created by the checkpoint but its name never became
		// durable: nothing was acknowledged in it (nor in a later one,
		// which is created only after it is synced).
		for _, num := range logs {
			_ = db.fs.Remove(walName(db.dir, num))
		}
		w, err := wal.Create(db.fs, walName(db.dir, db.walNum), db.walNum, wal.Options{})
		if err != nil {
			return fmt.Errorf("btree: open: %w", err)
		}
		db.wal = w
		return nil
	}
	for i, num := range logs {
		if num != db.walNum+uint64(i) {
			return kv.Corruptf(walName(db.dir, num), -1, "btree: log %d follows log %d: a log between them is missing", num, logs[i-1])
		}
	}
	var b kv.Batch
	var end wal.EndInfo
	for _, num := range logs {
		name := walName(db.dir, num)
		var err error
		end, err = wal.Replay(db.fs, name, num, wal.ReaderOptions{}, func(rec []byte, _ wal.Pos) error {
			if err := b.SetRepr(rec); err != nil {
				return err
			}
			if err := db.applyBatch(&b); err != nil {
				return err
			}
			db.logged++
			if db.opts.ReadOnly {
				return nil // changed pages stay in the pool
			}
			return db.writeBack()
		})
		if err != nil {
			return fmt.Errorf("btree: replay %s: %w", name, err)
		}
	}
	if db.opts.ReadOnly {
		db.noteFree()
		return nil
	}
	last := logs[len(logs)-1]
	w, err := wal.OpenAppend(db.fs, walName(db.dir, last), last, end, wal.Options{})
	if err != nil {
		return fmt.Errorf("btree: open: %w", err)
	}
	db.wal, db.walNum = w, last
	db.noteFree()
	return nil
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

// readPage reads page pg into buf.
func (db *DB) readPage(pg pgid, buf []byte) error {
	if run, ok := db.roOverflow[pg]; ok && len(run) == len(buf) {
		copy(buf, run)
		return nil
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

// readNode returns the node of page pg, from the pool or the file.
func (db *DB) readNode(pg pgid) (*node, error) {
	if n := db.pool.get(pg); n != nil {
		return n, nil
	}
	if pg == 0 {
		return nil, db.corrupt(pg, pageErrorf(pg, "null page reference"))
	}
	buf := make([]byte, db.ps)
	if err := db.readPage(pg, buf); err != nil {
		return nil, err
	}
	n, err := decodeNode(buf, pg)
	if err != nil {
		return nil, db.corrupt(pg, err)
	}
	return db.pool.addClean(n), nil
}

// rootNode returns the root's node, through rootCache when it is valid.
func (db *DB) rootNode() (*node, error) {
	if c := db.rootCache.Load(); c != nil && c.pgno == db.root && !c.evicted.Load() {
		touch(c)
		db.pool.hits.Add(1)
		return c, nil
	}
	c, err := db.readNode(db.root)
	if err == nil {
		db.rootCache.Store(c)
	}
	return c, err
}

// child returns the node of branch p's child i, through p's kidCache when
// the node found there last time is still the pool's.
func (db *DB) child(p *node, i int) (*node, error) {
	pg := p.kids[i]
	if i < len(p.kidCache) {
		if w := p.kidCache[i].Load(); w != nil {
			if c := w.Value(); c != nil && c.pgno == pg && !c.evicted.Load() {
				touch(c)
				db.pool.hits.Add(1)
				return c, nil
			}
		}
	}
	c, err := db.readNode(pg)
	if err == nil && i < len(p.kidCache) && c.weakSelf != nil {
		p.kidCache[i].Store(c.weakSelf)
	}
	return c, err
}

// readValue returns a copy of leaf cell i's value.
func (db *DB) readValue(n *node, i int) ([]byte, error) {
	ref := n.ovf[i]
	if ref.pg == 0 {
		return append(make([]byte, 0, len(n.vals[i])), n.vals[i]...), nil
	}
	cnt := ref.pages(db.ps)
	buf := make([]byte, cnt*db.ps)
	if err := db.readPage(ref.pg, buf); err != nil {
		return nil, err
	}
	out := make([]byte, 0, ref.n)
	for j := range cnt {
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
func (db *DB) Get(key []byte) ([]byte, error) {
	db.tmu.RLock()
	defer db.tmu.RUnlock()
	if db.closed.Load() {
		return nil, kv.ErrClosed
	}
	db.st.gets.Add(1)
	n, err := db.rootNode()
	touched := int64(1)
	for err == nil && !n.leaf {
		n, err = db.child(n, n.childIndex(key))
		touched++
	}
	db.st.blocksTouched.Add(touched)
	if err != nil {
		return nil, err
	}
	i, found := n.search(key)
	if !found {
		return nil, kv.ErrNotFound
	}
	v, err := db.readValue(n, i)
	if err != nil {
		return nil, err
	}
	db.st.getHits.Add(1)
	db.st.userRead.Add(int64(len(key) + len(v)))
	return v, nil
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
	db.version++
	db.tmu.Unlock()
	if err != nil {
		err = db.failLocked(fmt.Errorf("btree: apply: %w", err))
		db.wmu.Unlock()
		return err
	}
	db.countBatch(b)
	if w.Size() >= db.opts.CheckpointSize {
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

// triggerCheckpointLocked is called by a write that found the log w full:
// it starts a background checkpoint, unless one is running. When the
// running one has already switched logs (w is the new epoch's log, full
// too), the write waits for it before starting the next: the dirty budget
// (see checkpoint.go). The caller holds wmu.
func (db *DB) triggerCheckpointLocked(w *wal.Writer) error {
	if db.ckptState == ckptWriting {
		db.waitCheckpointLocked()
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
}

// noteFree publishes the number of free pages for Stats; the caller holds
// wmu (or is Open).
func (db *DB) noteFree() {
	db.freePages.Store(int64(db.alloc.free.Len() + len(db.alloc.pending)))
}

// failLocked records an unrecoverable error: from now on writes fail with
// kv.ErrReadOnly wrapped around it. It returns that error.
func (db *DB) failLocked(cause error) error {
	if db.roErr == nil {
		db.roErr = fmt.Errorf("%w after an earlier error: %w", kv.ErrReadOnly, cause)
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

// Checkpoint writes every page changed since the last checkpoint to the
// pages file, flips the meta page and starts a new, empty log. Writes
// trigger checkpoints on their own (Options.CheckpointSize) and Close runs
// one; calling it is needed only to bound recovery time or before Check.
func (db *DB) Checkpoint() error {
	db.wmu.Lock()
	defer db.wmu.Unlock()
	if db.closed.Load() {
		return kv.ErrClosed
	}
	defer db.noteFree()
	return db.checkpointLocked()
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
	return err
}

func (db *DB) closeFiles() {
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
