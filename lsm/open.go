package lsm

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"sort"
	"sync"

	"github.com/kvlab/kvlab/internal/base"
	"github.com/kvlab/kvlab/internal/notify"
	"github.com/kvlab/kvlab/internal/storedir"
	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/lsm/compaction"
	"github.com/kvlab/kvlab/lsm/manifest"
	"github.com/kvlab/kvlab/memtable"
	"github.com/kvlab/kvlab/sstable"
	"github.com/kvlab/kvlab/vfs"
	"github.com/kvlab/kvlab/wal"
)

// FormatVersion is the version of the store's format recorded in its
// marker (docs/format/store.md, docs/format/lsm.md). Open refuses a store
// of a newer version with an error wrapping kv.ErrUnsupportedVersion.
const FormatVersion = 1

// Open opens the store in dir on fsys (vfs.Default when nil), creating it
// if dir holds none (unless o.MustExist or o.ReadOnly). Before it creates
// or locks anything it checks the directory: one holding another engine's
// store or files that are not the LSM's is refused with an error wrapping
// kv.ErrForeignStore that names them, a store of a newer format with one
// wrapping kv.ErrUnsupportedVersion. A new store gets its marker first; a
// store made before markers existed gets one on its first read-write Open.
//
// Open locks the directory (a second Open fails with an error wrapping
// vfs.ErrLocked until Close), recovers the tree from the manifest, replays
// the WALs newer than the last flush into L0 tables, and removes files an
// interrupted flush or compaction left behind. With o.ReadOnly it does none
// of the writing: see Options.ReadOnly.
func Open(fsys vfs.FS, dir string, o Options) (*DB, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	if fsys == nil {
		fsys = vfs.Default
	}
	acct := vfs.NewAccounting(fsys)
	own := func(name string) bool { _, _, ok := manifest.ParseFileName(name); return ok }
	st, err := storedir.Check(acct, dir, Name, FormatVersion, own, storedir.Mode{ReadOnly: o.ReadOnly, MustExist: o.MustExist})
	if err != nil {
		return nil, fmt.Errorf("lsm: open: %w", err)
	}
	if !st.Exists {
		if err := acct.MkdirAll(dir); err != nil {
			return nil, fmt.Errorf("lsm: create %s: %w", dir, err)
		}
	}
	var lock io.Closer = nopCloser{}
	if !o.ReadOnly || st.HasLock {
		lock, err = acct.Lock(manifest.LockFileName(dir))
		if err != nil {
			if errors.Is(err, vfs.ErrLocked) {
				return nil, fmt.Errorf("lsm: %s is in use: %w", dir, err)
			}
			return nil, fmt.Errorf("lsm: lock %s: %w", manifest.LockFileName(dir), err)
		}
	}
	if !o.ReadOnly && !st.Marker {
		if err := storedir.Write(acct, dir, storedir.Marker{Engine: Name, Format: FormatVersion}); err != nil {
			lock.Close()
			return nil, fmt.Errorf("lsm: open: %w", err)
		}
	}
	db := &DB{
		fs:             acct,
		acct:           acct,
		dir:            dir,
		opts:           o,
		lock:           lock,
		pendingOutputs: map[uint64]struct{}{},
		compacting:     map[uint64]bool{},
		liveStates:     map[*readState]struct{}{},
		note:           notify.New(Name, o.EventListener, o.Logger),
	}
	db.bgCond = sync.NewCond(&db.mu)
	db.queueDrained = sync.NewCond(&db.wmu)
	if o.BlockCacheSize > 0 {
		db.cache = sstable.NewCache(o.BlockCacheSize)
	}
	db.tables = newTableCache(acct, dir, db.cache)
	db.copts = compaction.Options{
		L0CompactionThreshold: o.L0CompactionTrigger,
		L1TargetSize:          uint64(o.L1TargetSize),
		LevelRatio:            o.LevelRatio,
		TargetFileSize:        uint64(o.TargetFileSize),
	}
	db.picker = compaction.NewPicker(db.copts)
	if err := db.recover(); err != nil {
		db.tables.close()
		if db.manifest != nil {
			db.manifest.Close()
		}
		if db.log != nil {
			db.log.Close()
		}
		lock.Close()
		return nil, err
	}
	if o.ReadOnly {
		return db, nil // no background work: nothing may be written
	}
	db.bgDone.Add(2)
	go db.flushLoop()
	go db.compactLoop()
	return db, nil
}

