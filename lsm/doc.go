// Package lsm is kvlab's log-structured merge-tree engine, in the lineage
// of LevelDB: a WAL and a memtable take writes, full memtables are flushed
// to sorted tables in level 0, and leveled compaction merges tables down
// levels 1 to 6, each LevelRatio times larger than the one above.
//
// # Layers
//
//   - internal/base: internal keys, user key + (sequence number, kind).
//   - wal: the log every write is appended to before it is applied.
//   - memtable: the arena skiplist that holds recent writes.
//   - sstable: immutable sorted tables with Bloom filters and a block cache.
//   - lsm/manifest: version edits, immutable Versions of the tree, the
//     MANIFEST log and CURRENT pointer (docs/format/manifest.md).
//   - lsm/compaction: the compaction picker and the cost model, pure
//     functions over a Version.
//   - lsm (this package): the commit pipeline (commit.go), flushes
//     (flush.go), compaction execution (compact.go), version installation
//     (apply.go), reads (get.go, iter_*.go), range tombstones (rangedel.go,
//     compact_rangedel.go), recovery (open.go), obsolete
//     file deletion (obsolete.go), metrics (stats.go) and the integrity
//     check (check.go).
//
// # Writes
//
// Writers queue; the one at the head leads a group: it appends one WAL
// record per batch (the batch's first sequence number, then its repr),
// syncs once if any writer asked for it, applies the batches to the active
// memtable and publishes the last sequence number, which makes the group
// visible to readers at once. When the memtable reaches MemtableSize the
// leader closes (and so syncs) its WAL, starts a new WAL and memtable, and
// wakes the flush goroutine, which writes the frozen memtable to an L0
// table and records it in the manifest together with the new log number.
// Writes are delayed when L0 has L0SlowdownTrigger tables and stop while it
// has L0StopTrigger tables or MaxImmutableMemtables memtables await their
// flush; Stats reports the stalls and their time.
//
// # Reads
//
// A read takes a reference to the current read state (the memtables and
// the Version) and the last published sequence number. Get consults the
// memtables, the L0 tables newest first, and then the one table per level
// whose range holds the key, skipping tables by range and Bloom filter.
// Iterators merge all of them with a heap and show, per user key, the
// newest version at their sequence number: a consistent snapshot that
// writes made after the iterator was created never disturb. Snapshot pins a
// sequence number for repeatable Gets and iterators, and compactions keep
// the versions open snapshots can see.
//
// # Compaction
//
// One background goroutine runs the compaction the picker chooses: the
// level whose size over its target is highest (for L0, its table count over
// L0CompactionTrigger). A table that overlaps nothing in the next level is
// moved by a manifest edit alone. Otherwise the inputs and the overlapping
// tables of the next level are merged into new tables of TargetFileSize,
// cut only between user keys, so a user key never spans two tables of one
// level. Versions no snapshot can see are dropped, and tombstones too once
// no deeper level can hold their key; range tombstones follow the same
// rules (see Range deletions).
//
// # Range deletions
//
// A DeleteRange(start, end) in a batch takes one sequence number like any
// operation and becomes a range tombstone: one record (start, end, seq),
// however many keys it covers. It hides every version of a key in
// [start, end) whose sequence number is below seq from readers at or
// above seq; readers at older snapshots do not see it. Pebble and RocksDB
// work the same way; the code here is kvlab's own (internal/rangedel,
// rangedel.go, compact_rangedel.go).
//
//   - WAL: the batch repr carries the operation (docs/format/batch.md), and
//     recovery replays it into the memtable like any batch.
//   - Memtable: tombstones live in a list beside the skiplist
//     (memtable.AddRangeDel), fragmented on demand for reads.
//   - Tables: flush and compaction write fragments — pieces of the key
//     space between consecutive tombstone bounds, each with the sequence
//     numbers of the tombstones covering it — to a range-deletion block
//     (format version 2, docs/format/sstable.md). A table's Smallest and
//     Largest in the manifest span its tombstones too (a fragment [s, e)
//     counts as s and e at the largest trailer), and an output table is
//     never cut inside a fragment or where one ends, so tables of a level
//     stay disjoint in user keys, tombstones included, and the rule that
//     older data lies deeper holds for tombstones as for keys.
//   - Get asks each source it visits, newest first, for the newest visible
//     tombstone covering the key (a binary search over the source's
//     fragments; nothing when the source has none). If one is found, the
//     source's own newest version decides (shown if newer than the
//     tombstone, else "not found"), and the lookup ends there, since
//     deeper sources hold older versions only.
//   - Iterators fragment, once at creation, the tombstones of their read
//     state that their sequence number sees within their bounds, keep the
//     newest sequence number per fragment, and walk those spans with a
//     cursor beside the merged keys (rangedel.Cursor): a version older than
//     the span covering it is hidden like a point deletion, at a comparison
//     or two per key, in both directions and after seeks.
//   - Compaction (and flush) fragments its inputs' tombstones together and
//     drops an entry when the nearest tombstone above it lies in the same
//     snapshot stripe (no snapshot sees the entry without the tombstone);
//     per fragment it keeps the newest tombstone of each stripe, and drops
//     a tombstone every reader sees once no deeper level holds a table
//     overlapping it. Compact(start, end) ends by rewriting, within the
//     bottom level, the tables of the range that still hold tombstones
//     (kept there for a snapshot earlier), so the space comes back once the
//     snapshots are gone.
//   - Stats count the operations (Ops.RangeDeletes) and the tombstones in
//     the store (Extra["range-tombstones"]: memtable records plus table
//     fragment entries).
//
// # Crash safety
//
// The manifest is a log of version edits; CURRENT names it and is switched
// by writing a temporary file, syncing it, renaming it and syncing the
// directory. Tables are synced, and their directory entries too, before an
// edit names them; a log is deleted only after an edit with a larger log
// number is durable, and a table only once no version in use names it. Open
// loads the manifest, replays the logs at or above its log number into L0
// tables, starts a new log and deletes whatever an interrupted flush or
// compaction left. Any I/O error in the write path or the background work
// makes the DB read-only (kv.ErrReadOnly) rather than acknowledge writes it
// cannot keep; damage found in a table or log is reported as
// kv.ErrCorruption, never as wrong data.
//
// # Opening, read-only stores and maintenance
//
// Open checks the directory before it touches it (the store marker,
// docs/format/store.md: another engine's store, foreign files and newer
// formats are refused). Options.ReadOnly replays the WALs into memtables
// that are never flushed and starts no background work, so nothing in the
// directory changes; Options.MustExist refuses to create a store.
//
// Flush (kv.Flusher) goes through the commit pipeline as a leader that
// rotates the memtable, then waits for the flush. Compact (kv.Compacter)
// hands the compaction goroutine a manual job that compacts the range level
// by level to the bottom level (compaction.Picker.Range builds each step).
// Checkpoint (kv.Checkpointer) flushes, holds a read state so that no table
// of its version is deleted, hard-links those tables (vfs.LinkOrCopy) into
// the destination and writes a manifest describing them and an empty WAL.
// Options.EventListener and Options.Logger (kv.EventListener, kv.Logger)
// are told of flushes, compactions, write stalls, WAL rotations, Checkpoint
// copies and background errors.
//
// # Memory
//
// What the engine holds is bounded by its knobs, and Stats reports each
// part (kv.LSMStats, MemoryBytes and the fields after it):
//
//   - memtables: the active one and up to MaxImmutableMemtables frozen ones
//     awaiting flush, each an arena that grows in 1 MiB chunks to about
//     MemtableSize (MemtableArenaBytes), plus a Bloom filter of
//     MemtableSize/64 bytes each (MemtableFilterBytes);
//   - the block cache: decompressed data blocks, at most BlockCacheSize
//     (BlockCacheBytes);
//   - every live table's reader: its decoded index (about 1/150 of the
//     table with 4 KiB blocks and 16-byte keys) and Bloom filter
//     (BloomBitsPerKey bits per key) (TableIndexBytes, TableFilterBytes);
//     these grow with the store, about 1 % of the data at the defaults;
//   - the WAL writer's buffers, up to 1 MiB (WALBufferBytes).
//
// Resident memory adds the Go runtime's share: the garbage collector lets
// the heap grow to about twice its live bytes (GOGC=100) before it
// collects, and a flushed memtable's arena is garbage until then, so peak
// RSS can exceed MemoryBytes by up to its own size again.
// docs/performance.md compares it with Pebble's at equal settings.
//
// # Limits
//
// Keys up to kv.MaxKeySize and values up to kv.MaxValueSize, as the
// contract says. A memtable's arena addresses 4 GiB, so MemtableSize is at
// most 1 GiB, leaving room for the batches that arrive while a full memtable
// waits to be frozen. Every live table keeps an open file descriptor.
package lsm
