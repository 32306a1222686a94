package kv

import "maps"

// IOStats counts the file operations of one file kind. Its fields mirror
// vfs.IOStats (kv depends on nothing, so the type is declared twice; a test in
// vfs keeps the two identical so that kv.IOStats(vfsStats) converts).
type IOStats struct {
	BytesWritten int64 `json:"bytes_written"` // bytes passed to Write and WriteAt
	BytesRead    int64 `json:"bytes_read"`    // bytes returned by Read and ReadAt
	BytesSynced  int64 `json:"bytes_synced"`  // bytes written since the previous sync, summed at each Sync
	Writes       int64 `json:"writes"`        // Write and WriteAt calls
	Reads        int64 `json:"reads"`         // Read and ReadAt calls
	Syncs        int64 `json:"syncs"`         // Sync calls on files of this kind
}

// Add returns s + o.
func (s IOStats) Add(o IOStats) IOStats {
	return IOStats{
		BytesWritten: s.BytesWritten + o.BytesWritten,
		BytesRead:    s.BytesRead + o.BytesRead,
		BytesSynced:  s.BytesSynced + o.BytesSynced,
		Writes:       s.Writes + o.Writes,
		Reads:        s.Reads + o.Reads,
		Syncs:        s.Syncs + o.Syncs,
	}
}

// Sub returns s - o.
func (s IOStats) Sub(o IOStats) IOStats {
	return IOStats{
		BytesWritten: s.BytesWritten - o.BytesWritten,
		BytesRead:    s.BytesRead - o.BytesRead,
		BytesSynced:  s.BytesSynced - o.BytesSynced,
		Writes:       s.Writes - o.Writes,
		Reads:        s.Reads - o.Reads,
		Syncs:        s.Syncs - o.Syncs,
	}
}

// OpStats counts the operations callers made. Every engine counts them the
// same way (kv/kvtest checks it):
//
//   - Batches counts every successful Write, an empty batch included, and
//     each successful Put and Delete as one.
//   - Seeks and Steps, which an iterator makes many of, may be kept by the
//     iterator and added to the engine's counters in bunches (the B+tree
//     adds them every 256 steps, the peers' adapters at Close), so while an
//     iterator is open they may lag behind its calls; they are exact once
//     every iterator is closed. The same holds for the UserBytesRead of
//     iterators.
type OpStats struct {
	Gets      int64 `json:"gets"`      // Get calls
	GetHits   int64 `json:"get_hits"`  // Gets that found a value
	Puts      int64 `json:"puts"`      // Put calls plus set operations in batches
	Deletes   int64 `json:"deletes"`   // Delete calls plus delete operations in batches
	Batches   int64 `json:"batches"`   // successful Write calls, empty ones included (Put and Delete count as one each)
	Iterators int64 `json:"iterators"` // iterators created
	Seeks     int64 `json:"seeks"`     // positioning calls: First, Last, SeekGE, SeekLT
	Steps     int64 `json:"steps"`     // Next and Prev calls (see above: may lag while iterators are open)
	// RangeDeletes counts DeleteRange operations in batches.
	RangeDeletes int64 `json:"range_deletes,omitempty"`
}

func (s OpStats) sub(o OpStats) OpStats {
	return OpStats{s.Gets - o.Gets, s.GetHits - o.GetHits, s.Puts - o.Puts, s.Deletes - o.Deletes,
		s.Batches - o.Batches, s.Iterators - o.Iterators, s.Seeks - o.Seeks, s.Steps - o.Steps,
		s.RangeDeletes - o.RangeDeletes}
}