// recover loads or creates the manifest, replays the logs and starts a new
// WAL.
func (db *DB) recover() error {
	st, err := manifest.Load(db.fs, db.dir)
	if err != nil {
		st = nil
	}
	switch {
	case errors.Is(err, fs.ErrNotExist) && (db.opts.ReadOnly || db.opts.MustExist):
		// Only a marker, or leftovers of a creation that crashed.
		return fmt.Errorf("lsm: %s: %w: it has no CURRENT file", db.dir, kv.ErrNoStore)
	case errors.Is(err, fs.ErrNotExist):
		// A new store. Files without a CURRENT are leftovers of an Open
		// that crashed before it created the first manifest: nothing in
		// them was ever acknowledged.
		db.version = &manifest.Version{}
		db.nextFileNum = 2
		snap := db.version.Snapshot()
		snap.LogNum, snap.HasLogNum = 0, true
		snap.NextFileNum, snap.HasNextFileNum = db.nextFileNum, true
		snap.LastSeq, snap.HasLastSeq = 0, true
		w, err := manifest.Create(db.fs, db.dir, 1, snap)
		if err != nil {
			return fmt.Errorf("lsm: create manifest: %w", err)
		}
		db.manifest = w
		db.logNum = 0
		// Files left by the crashed Open are removed below; logs among
		// them must not be replayed.
		if err := db.removeStrays(); err != nil {
			return err
		}
	case err != nil:
		return fmt.Errorf("lsm: load manifest: %w", err)
	default:
		db.version = st.Version
		db.logNum = st.LogNum
		db.nextFileNum = st.NextFileNum
		db.lastSeq = base.SeqNum(st.LastSeq)
		if !db.opts.ReadOnly {
			w, err := manifest.OpenAppend(db.fs, db.dir, st)
			if err != nil {
				return fmt.Errorf("lsm: open manifest: %w", err)
			}
			db.manifest = w
		}
	}

	names, err := db.fs.List(db.dir)
	if err != nil {
		return fmt.Errorf("lsm: list %s: %w", db.dir, err)
	}
	if st != nil {
		// Nothing is deleted below before the directory is shown to be
		// what the recovered version says it is.
		if err := db.verifyDirectory(st, names); err != nil {
			return err
		}
	}
	var logs []uint64
	for _, name := range names {
		typ, num, ok := manifest.ParseFileName(name)
		if !ok {
			continue
		}
		if num >= db.nextFileNum {
			db.nextFileNum = num + 1
		}
		if typ == manifest.TypeLog && num >= db.logNum {
			logs = append(logs, num)
		}
	}
	sort.Slice(logs, func(i, j int) bool { return logs[i] < logs[j] })

	// Replay the logs into memtables, writing a table whenever one fills.
	edit := &manifest.VersionEdit{}
	mem := memtable.New()
	var roMems []*memTable // ReadOnly: the replayed memtables, oldest first
	flushMem := func() error {
		if mem.Empty() {
			return nil
		}
		if db.opts.ReadOnly {
			roMems = append(roMems, &memTable{Memtable: mem})
			mem = memtable.New()
			return nil
		}
		meta, err := db.writeMemtable(&memTable{Memtable: mem})
		if err != nil {
			return fmt.Errorf("lsm: recovery flush: %w", err)
		}
		edit.Added = append(edit.Added, manifest.NewTable{Level: 0, Meta: meta})
		db.stats.flushes.Add(1)
		db.stats.flushBytes.Add(int64(meta.Size))
		db.stats.level[0].bytesIn.Add(int64(meta.Size))
		db.stats.level[0].bytesWritten.Add(int64(meta.Size))
		mem = memtable.New()
		return nil
	}
	var b kv.Batch
	var prevEnd base.SeqNum // the last sequence number of the previous record; 0 before the first
	for i, num := range logs {
		name := manifest.LogFileName(db.dir, num)
		end, err := wal.Replay(db.fs, name, num, wal.ReaderOptions{}, func(rec []byte, pos wal.Pos) error {
			if len(rec) < walRecordHeader {
				return kv.Corruptf(name, pos.Offset, "lsm: WAL record of %d bytes is shorter than its header", len(rec))
			}
			seq := base.SeqNum(binary.LittleEndian.Uint64(rec))
			if err := b.SetRepr(rec[walRecordHeader:]); err != nil {
				return fmt.Errorf("lsm: %s at %d: %w", name, pos.Offset, err)
			}
			if b.Empty() {
				return nil
			}
			if seq == 0 || seq > base.MaxSeqNum || base.SeqNum(b.Len()-1) > base.MaxSeqNum-seq {
				return kv.Corruptf(name, pos.Offset, "lsm: WAL record of %d operations at sequence number %d is out of range", b.Len(), seq)
			}
			// Records carry consecutive sequence numbers, from one log
			// to the next: a gap means records were lost.
			if prevEnd != 0 && seq != prevEnd+1 {
				return kv.Corruptf(name, pos.Offset, "lsm: WAL record at sequence number %d does not follow sequence number %d of the record before it", seq, prevEnd)
			}
			prevEnd = seq + base.SeqNum(b.Len()) - 1
			if err := mem.ApplyBatch(&b, seq); err != nil {
				if !errors.Is(err, memtable.ErrRecordExists) {
					return fmt.Errorf("lsm: replay %s at %d: %w", name, pos.Offset, err)
				}
			}
			if last := seq + base.SeqNum(b.Len()) - 1; last > db.lastSeq {
				db.lastSeq = last
			}
			if mem.ApproximateSize() >= db.opts.MemtableSize {
				return flushMem()
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("lsm: replay WAL: %w", err)
		}
		if end.Reason == wal.EndTornTail && !db.opts.ReadOnly {
			// Only the newest log can end torn: an older one was closed,
			// and so synced, before the next was created.
			if i < len(logs)-1 {
				return kv.Corruptf(name, end.Offset, "lsm: WAL %06d ends in a damaged record, but it is not the newest log (%06d follows)", num, logs[i+1])
			}
			// Cut the torn tail off before a newer log exists, so that
			// the next recovery does not find an older log ending torn.
			lw, err := wal.OpenAppend(db.fs, name, num, end, wal.Options{})
			if err != nil {
				return fmt.Errorf("lsm: truncate the torn tail of %s: %w", name, err)
			}
			if err := lw.Close(); err != nil {
				return fmt.Errorf("lsm: truncate the torn tail of %s: %w", name, err)
			}
		}
	}
	if err := flushMem(); err != nil {
		return err
	}
	db.visibleSeq.Store(uint64(db.lastSeq))
	if db.opts.ReadOnly {
		// Serve the replayed writes from memory: the newest memtable is
		// the active one (never written to), the others wait for a flush
		// that never comes.
		db.mem = newMemTable(0, db.opts.MemtableSize)
		if n := len(roMems); n > 0 {
			db.mem, roMems = roMems[n-1], roMems[:n-1]
		}
		db.mu.Lock()
		db.imms = roMems
		db.installReadStateLocked()
		db.mu.Unlock()
		return nil
	}

	// Start the new WAL, then record the recovered tables and the new log
	// number in one edit: after it, the replayed logs are obsolete.
	db.mu.Lock()
	err = db.startLogLocked()
	if err == nil {
		db.installReadStateLocked()
	}
	db.mu.Unlock()
	if err != nil {
		return err
	}
	// The new log's name must be durable before the manifest names it:
	// recovery takes a missing log at the manifest's log number for a sign
	// of a lost edit (verifyDirectory).
	if err := db.log.Sync(); err != nil {
		return fmt.Errorf("lsm: sync new WAL: %w", err)
	}
	edit.LogNum, edit.HasLogNum = db.mem.logNum, true
	if err := db.logAndApply(edit, nil); err != nil {
		return err
	}
	for _, a := range edit.Added {
		delete(db.pendingOutputs, a.Meta.FileNum)
	}
	db.deleteObsoleteFiles()
	return nil
}

// removeStrays deletes the engine's files from a directory that has no
// CURRENT (see recover).
func (db *DB) removeStrays() error {
	names, err := db.fs.List(db.dir)
	if err != nil {
		return fmt.Errorf("lsm: list %s: %w", db.dir, err)
	}
	for _, name := range names {
		typ, _, ok := manifest.ParseFileName(name)
		if !ok {
			continue
		}
		switch typ {
		case manifest.TypeTable, manifest.TypeLog, manifest.TypeTemp:
			if err := db.fs.Remove(vfs.Join(db.dir, name)); err != nil {
				return fmt.Errorf("lsm: remove stray %s: %w", name, err)
			}
		}
	}
	return nil
}

// verifyDirectory checks, before recovery deletes anything, that the
// directory holds what the recovered version st says it should. A manifest
// whose last edits were lost to damage (not to a crash: a crash loses only
// an edit that was never synced, and nothing an unsynced edit describes has
// been deleted yet) reads as an older version; deleting the files that only
// the lost edits name would lose data silently. So:
//
//   - every table the version names must exist with the size it records
//     (tables are deleted only after an edit removing them is durable);
//   - the log at the version's log number must exist (a log is deleted only
//     after an edit naming a newer log number is durable, and the manifest
//     names a log only once its name is durable); log number 0 is the new
//     store's, whose first log was never named;
//   - a version with log number 0 is that of a store whose first Open did
//     not finish: no table can exist yet.
//
// Any other finding is an error wrapping kv.ErrCorruption naming the
// manifest (or the table whose size is wrong).
func (db *DB) verifyDirectory(st *manifest.State, names []string) error {
	mname := manifest.ManifestFileName(db.dir, st.ManifestNum)
	present := map[string]bool{}
	for _, n := range names {
		present[n] = true
	}
	for _, lvl := range st.Version.Levels {
		for _, t := range lvl {
			tname := manifest.TableFileName(db.dir, t.FileNum)
			if !present[vfs.Base(tname)] {
				return kv.Corruptf(mname, -1, "lsm: the manifest names table %06d, which is missing (damage, or edits lost from the manifest)", t.FileNum)
			}
			fi, err := db.fs.Stat(tname)
			if err != nil {
				return fmt.Errorf("lsm: stat %s: %w", tname, err)
			}
			if fi.Size() != int64(t.Size) {
				return kv.Corruptf(tname, -1, "lsm: table is %d bytes, the manifest records %d", fi.Size(), t.Size)
			}
		}
	}
	if st.LogNum != 0 {
		if !present[vfs.Base(manifest.LogFileName(db.dir, st.LogNum))] {
			return kv.Corruptf(mname, -1, "lsm: the manifest's log number is %06d, but that WAL is missing: a later edit of the manifest was lost", st.LogNum)
		}
		return nil
	}
	for _, n := range names {
		if typ, num, ok := manifest.ParseFileName(n); ok && typ == manifest.TypeTable {
			return kv.Corruptf(mname, -1, "lsm: the manifest describes a store never opened, but table %06d exists: edits of the manifest were lost", num)
		}
	}
	return nil
}

// nopCloser stands for the lock of a read-only Open of a directory without
// a LOCK file, which it may not create.
type nopCloser struct{}

// Close does nothing.
func (nopCloser) Close() error { return nil }
