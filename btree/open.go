package btree

import (
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/kvlab/kvlab/internal/notify"
	"github.com/kvlab/kvlab/internal/storedir"
	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/vfs"
	"github.com/kvlab/kvlab/wal"
)

// FormatVersion is the version of the store's format recorded in its
// marker (docs/format/store.md) and meta page (docs/format/btree.md). Open
// refuses a store of a newer version with an error wrapping
// kv.ErrUnsupportedVersion.
const FormatVersion = formatVersion

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
	db := &DB{fs: acct, acct: acct, dir: dir, opts: o, note: notify.New(Name, o.EventListener, o.Logger)}
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
		if db.pool != nil {
			db.pool.close()
		}
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
	if (db.opts.ReadOnly || db.opts.MustExist) && metaSize == 0 {
		// Only a marker, or leftovers of a creation that crashed.
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
	if err := db.setGeometry(); err != nil {
		return err
	}
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

func (db *DB) setGeometry() error {
	db.ps = db.opts.PageSize
	db.threshold = db.opts.threshold()
	db.maxKey = maxKeySize(db.ps)
	var err error
	if db.pool, err = newPool(db.opts.poolFrames(), db.ps); err != nil {
		return err
	}
	return db.initMapping()
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
	db.alloc.unpin = func(pg pgid) { db.unpinned = append(db.unpinned, pg) }
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
	if err := db.setGeometry(); err != nil {
		return err
	}
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
		db.noteFree()
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
