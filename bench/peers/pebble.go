package peers

import (
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/bloom"
	"github.com/cockroachdb/pebble/v2/sstable"

	"github.com/kvlab/kvlab"
	"github.com/kvlab/kvlab/knob"
	"github.com/kvlab/kvlab/kv"
)

// pebbleKnobs are the options of the "pebble" engine.
var pebbleKnobs = &knob.Set[LSMOptions]{
	Name:     Pebble,
	Defaults: DefaultLSMOptions,
	Knobs: lsmKnobs(self, map[string]string{
		"memtable-size":         "memtable size (MemTableSize); kvlab's lsm default",
		"l0-compaction-trigger": "L0 files that trigger a compaction (L0CompactionThreshold)",
		"bloom-bits":            "bloom filter bits per key on every level; 0 disables the filter",
		"block-size":            "sstable data block size",
		"block-cache":           "block cache size (Pebble's default)",
		"compression":           "block compression",
	}, "snappy", "none"),
}

// pebbleEngine runs Pebble (github.com/cockroachdb/pebble/v2) as a
// kv.Engine. Options: see pebbleOptions and the package documentation.
// Every key is stored behind keyPrefix: Pebble v2.1.7's table writer panics
// on a data block that holds only the empty key ("empty keys" with row
// blocks, "unreachable" with columnar ones), and its maintainers do not
// promise empty keys work. Block prefix compression makes the byte almost
// free.
type pebbleEngine struct {
	*core
	db *pebble.DB

	stalls     atomic.Int64
	stallNanos atomic.Int64
	stallStart atomic.Int64 // unix nanos of the current stall, 0 when none
}

var _ kv.Engine = (*pebbleEngine)(nil)

// pebbleOptions turns the engine's options into Pebble options comparable
// to kvlab's LSM defaults. The caller must Unref the returned cache after
// Open.
func pebbleOptions(o kvlab.Options) (*pebble.Options, *pebble.Cache, error) {
	lo, err := engineOptions[LSMOptions](Pebble, o)
	if err != nil {
		return nil, nil, err
	}
	opts := &pebble.Options{
		FormatMajorVersion:    pebble.FormatNewest,
		MemTableSize:          uint64(lo.MemtableSize),
		L0CompactionThreshold: lo.L0CompactionTrigger,
		LBaseMaxBytes:         64 << 20,
		Logger:                quietPebbleLogger{},
	}
	profile := sstable.SnappyCompression
	if lo.Compression == "none" {
		profile = sstable.NoCompression
	}
	for i := range opts.Levels {
		l := &opts.Levels[i]
		l.BlockSize = lo.BlockSize
		l.Compression = func() *sstable.CompressionProfile { return profile }
		if lo.BloomBits > 0 {
			l.FilterPolicy = bloom.FilterPolicy(lo.BloomBits)
			l.FilterType = pebble.TableFilter
		}
	}
	cache := pebble.NewCache(lo.BlockCache)
	opts.Cache = cache
	return opts, cache, nil
}

// openPebble opens or creates a Pebble store in dir.
func openPebble(dir string, o kvlab.Options) (kv.Engine, error) {
	opts, cache, err := pebbleOptions(o)
	if err != nil {
		return nil, err
	}
	defer cache.Unref()
	c, err := newCore("pebble", dir, ioBasis{})
	if err != nil {
		return nil, err
	}
	e := &pebbleEngine{core: c}
	opts.EventListener = &pebble.EventListener{
		WriteStallBegin: func(pebble.WriteStallBeginInfo) {
			e.stalls.Add(1)
			e.stallStart.Store(time.Now().UnixNano())
		},
		WriteStallEnd: func() {
			if t := e.stallStart.Swap(0); t != 0 {
				e.stallNanos.Add(time.Now().UnixNano() - t)
			}
		},
	}
	e.db, err = pebble.Open(dir, opts)
	if err != nil {
		c.release()
		return nil, fmt.Errorf("peers: pebble: open %s: %w", dir, err)
	}
	return e, nil
}

// Get implements kv.Engine.
func (e *pebbleEngine) Get(key []byte) ([]byte, error) {
	if err := e.begin(); err != nil {
		return nil, err
	}
	defer e.end()
	v, closer, err := e.db.Get(encodeKey(key))
	if errors.Is(err, pebble.ErrNotFound) {
		e.got(key, nil, false)
		return nil, fmt.Errorf("peers: pebble: get %q: %w", key, kv.ErrNotFound)
	}
	if err != nil {
		return nil, e.errf("get", err)
	}
	out := append(make([]byte, 0, len(v)), v...)
	closer.Close()
	e.got(key, out, true)
	return out, nil
}

