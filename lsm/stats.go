package lsm

import (
	"sync/atomic"

	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/lsm/compaction"
	"github.com/kvlab/kvlab/lsm/manifest"
)

// dbStats are the DB's cumulative counters.
type dbStats struct {
	gets, getHits, puts, deletes, batches atomic.Int64
	rangeDeletes                          atomic.Int64
	iterators, seeks, steps               atomic.Int64
	userBytesWritten, userBytesRead       atomic.Int64
	tablesConsulted                       atomic.Int64
	flushes, flushBytes, flushNanos       atomic.Int64
	compactions, compactionNanos, moves   atomic.Int64
	compactionBytesIn, compactionBytesOut atomic.Int64
	stalls, stallNanos                    atomic.Int64
	manifestRewrites                      atomic.Int64
	level                                 [manifest.NumLevels]levelCounters
}

type levelCounters struct {
	bytesIn, bytesWritten, bytesRead, bytesMoved atomic.Int64
}

// Stats returns the DB's counters and figures. IO holds every byte the
// engine moved, by file kind (wal, sstable, manifest, current, ...), as
// counted by a vfs.Accounting layer under the engine; the per-level table
// and the amplification figures follow docs/design.md.
func (db *DB) Stats() kv.Stats {
	s := kv.Stats{Engine: Name}
	st := &db.stats
	s.Ops = kv.OpStats{
		Gets: st.gets.Load(), GetHits: st.getHits.Load(), Puts: st.puts.Load(), Deletes: st.deletes.Load(),
		RangeDeletes: st.rangeDeletes.Load(),
		Batches:      st.batches.Load(), Iterators: st.iterators.Load(), Seeks: st.seeks.Load(), Steps: st.steps.Load(),
	}
	s.UserBytesWritten = st.userBytesWritten.Load()
	s.UserBytesRead = st.userBytesRead.Load()
	s.IO = map[string]kv.IOStats{}
	for k, v := range db.acct.Stats() {
		s.IO[string(k)] = kv.IOStats(v)
	}
	ts := db.tables.stats()
	s.BlocksTouched = ts.BlocksTouched
	s.CacheHits, s.CacheMisses = ts.CacheHits, ts.CacheMisses

	db.mu.Lock()
	v := db.version
	memBytes := db.mem.ApproximateSize()
	arena, memFilters := db.mem.ArenaSize(), db.mem.FilterSize()
	for _, m := range db.imms {
		memBytes += m.ApproximateSize()
		arena += m.ArenaSize()
		memFilters += m.FilterSize()
	}
	imms := len(db.imms)
	log := db.log
	db.mu.Unlock()

	scores := compaction.Scores(v, db.copts)
	l := &kv.LSMStats{
		MemtableBytes:       memBytes,
		ImmutableMemtables:  imms,
		Flushes:             st.flushes.Load(),
		FlushBytes:          st.flushBytes.Load(),
		Compactions:         st.compactions.Load(),
		CompactionNanos:     st.compactionNanos.Load(),
		CompactionBytesIn:   st.compactionBytesIn.Load(),
		CompactionBytesOut:  st.compactionBytesOut.Load(),
		Stalls:              st.stalls.Load(),
		StallNanos:          st.stallNanos.Load(),
		BloomChecks:         ts.BloomChecks,
		BloomNegatives:      ts.BloomNegatives,
		BloomFalsePositives: ts.BloomFalsePositives,
	}
	l.MemtableArenaBytes, l.MemtableFilterBytes = arena, memFilters
	l.BlockCacheBytes = db.tables.cache.Stats().Size
	l.OpenTables, l.TableIndexBytes, l.TableFilterBytes = db.tables.memory()
	if log != nil {
		l.WALBufferBytes = log.BufferMemory()
	}
	l.MemoryBytes = l.MemtableArenaBytes + l.MemtableFilterBytes + l.BlockCacheBytes +
		l.TableIndexBytes + l.TableFilterBytes + l.WALBufferBytes
	if g := st.gets.Load(); g > 0 {
		l.TablesPerGet = float64(st.tablesConsulted.Load()) / float64(g)
	}
	var disk int64
	for level := 0; level < manifest.NumLevels; level++ {
		lc := &st.level[level]
		ls := kv.LevelStats{
			Level:        level,
			Files:        v.NumFiles(level),
			Bytes:        int64(v.LevelSize(level)),
			Score:        scores[level],
			BytesIn:      lc.bytesIn.Load(),
			BytesWritten: lc.bytesWritten.Load(),
			BytesRead:    lc.bytesRead.Load(),
		}
		disk += ls.Bytes
		l.Levels = append(l.Levels, ls)
	}
	s.LSM = l
	// DiskBytes: the tables plus the logs and manifest still live.
	if n, err := dirLiveBytes(db); err == nil {
		disk = n
	}
	s.DiskBytes = disk
	s.Extra = map[string]float64{
		"trivial-moves":     float64(st.moves.Load()),
		"flush-seconds":     float64(st.flushNanos.Load()) / 1e9,
		"manifest-rewrites": float64(st.manifestRewrites.Load()),
		"range-tombstones":  float64(db.rangeTombstones()),
	}
	return s
}

// dirLiveBytes sums the sizes of the engine's files in its directory.
func dirLiveBytes(db *DB) (int64, error) {
	names, err := db.fs.List(db.dir)
	if err != nil {
		return 0, err
	}
	var total int64
	for _, name := range names {
		if typ, _, ok := manifest.ParseFileName(name); !ok || typ == manifest.TypeLock {
			continue
		}
		fi, err := db.fs.Stat(db.dir + "/" + name)
		if err != nil {
			continue // deleted meanwhile
		}
		total += fi.Size()
	}
	return total, nil
}