// Stats is a snapshot of an engine's counters: what users asked for, what the
// engine did to files to serve it, and engine-specific figures. Counters are
// cumulative since Open; take the difference of two snapshots with Sub to
// measure a phase.
//
// The amplification figures follow docs/design.md: write amplification is file
// bytes written per user byte written; read amplification is file bytes read
// per user byte returned (physical) and blocks or pages touched per Get
// (logical, cache hits included); space amplification is live file bytes per
// live user byte.
type Stats struct {
	// Engine is the registered name of the engine.
	Engine string `json:"engine"`
	// Ops counts what callers asked for.
	Ops OpStats `json:"ops"`
	// UserBytesWritten is the bytes of keys and values written by Put, Delete
	// (its key) and Write.
	UserBytesWritten int64 `json:"user_bytes_written"`
	// UserBytesRead is the bytes of the records served: for each Get that
	// finds a value, the length of the key plus the length of the value;
	// for each entry an iterator is positioned at, its key plus its value
	// (an engine that loads values lazily, as some peers do, counts the
	// value when Value is first called for the entry).
	// A record therefore counts the same whether a Get or a scan serves it,
	// and read amplification (ReadAmp) compares engines fairly. Gets that
	// find nothing add 0.
	UserBytesRead int64 `json:"user_bytes_read"`
	// IO holds file operation counts by file kind ("wal", "sstable",
	// "manifest", "btree-pages", ...).
	IO map[string]IOStats `json:"io"`
	// LiveBytes is the bytes of keys and values currently stored, or 0 when
	// the engine does not track it exactly (the LSM does not; the bench then
	// supplies it from its own model).
	LiveBytes int64 `json:"live_bytes"`
	// DiskBytes is the size of the engine's live files.
	DiskBytes int64 `json:"disk_bytes"`
	// BlocksTouched counts blocks or pages consulted by Gets, cache hits
	// included: the logical read amplification's numerator.
	BlocksTouched int64 `json:"blocks_touched"`
	// CacheHits and CacheMisses count block-cache or buffer-pool lookups.
	CacheHits   int64 `json:"cache_hits"`
	CacheMisses int64 `json:"cache_misses"`
	// LSM holds the LSM engine's figures; nil for other engines.
	LSM *LSMStats `json:"lsm"`
	// BTree holds the B+tree engine's figures; nil for other engines.
	BTree *BTreeStats `json:"btree"`
	// Extra holds any other engine-specific figures by name.
	Extra map[string]float64 `json:"extra"`
}

// LSMStats are the LSM engine's own figures.
type LSMStats struct {
	Levels              []LevelStats `json:"levels"`
	MemtableBytes       int64        `json:"memtable_bytes"` // bytes in the active and immutable memtables
	ImmutableMemtables  int          `json:"immutable_memtables"`
	Flushes             int64        `json:"flushes"`
	FlushBytes          int64        `json:"flush_bytes"`
	Compactions         int64        `json:"compactions"`
	CompactionNanos     int64        `json:"compaction_nanos"`
	CompactionBytesIn   int64        `json:"compaction_bytes_in"`
	CompactionBytesOut  int64        `json:"compaction_bytes_out"`
	Stalls              int64        `json:"stalls"` // writes delayed or stopped
	StallNanos          int64        `json:"stall_nanos"`
	TablesPerGet        float64      `json:"tables_per_get"` // tables consulted per Get
	BloomChecks         int64        `json:"bloom_checks"`
	BloomNegatives      int64        `json:"bloom_negatives"`       // checks that ruled a table out
	BloomFalsePositives int64        `json:"bloom_false_positives"` // checks that passed for an absent key

	// Memory the engine holds, each figure bounded by a knob (see the lsm
	// package doc, "Memory"). MemoryBytes is their sum; the process's
	// resident memory adds the Go runtime's own (the garbage collector
	// lets the heap grow past the live bytes, GOGC) and the code.
	MemoryBytes         int64 `json:"memory_bytes,omitempty"`
	MemtableArenaBytes  int64 `json:"memtable_arena_bytes,omitempty"`  // arena chunks of the active and immutable memtables (memtable-size, max-immutable-memtables)
	MemtableFilterBytes int64 `json:"memtable_filter_bytes,omitempty"` // their Bloom filters (1/64 of memtable-size each)
	BlockCacheBytes     int64 `json:"block_cache_bytes,omitempty"`     // decompressed blocks cached (at most block-cache)
	OpenTables          int   `json:"open_tables,omitempty"`           // tables whose reader is open (every live table)
	TableIndexBytes     int64 `json:"table_index_bytes,omitempty"`     // their decoded index blocks (about 1/150 of the data at 4 KiB blocks)
	TableFilterBytes    int64 `json:"table_filter_bytes,omitempty"`    // their Bloom filters (bloom-bits per key)
	WALBufferBytes      int64 `json:"wal_buffer_bytes,omitempty"`      // the WAL writer's buffers
}