// Put implements kv.Engine: one unsynced Set.
func (e *pebbleEngine) Put(key, value []byte) error {
	if err := checkKey(key, value, 0); err != nil {
		return e.errf("put", err)
	}
	if err := e.begin(); err != nil {
		return err
	}
	defer e.end()
	if err := e.db.Set(encodeKey(key), value, pebble.NoSync); err != nil {
		return e.errf("put", err)
	}
	e.wrote(1, 0, int64(len(key)+len(value)))
	return nil
}

// Delete implements kv.Engine: one unsynced point tombstone.
func (e *pebbleEngine) Delete(key []byte) error {
	if err := checkKey(key, nil, 0); err != nil {
		return e.errf("delete", err)
	}
	if err := e.begin(); err != nil {
		return err
	}
	defer e.end()
	if err := e.db.Delete(encodeKey(key), pebble.NoSync); err != nil {
		return e.errf("delete", err)
	}
	e.wrote(0, 1, int64(len(key)))
	return nil
}

// Write implements kv.Engine with one Pebble batch, applied atomically.
func (e *pebbleEngine) Write(b *kv.Batch, o kv.WriteOptions) error {
	if err := b.Err(); err != nil {
		return e.errf("write", err)
	}
	if err := e.begin(); err != nil {
		return err
	}
	defer e.end()
	wo := pebble.NoSync
	if o.Sync {
		wo = pebble.Sync
	}
	if b.Empty() {
		e.wrote(0, 0, 0)
		if o.Sync {
			return e.syncWAL()
		}
		return nil
	}
	pb := e.db.NewBatch()
	defer pb.Close()
	var enc []byte // Pebble's batch copies the key
	r := b.Reader()
	for {
		kind, k, v, ok := r.Next()
		if !ok {
			break
		}
		enc = append(append(enc[:0], keyPrefix), k...)
		switch kind {
		case kv.OpSet:
			_ = pb.Set(enc, v, nil)
		case kv.OpDelete:
			_ = pb.Delete(enc, nil)
		case kv.OpDeleteRange:
			_ = pb.DeleteRange(enc, encodeKey(v), nil)
		}
	}
	if err := r.Err(); err != nil {
		return e.errf("write", err)
	}
	if err := pb.Commit(wo); err != nil {
		return e.errf("write", err)
	}
	e.wrote(int64(b.Puts()), int64(b.Deletes()), b.UserBytes())
	e.rangeDeletes.Add(int64(b.RangeDeletes()))
	return nil
}

// NewIterator implements kv.Engine. The iterator reads a snapshot taken now.
func (e *pebbleEngine) NewIterator(o kv.IterOptions) (kv.Iterator, error) {
	if err := e.begin(); err != nil {
		return nil, err
	}
	defer e.end()
	o = cloneBounds(o)
	po := &pebble.IterOptions{LowerBound: prefixStart, UpperBound: prefixEnd}
	if o.LowerBound != nil {
		po.LowerBound = encodeKey(o.LowerBound)
	}
	if o.UpperBound != nil {
		po.UpperBound = encodeKey(o.UpperBound)
	}
	pi, err := e.db.NewIter(po)
	if err != nil {
		return nil, e.errf("new iterator", err)
	}
	return e.track(&pebbleCursor{it: pi}, o), nil
}

// Sync implements kv.Engine: Pebble has no sync call, so an empty LogData
// record is written with Sync, which syncs the WAL up to it (the idiom
// CockroachDB uses).
func (e *pebbleEngine) Sync() error {
	if err := e.begin(); err != nil {
		return err
	}
	defer e.end()
	return e.syncWAL()
}

func (e *pebbleEngine) syncWAL() error {
	if err := e.db.LogData(nil, pebble.Sync); err != nil {
		return e.errf("sync", err)
	}
	return nil
}

// Close implements kv.Engine. Pebble syncs its WAL on close.
func (e *pebbleEngine) Close() error {
	return e.shut(e.db.Close)
}

