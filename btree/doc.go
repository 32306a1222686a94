// Package btree is kvlab's page-based B+tree engine: a pager and buffer
// pool over one file of fixed-size pages, slotted leaf and branch pages,
// overflow pages for large values, a free list stored in pages, and crash
// safety by checkpoints (shadow paging) plus a write-ahead log, in the
// WiredTiger lineage described in docs/design.md.
//
//	db, err := btree.Open(vfs.Default, dir, btree.DefaultOptions())
//
// # Files
//
// A store's directory holds btree.pages (the pages, file kind
// btree-pages), btree.meta (two meta slots, kind btree-meta), one log
// wal-NNNNNN.log (kind wal) and the LOCK file. docs/format/btree.md
// specifies every byte; format.go holds the constants.
//
// Page n (counting from 1; 0 means "none") sits at offset (n-1)*PageSize.
// Every page but those of overflow runs starts with a 32-byte header
// holding its type, its own page number and a CRC-32C checksum, so a torn,
// stale or misdirected page is detected. Leaves and branches are slotted pages: a slot array of 2-byte
// cell offsets grows up after the header, the cells grow down from the
// end. A leaf cell holds a key and either the value or a reference to an
// overflow run; a branch cell holds a child page and a separator key, and
// the header holds the rightmost child. A value longer than
// Options.OverflowThreshold (by default a quarter page) is stored in a run
// of consecutive overflow pages holding the bare value (a 4 KiB value
// takes one 4 KiB page), checked by a CRC-32C kept in the leaf cell,
// written and read with one I/O. Free pages
// are listed in a chain of free-list pages.
//
// # Limits
//
// The largest key is (PageSize-32)/4 - 16 bytes (232 for 1 KiB pages, 1000
// for 4 KiB, 16360 for 64 KiB; Options.MaxKeySize): with it a leaf always
// holds two cells and a branch three separators. Longer keys fail with
// kv.ErrKeyTooLarge (a *kv.SizeError giving the limit). Values may be as
// long as kv.MaxValueSize.
//
// # Writes and checkpoints
//
// One writer at a time (a mutex) logs each batch's encoding (kv.Batch.Repr)
// to the WAL, then applies it to the tree under the tree's write lock.
// Synced writes wait for the log's fsync after releasing the writer mutex,
// so concurrent synced writers share fsyncs (the wal package's group
// commit). Pages are changed in the buffer pool only.
//
// Shadow paging keeps the last checkpoint intact on disk: a page that
// belongs to it is never modified; the first change after a checkpoint
// copies it to a newly allocated page number, and its parent (up to the
// root) then changes too. Pages released since the last checkpoint become
// reusable only after the next checkpoint is durable (and after every open
// snapshot that can see them is released); pages allocated and released
// between two checkpoints, with no snapshot taken in between, are reusable
// at once.
//
// A checkpoint runs when the log passes Options.CheckpointSize, when the
// pages released since the last one (the shadow copies' originals, not
// reusable until the next checkpoint is durable) reach the shadow budget,
// 1/8 of the tree's pages and at least 256, on Flush and on Close, in
// three phases (checkpoint.go). The freeze,
// under the writer mutex, lays out the new free list, lists the dirty
// pages, syncs the old log, creates the next one and switches writers to
// it, and starts a new epoch: from then on the listed pages count as
// belonging to a checkpoint, so writers copy them on write instead of
// changing them. The write phase, which needs no lock, writes the free list
// and every listed page to its (fresh) location, syncs the pages file, then
// writes the meta page into the slot the previous checkpoint did not use
// and syncs it. The completion, under the writer mutex, deletes the old
// log, makes the pages released before the freeze free, and truncates free
// pages off the end of the file.
//
// A checkpoint a write triggers runs its write phase on a background
// goroutine: the write that crosses the threshold pays only for the freeze
// (listing the dirty pages and a short log sync), and writers go on into
// the new log meanwhile. If that log too reaches CheckpointSize, or its
// released pages the shadow budget, before the checkpoint completes, the
// writer that finds it so waits for it, so at most two epochs of dirty
// pages exist at once (the dirty budget), and the pages file holds at most
// the tree plus about three budgets of released pages: the file's size
// follows the tree, not the log size (space amplification about that of
// bbolt, which frees pages at each commit).
//
// Open takes the newest meta slot whose checksum holds and replays its log,
// and the next one if a checkpoint was interrupted after its freeze. A
// crash at any point therefore finds either the old checkpoint and its
// log(s) or the new checkpoint and its (new) log, never a damaged tree: a
// torn page write can only hit a page no durable checkpoint uses, and the
// old log is durable before the new one takes a write.
//
// Every freeze starts a new epoch (so does taking a snapshot: see
// Snapshots below).
//
// The file shrinks by the free pages at its end; pages in use are not
// moved, so an emptied tree gives its space back once later writes have
// copied the remaining pages to lower page numbers.
//
// # Splits and merges
//
// A page over the page size splits in two, balanced by bytes; when a key is
// appended at the end of the rightmost leaf (sorted input), the split
// leaves the left page full instead, so sorted loads fill pages to nearly
// 100 % (Stats().BTree.FillFactor). After a delete, a page under a quarter
// full is merged with a sibling when both fit one page, or the two share
// their cells evenly otherwise; a root branch left with one child is
// removed, so a tree emptied by deletes shrinks back to one empty leaf and
// frees every other page.
//
// # Range deletes
//
// A batch's DeleteRange(start, end) is applied in batch order, in steps
// (rangedel.go): each descends toward the lowest key of the range that may
// remain; when a branch's child on the way lies entirely inside the range
// (by the separators around it), the child leaves its parent with its whole
// subtree, whose pages and overflow runs are released (its leaves are read
// for the key and byte counts, overflow values are not); otherwise the
// leaf's cells in the range are removed. After each step the path is fixed
// as after a delete (merges, redistribution, root collapse), so the tree is
// valid throughout. A range over many leaves thus copies on write only the
// pages along its two edges. Stats().Ops.RangeDeletes counts them.
//
// The leaves carry no sibling links: with shadow paging, moving a leaf to
// a new page would change its left neighbour's link, and so on along the
// whole leaf level (LMDB and bbolt omit them for the same reason).
// Iterators instead keep the root-to-leaf path and step to the next leaf
// through its lowest branch, which costs no I/O beyond the leaf itself.
//
// # Buffer pool
//
// The pool (pool.go) has Options.PoolSize/PageSize frames of raw page
// bytes in one arena allocated once, outside the Go heap on Linux (an
// anonymous mapping), so resident memory for clean pages is the pool size
// however many pages pass through it, and the garbage collector neither
// scans the frames nor counts them toward its heap goal. Readers never
// decode a page: they search its bytes in place (pageView, as bbolt and
// LMDB search their memory map); a page read from the file has its
// checksum and its whole structure (every slot, length and flag) checked
// once, before it enters a frame, so the in-place accessors cannot run off
// a page. A pool miss is one pread of one page into a frame (no decode, no
// allocation); with Options.Mmap there are no misses of that kind (below).
// A reader pins the frame it reads and unpins it when done;
// the clock algorithm evicts unpinned frames not referenced since the hand
// last passed (a branch page gets two more passes than a leaf: every reader
// under it goes through it); a frame whose page the writer replaces or frees while it is
// pinned is detached from the table and reused once unpinned, so the bytes
// a reader holds never change under it.
//
// Dirty pages (changed since they were last written) are held as nodes,
// the writer's form, on the Go heap: a node keeps its cells in the page's
// own cell format, one after another in one append-only buffer, with a
// 4-byte offset per cell (node.go), so decoding a clean page the writer is
// about to change is one copy of its cell area, and an insert appends one
// cell. The pool counts the dirty nodes' heap bytes against a dirty
// budget: half of PoolSize but at most 32 MiB beside the frames when
// clean pages take frames (see poolFrames for why it is not taken out of
// them); 3/8 of PoolSize when clean pages are
// read through the mapping (Options.Mmap, below), which leaves the frames
// untouched (the heap goal, about twice the dirty bytes, then stays
// within PoolSize). When the budget is passed, the writer writes the
// coldest nodes back after its batch, down to 7/8 of the budget (to their
// fresh locations, unsynced: no checkpoint uses those pages); a page
// written back, or by a checkpoint, moves into a frame as its image and
// the node is dropped. Write-back thus happens only between operations,
// never under a page the writer is changing. Resident memory is therefore
// the frames (none are touched with Options.Mmap, below), plus the dirty
// nodes (within the budget; the garbage collector's heap goal, at the
// default GOGC=100, is about twice what is live), plus two page-write
// buffers of up to 1 MiB, plus what readers hold for a moment
// (docs/performance.md, "Memory: dirty pages bounded in bytes").
//
// With Options.Mmap (the default) and a pages file that offers vfs.Mapper
// (the OS files on Linux), clean pages are not read into frames at all:
// readers search them in place in a read-only shared mapping of the file
// (mapping.go), in the OS page cache, as bbolt and LMDB do, and the pool
// holds only dirty pages (a page written back or checkpointed leaves the
// pool, its frames are never touched, so resident memory counts no frame
// for clean pages; the page cache's pages show in RSS as file-backed,
// shared pages, as bbolt's do). The file is mapped in chunks of 1 GiB of
// address space, each mapped once and never moved before Close, so a
// reader never sees a base address change, and no lock guards them.
//
// A page is read through the mapping only once verified: a bitmap (atomic
// words, one bitmap per chunk) holds a bit per page, set when the page's
// mapped bytes have passed the checks a pread page passes (checksum, page
// number, type, checkNodePage) or when the store has just written them
// from a node (write-back and checkpoints), and cleared before the bytes
// can change: when the page becomes dirty (pool.addDirty), before any
// write to it (every write and truncation of the pages file goes through
// pagesFile), and when the file is cut below it. A page freed keeps its
// bit until one of those happens: no reader's tree points to it any more
// (a snapshot that still can, reads the bytes it saw: the page is not
// reused while the snapshot is open). A Get's hot path per
// level is therefore two atomic loads (the chunk table and the bit) and
// the in-place search: no lock, no table lookup, no system call or copy.
// A page without its bit goes the slow way: the pool (a dirty node), the
// nodes kept for snapshots, then the mapping with the checks, which set
// the bit. A page number at or beyond the file's current page count is
// never touched through the mapping (that would raise SIGBUS): it is read
// with ReadAt, which reports it as corrupt. Overflow runs and the pages
// the writer decodes are copied out of the mapping (a memcpy instead of a
// pread); an overflow run's CRC is checked on every read.
//
// Why each read is safe: a reader holds the tree's read lock, so the tree
// it reads (the current one, or a snapshot's, whose pages are held until
// it is released) does not change while it reads. The pages file is
// written only at pages in no reader's tree: dirty pages (fresh since the
// last checkpoint; readers find their nodes in the pool, never their
// stale bytes, and their bits are clear), pages being freed or free, new
// overflow runs and free-list pages. A clean page of a reader's tree is
// rewritten only after the writer has freed it, which needs the write
// lock, and reused, which clears its bit first. The file is truncated
// under the tree's write lock (pagesFile.Truncate), and only free pages
// are cut off, so no reader is touching them. An iterator holds no lock
// between calls, so it never aliases the mapping across calls: a leaf it
// reads through the mapping is copied into a buffer of its own (one per
// iterator, recycled on Close) under the lock, and Key and Value alias
// that copy; branch pages it only reads under the lock.
//
// I/O accounting with the mapping: a page counts as read (Stats "pages
// read", and PageSize bytes of the pages file's reads in the vfs
// accounting, through vfs.Mapper.CountMappedRead) when its bytes are
// checked through the mapping (its first read since the store opened or
// since it was last written, counted once per page) and whenever its bytes
// are copied out past the bitmap (overflow runs, the leaves a range delete
// frees, Check). Later reads
// of a verified page are page-cache hits the engine cannot see, like every
// read of bbolt's: they count as no I/O. Read amplification with the
// mapping is therefore the bytes the store first brought in from the
// file, a lower bound of what the device served; with Mmap off (or on a
// file system without mappings) every pool miss is a pread, counted
// exactly. CacheMisses counts the checks (and any pread); CacheHits the
// reads of verified pages and of dirty pages found in the pool.
//
// A page an open snapshot can see is kept readable by page number: on
// disk once written (its page is not reused while the snapshot is open),
// or, when the writer copies or frees it before it was ever written, in a
// map of kept nodes (DB.kept) that lookups consult after the pool.
//
// # Concurrency and iterators
//
// Many readers run at once with one writer. Gets and every iterator
// positioning call hold the tree's read lock, so they see whole batches
// (a step within a clean leaf while the tree's version is unchanged needs
// no lock: the pinned leaf is the tree's as of the last batch). An
// iterator holds no lock between calls, only a pin on its current leaf
// (whose bytes Key and Value alias, valid until it moves); it steps to the
// next leaf through its root-to-leaf path without descending from the
// root. When the tree changed in
// between, it finds its place again by seeking from its current key (the
// first key after it for Next, the last before it for Prev) in the tree as
// it is now. It therefore never skips, repeats or misorders a key that
// exists throughout the iteration, and it sees a write made meanwhile if
// and only if the write lands ahead of its position. Iterators are not
// snapshots: a scan may see some keys of a batch written during the scan
// and not others (every key of the batch it sees is the new value). For a
// consistent view, iterate over a snapshot.
//
// # Snapshots
//
// NewSnapshot (kv.Snapshotter; snapshot.go) pins the root of the tree as of
// the call, as read transactions do in bbolt and LMDB. It does no I/O: under
// the writer mutex it records the root and starts a new copy-on-write epoch,
// like a checkpoint's freeze, so writers copy every page the snapshot can
// reach before changing it. A page allocated in epoch b and released in
// epoch r can be seen by the open snapshots taken in between (epoch e with
// b < e <= r); while one is open the page is not reused: it goes through
// the checkpoint states as before (pending, reserved), then is held until
// the last snapshot that can see it is released. Pages allocated and freed
// after a snapshot was taken are reused as usual, so a long-lived snapshot
// pins at most the pages of its own version (Stats().Extra
// "pinned_pages", next to "snapshots"). Checkpoints, background checkpoints,
// write-back, eviction and Compact go on while snapshots are open.
//
// Snapshot reads take the tree's read lock, like Gets. Iterators opened on
// a snapshot read its version, never re-seek, and hold a reference of their
// own: they stay usable after the snapshot's Close. The last reference
// released (under the writer mutex) frees the held pages. Snapshots live in
// memory only: a checkpoint lists held pages as free (no durable tree uses
// them), so after a crash or reopen they are free.
//
// # Errors
//
// A damaged page, meta page or log yields an error wrapping
// kv.ErrCorruption (a *kv.CorruptionError whose offset is the page's and
// whose reason names the page number); data is never returned from a page
// whose checksum fails. After an I/O error while logging, syncing or
// checkpointing, the store refuses further writes with an error wrapping
// both kv.ErrReadOnly and the cause; reads go on; reopening recovers. A
// batch is logged before it is applied, so a failure while applying it (an
// I/O error writing an overflow run, or a damaged page met on the way)
// returns an error after part of the batch may have become visible in
// memory; the store is read-only from then on, and reopening applies the
// logged batch whole (or reports the damage).
//
// # Opening, read-only stores and maintenance
//
// Open checks the directory before it touches it (the store marker,
// docs/format/store.md). A store of format version 1 (overflow runs of
// framed pages, still read) is upgraded by its next checkpoint: the marker
// is rewritten to version 2 first, so that a version-1 build refuses the
// store with kv.ErrUnsupportedVersion rather than calling it corrupt
// (testdata holds version-1 stores the tests upgrade). Options.ReadOnly opens the files read-only and
// replays the log into the buffer pool without writing back (the pool grows
// to hold the changed pages; overflow runs the log wrote are kept in
// memory); no checkpoint runs and Close writes nothing.
//
// Flush (kv.Flusher) runs a checkpoint. Compact (kv.Compacter) copies the
// pages (and overflow runs) lying where a shrunk file would end to the
// lowest free pages, with their ancestors (copy on write), and lets two
// checkpoints free and cut off the tail. Checkpoint (kv.Checkpointer)
// checkpoints and, holding the writer mutex, copies the pages file and then
// the meta file into the destination. Options.EventListener and
// Options.Logger are told of checkpoints, WAL rotations, write stalls (the
// dirty budget) and the error that makes the store read-only.
//
// # Integrity check
//
// Check (kv.Checker) verifies the last checkpoint on disk: checksums, key
// order within pages and against the separators above them, uniform leaf
// depth, overflow runs, and that every page is exactly one of reachable
// or free, with the meta page's counters matching. Call Flush first to
// include recent writes.
package btree
