package btree

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/kvlab/kvlab/internal/storedir"
	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/vfs"
)

var (
	_ kv.Flusher      = (*DB)(nil)
	_ kv.Compacter    = (*DB)(nil)
	_ kv.Checkpointer = (*DB)(nil)
)

// Flush implements kv.Flusher: it runs a checkpoint, which writes every
// page changed since the last one to the pages file, flips the meta page
// and starts a new, empty log. Writes trigger checkpoints on their own
// (Options.CheckpointSize) and Close runs one; calling it is needed only to
// bound recovery time or before Check, which verifies the last checkpoint.
func (db *DB) Flush() error {
	db.wmu.Lock()
	defer db.wmu.Unlock()
	if db.closed.Load() {
		return kv.ErrClosed
	}
	defer db.noteFree()
	return db.checkpointLocked()
}

// Compact implements kv.Compacter: it rewrites the tree so that its pages
// fill the start of the pages file, and shrinks the file to them. Pages
// (and overflow runs) lying where the file would end are copied, with
// their ancestors, to the lowest free pages; two checkpoints later the
// pages they left are free at the end of the file, which the checkpoint
// cuts off. It repeats while the file shrinks. The whole tree is
// compacted: the pages of a key range are not contiguous in the file, so
// start and end narrow nothing. Writers wait meanwhile; readers do not.
func (db *DB) Compact(start, end []byte) error {
	db.wmu.Lock()
	defer db.wmu.Unlock()
	defer db.noteFree()
	for range 4 {
		if db.closed.Load() {
			return kv.ErrClosed
		}
		// Two checkpoints: the first frees what the last one left
		// pending, the second what the first did.
		for range 2 {
			if err := db.checkpointLocked(); err != nil {
				return err
			}
		}
		before := db.alloc.pageCount
		live := before - pgid(db.alloc.free.Len())
		db.tmu.Lock()
		_, err := db.relocate(db.root, live)
		db.version.Add(1)
		db.tmu.Unlock()
		if err != nil {
			return db.failLocked(fmt.Errorf("btree: compact: %w", err))
		}
		for range 2 {
			if err := db.checkpointLocked(); err != nil {
				return err
			}
		}
		if db.alloc.pageCount >= before {
			return nil
		}
	}
	return nil
}

// relocate copies the subtree at page pg so that no page of it lies at or
// above limit where a free page below it exists; it returns the subtree's
// page number afterwards (pg when nothing moved). The caller holds wmu and
// tmu for writing.
func (db *DB) relocate(pg pgid, limit pgid) (pgid, error) {
	n, err := db.readNode(pg)
	if err != nil {
		return 0, err
	}
	moved := false
	writable := func() {
		if !moved {
			n = db.cow(n)
			moved = true
		}
	}
	if n.pgno >= limit && db.freeBelow(n.pgno) {
		writable()
	}
	if n.leaf {
		for i := range n.count() {
			_, ref := n.value(i)
			if ref.pg == 0 || ref.pg < limit || !db.freeBelow(ref.pg) {
				continue
			}
			v, err := db.readValue(n, i)
			if err != nil {
				return 0, err
			}
			writable()
			nref, err := db.writeOverflow(v)
			if err != nil {
				return 0, err
			}
			db.releaseOverflow(ref)
			n.setLeaf(i, false, n.key(i), nil, nref)
		}
	} else {
		for i := range n.kids {
			kid, err := db.relocate(n.kids[i], limit)
			if err != nil {
				return 0, err
			}
			if kid != n.kids[i] {
				writable()
				n.kids[i] = kid
			}
		}
	}
	if moved {
		db.recount(n) // the pool's count of its bytes
	}
	if n.pgno != pg && pg == db.root {
		db.root = n.pgno
	}
	return n.pgno, nil
}

// freeBelow reports whether a free page lies below pg.
func (db *DB) freeBelow(pg pgid) bool {
	m, ok := db.alloc.free.Min()
	return ok && m < pg
}

// Checkpoint implements kv.Checkpointer: it runs a checkpoint and copies
// the pages file and the meta file to destDir, with the store's marker; the
// copy opens as a store holding every write acknowledged before the call.
// Writers wait while the files are copied; readers do not. destDir must
// not exist or be empty; it is created.
func (db *DB) Checkpoint(destDir string) error {
	return db.note.CheckpointCopy(destDir, db.checkpointTo)
}

// checkpointTo is Checkpoint without the events.
func (db *DB) checkpointTo(destDir string) error {
	db.wmu.Lock()
	defer db.wmu.Unlock()
	if db.closed.Load() {
		return kv.ErrClosed
	}
	if db.opts.ReadOnly {
		return errOpenedReadOnly
	}
	names, err := db.fs.List(destDir)
	switch {
	case errors.Is(err, vfs.ErrNotExist):
		if err := db.fs.MkdirAll(destDir); err != nil {
			return fmt.Errorf("btree: checkpoint: %w", err)
		}
	case err != nil:
		return fmt.Errorf("btree: checkpoint: %w", err)
	case len(names) > 0:
		return fmt.Errorf("btree: checkpoint to %s: %w: the directory is not empty", destDir, fs.ErrExist)
	}
	if err := db.checkpointLocked(); err != nil {
		return err
	}
	db.noteFree()
	// With wmu held no write, write-back or checkpoint changes the files.
	if err := storedir.Write(db.fs, destDir, storedir.Marker{Engine: Name, Format: FormatVersion}); err != nil {
		return fmt.Errorf("btree: checkpoint: %w", err)
	}
	if err := vfs.Copy(db.fs, db.pagesName, vfs.Join(destDir, pagesFileName), vfs.KindBTreePages); err != nil {
		return fmt.Errorf("btree: checkpoint: %w", err)
	}
	// The meta file last, aside then renamed: a copy cut short has no
	// meta file and does not open as a store.
	tmp := vfs.Join(destDir, metaFileName+".tmp")
	if err := vfs.Copy(db.fs, vfs.Join(db.dir, metaFileName), tmp, vfs.KindBTreeMeta); err != nil {
		return fmt.Errorf("btree: checkpoint: %w", err)
	}
	if err := db.fs.Rename(tmp, vfs.Join(destDir, metaFileName)); err != nil {
		return fmt.Errorf("btree: checkpoint: %w", err)
	}
	if err := db.fs.SyncDir(destDir); err != nil {
		return fmt.Errorf("btree: checkpoint: %w", err)
	}
	return nil
}