// Stats implements kv.Engine from Pebble's Metrics.
func (e *pebbleEngine) Stats() kv.Stats {
	s := e.stats()
	if e.begin() != nil {
		return s
	}
	m := e.db.Metrics()
	e.end()
	lsm := &kv.LSMStats{
		MemtableBytes:      int64(m.MemTable.Size),
		ImmutableMemtables: max(int(m.MemTable.Count)-1, 0),
		Flushes:            m.Flush.Count,
		Compactions:        m.Compact.Count,
		CompactionNanos:    int64(m.Compact.Duration),
		Stalls:             e.stalls.Load(),
		StallNanos:         e.stallNanos.Load(),
		BloomChecks:        m.Filter.Hits + m.Filter.Misses,
		BloomNegatives:     m.Filter.Hits,
	}
	for i := range m.Levels {
		l := &m.Levels[i]
		written := int64(l.TableBytesFlushed + l.TableBytesCompacted)
		lsm.Levels = append(lsm.Levels, kv.LevelStats{
			Level: i, Files: int(l.TablesCount), Bytes: l.TablesSize, Score: l.Score,
			BytesIn: int64(l.TableBytesIn), BytesWritten: written, BytesRead: int64(l.TableBytesRead),
		})
		if i == 0 {
			lsm.FlushBytes = int64(l.TableBytesFlushed)
		}
		lsm.CompactionBytesIn += int64(l.TableBytesRead)
		lsm.CompactionBytesOut += int64(l.TableBytesCompacted)
	}
	s.LSM = lsm
	s.CacheHits, s.CacheMisses = m.BlockCache.Hits, m.BlockCache.Misses
	x := s.Extra
	x["pebble.wal_bytes_in"] = float64(m.WAL.BytesIn)
	x["pebble.wal_bytes_written"] = float64(m.WAL.BytesWritten)
	x["pebble.wal_files"] = float64(m.WAL.Files)
	x["pebble.read_amp"] = float64(m.ReadAmp())
	total := m.Total()
	x["pebble.write_amp"] = total.WriteAmp()
	x["pebble.disk_space_usage"] = float64(m.DiskSpaceUsage())
	x["pebble.compaction_debt"] = float64(m.Compact.EstimatedDebt)
	x["pebble.table_cache_hits"] = float64(m.FileCache.Hits)
	x["pebble.table_cache_misses"] = float64(m.FileCache.Misses)
	return s
}

// pebbleCursor adapts a *pebble.Iterator over prefixed keys; Pebble applies
// the (encoded) bounds itself.
type pebbleCursor struct {
	it  *pebble.Iterator
	enc []byte // the encoded seek key; Pebble copies it
}

func (c *pebbleCursor) encode(k []byte) []byte {
	c.enc = append(append(c.enc[:0], keyPrefix), k...)
	return c.enc
}

func (c *pebbleCursor) first() bool            { return c.it.First() }
func (c *pebbleCursor) last() bool             { return c.it.Last() }
func (c *pebbleCursor) seekGE(k []byte) bool   { return c.it.SeekGE(c.encode(k)) }
func (c *pebbleCursor) seekLT(k []byte) bool   { return c.it.SeekLT(c.encode(k)) }
func (c *pebbleCursor) next() bool             { return c.it.Next() }
func (c *pebbleCursor) prev() bool             { return c.it.Prev() }
func (c *pebbleCursor) key() []byte            { return c.it.Key()[1:] }
func (c *pebbleCursor) value() ([]byte, error) { return c.it.ValueAndErr() }
func (c *pebbleCursor) err() error             { return c.it.Error() }
func (c *pebbleCursor) close() error           { return c.it.Close() }

// quietPebbleLogger drops Pebble's informational messages, which would
// interleave with the benchmark's output, and keeps its errors.
type quietPebbleLogger struct{}

func (quietPebbleLogger) Infof(string, ...any) {}

func (quietPebbleLogger) Errorf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "pebble: "+format+"\n", args...)
}

func (quietPebbleLogger) Fatalf(format string, args ...any) {
	panic(fmt.Sprintf("pebble: "+format, args...))
}

// UnreportedStats names the figures Stats leaves at zero (bench.PartialStats):
// Pebble counts filter checks that ruled a table out but not false positives, and not the tables a Get consults.
func (e *pebbleEngine) UnreportedStats() []string {
	return []string{"LSM.TablesPerGet", "LSM.BloomFalsePositives"}
}
