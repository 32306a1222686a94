package btree

import (
	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/vfs"
)

// Stats implements kv.Engine. IO counts every byte the store moved by file
// kind (btree-pages, btree-meta, wal); LiveBytes is exact; BlocksTouched
// counts the pages Gets consulted (cache hits included); CacheHits and
// CacheMisses are the buffer pool's (with Options.Mmap, reads of checked
// pages in the mapping count as hits and each page's check as a miss:
// see "Buffer pool" in the package documentation); BTree holds the tree's shape and the
// checkpoint figures (FreePages counts free pages and released ones not
// reusable yet). Extra holds "keys", "pages_read", "pages_written",
// "snapshots" (pinned versions: open snapshots, and closed ones whose
// iterators are still open), "pinned_pages" (pages released while an
// open snapshot could see them and not reusable yet: what open snapshots
// cost in file space) and "mmap" (1 while clean pages are read through a
// mapping of the pages file, Options.Mmap; 0 without one, or after mapping
// failed, when reads fall back to pread).
func (db *DB) Stats() kv.Stats {
	s := kv.Stats{
		Engine: Name,
		Ops: kv.OpStats{
			Gets: db.st.gets.Load(), GetHits: db.st.getHits.Load(),
			Puts: db.st.puts.Load(), Deletes: db.st.deletes.Load(), Batches: db.st.batches.Load(),
			Iterators: db.st.iters.Load(), Seeks: db.st.seeks.Load(), Steps: db.st.steps.Load(),
			RangeDeletes: db.st.rangeDeletes.Load(),
		},
		UserBytesWritten: db.st.userWritten.Load(),
		UserBytesRead:    db.st.userRead.Load(),
		IO:               map[string]kv.IOStats{},
		BlocksTouched:    db.st.blocksTouched.Load(),
	}
	for k, v := range db.acct.Stats() {
		s.IO[string(k)] = kv.IOStats(v)
	}
	if db.pool != nil {
		s.CacheHits, s.CacheMisses = db.pool.hits.Load(), db.pool.misses.Load()
	}
	if size, err := vfs.DirSize(db.fs, db.dir); err == nil {
		s.DiskBytes = size
	}
	db.tmu.RLock()
	bt := &kv.BTreeStats{
		Height:          db.height,
		PageSize:        db.ps,
		LeafPages:       db.leafPages,
		BranchPages:     db.branchPages,
		OverflowPages:   db.ovfPages,
		Checkpoints:     db.st.checkpoints.Load(),
		CheckpointBytes: db.st.checkpointBytes.Load(),
	}
	s.LiveBytes = db.liveBytes
	if db.leafPages > 0 {
		bt.FillFactor = float64(db.leafBytes) / float64(db.leafPages*int64(db.ps))
	}
	db.tmu.RUnlock()
	bt.FreePages = db.freePages.Load()
	ops := s.Ops.Gets + s.Ops.Puts + s.Ops.Deletes + s.Ops.Seeks + s.Ops.Steps
	if ops > 0 {
		bt.PagesReadPerOp = float64(db.st.pagesRead.Load()) / float64(ops)
	}
	if w := s.Ops.Puts + s.Ops.Deletes; w > 0 {
		bt.PagesWrittenPerOp = float64(db.st.pagesWritten.Load()) / float64(w)
	}
	s.BTree = bt
	s.Extra = map[string]float64{
		"keys":          float64(db.keysSnapshot()),
		"pages_read":    float64(db.st.pagesRead.Load()),
		"pages_written": float64(db.st.pagesWritten.Load()),
		"snapshots":     float64(db.snapshots.Load()),
		"pinned_pages":  float64(db.pinnedPages.Load()),
		"mmap":          db.mapped.active(),
	}
	return s
}

func (db *DB) keysSnapshot() int64 {
	db.tmu.RLock()
	defer db.tmu.RUnlock()
	return db.keys
}