// LevelStats describes one level of an LSM tree.
type LevelStats struct {
	Level        int     `json:"level"`
	Files        int     `json:"files"`
	Bytes        int64   `json:"bytes"`
	Score        float64 `json:"score"`         // size / target; above 1 wants compaction
	BytesIn      int64   `json:"bytes_in"`      // bytes compacted into this level from above (or flushed, for L0)
	BytesWritten int64   `json:"bytes_written"` // bytes of tables written to this level
	BytesRead    int64   `json:"bytes_read"`    // bytes of this level's tables read by compactions
}

// WriteAmp returns BytesWritten / BytesIn, the level's write amplification.
func (l LevelStats) WriteAmp() float64 { return ratio(l.BytesWritten, l.BytesIn) }

// BTreeStats are the B+tree engine's own figures.
type BTreeStats struct {
	Height            int     `json:"height"`
	PageSize          int     `json:"page_size"`
	LeafPages         int64   `json:"leaf_pages"`
	BranchPages       int64   `json:"branch_pages"`
	OverflowPages     int64   `json:"overflow_pages"`
	FreePages         int64   `json:"free_pages"`
	FillFactor        float64 `json:"fill_factor"` // average used fraction of leaf pages
	Checkpoints       int64   `json:"checkpoints"`
	CheckpointBytes   int64   `json:"checkpoint_bytes"`
	PagesReadPerOp    float64 `json:"pages_read_per_op"`
	PagesWrittenPerOp float64 `json:"pages_written_per_op"`
}

// TotalIO returns the sum of IO over every file kind.
func (s Stats) TotalIO() IOStats {
	var t IOStats
	for _, v := range s.IO {
		t = t.Add(v)
	}
	return t
}

// WriteAmp returns file bytes written per user byte written (0 when nothing
// was written).
func (s Stats) WriteAmp() float64 { return ratio(s.TotalIO().BytesWritten, s.UserBytesWritten) }

// ReadAmp returns file bytes read per user byte returned: the physical read
// amplification.
func (s Stats) ReadAmp() float64 { return ratio(s.TotalIO().BytesRead, s.UserBytesRead) }

// BlocksPerGet returns blocks or pages touched per Get: the logical read
// amplification.
func (s Stats) BlocksPerGet() float64 { return ratio(s.BlocksTouched, s.Ops.Gets) }

// SpaceAmp returns live file bytes per live user byte (0 when LiveBytes is
// unknown).
func (s Stats) SpaceAmp() float64 { return ratio(s.DiskBytes, s.LiveBytes) }

// CacheHitRatio returns CacheHits / (CacheHits + CacheMisses).
func (s Stats) CacheHitRatio() float64 { return ratio(s.CacheHits, s.CacheHits+s.CacheMisses) }

// Sub returns the counters accumulated between prev and s. Gauges (LiveBytes,
// DiskBytes, the engine-specific structures) keep s's values.
func (s Stats) Sub(prev Stats) Stats {
	d := s
	d.Ops = s.Ops.sub(prev.Ops)
	d.UserBytesWritten -= prev.UserBytesWritten
	d.UserBytesRead -= prev.UserBytesRead
	d.BlocksTouched -= prev.BlocksTouched
	d.CacheHits -= prev.CacheHits
	d.CacheMisses -= prev.CacheMisses
	d.IO = maps.Clone(s.IO)
	for k, v := range prev.IO {
		if d.IO == nil {
			d.IO = map[string]IOStats{}
		}
		d.IO[k] = d.IO[k].Sub(v)
	}
	return d
}

func ratio(a, b int64) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}
