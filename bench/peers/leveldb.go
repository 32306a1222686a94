package peers

import (
	"bufio"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/syndtr/goleveldb/leveldb"
	"github.com/syndtr/goleveldb/leveldb/filter"
	lditer "github.com/syndtr/goleveldb/leveldb/iterator"
	"github.com/syndtr/goleveldb/leveldb/opt"
	"github.com/syndtr/goleveldb/leveldb/storage"
	"github.com/syndtr/goleveldb/leveldb/util"

	"github.com/kvlab/kvlab"
	"github.com/kvlab/kvlab/knob"
	"github.com/kvlab/kvlab/kv"
)

// levelDBKnobs are the options of the "goleveldb" engine.
var levelDBKnobs = &knob.Set[LSMOptions]{
	Name:     GoLevelDB,
	Defaults: DefaultLSMOptions,
	Knobs: lsmKnobs(self, map[string]string{
		"memtable-size":         "memtable size (WriteBuffer); kvlab's lsm default",
		"l0-compaction-trigger": "L0 tables that trigger a compaction (CompactionL0Trigger)",
		"bloom-bits":            "bloom filter bits per key; 0 disables the filter",
		"block-size":            "table data block size",
		"block-cache":           "block cache size (goleveldb's default)",
		"compression":           "block compression",
	}, "snappy", "none"),
}

// levelDBEngine runs goleveldb (github.com/syndtr/goleveldb) as a kv.Engine.
type levelDBEngine struct {
	*core
	db   *leveldb.DB
	stor *syncStorage
}

var _ kv.Engine = (*levelDBEngine)(nil)

// levelDBOptions turns the engine's options into goleveldb options
// comparable to kvlab's LSM defaults.
func levelDBOptions(o kvlab.Options) (*opt.Options, error) {
	lo, err := engineOptions[LSMOptions](GoLevelDB, o)
	if err != nil {
		return nil, err
	}
	opts := &opt.Options{
		WriteBuffer:         int(lo.MemtableSize),
		CompactionL0Trigger: lo.L0CompactionTrigger,
		CompactionTotalSize: 64 << 20, // L1 target, as kvlab's lsm and Pebble
		BlockSize:           lo.BlockSize,
		BlockCacheCapacity:  int(lo.BlockCache),
		Compression:         opt.SnappyCompression,
	}
	if lo.BlockCache == 0 {
		// Not BlockCacher: opt.NoCacher, which goleveldb v1.0.0 dereferences
		// as nil when it builds the cache.
		opts.DisableBlockCache = true
	}
	if lo.Compression == "none" {
		opts.Compression = opt.NoCompression
	}
	if lo.BloomBits > 0 {
		opts.Filter = filter.NewBloomFilter(lo.BloomBits)
	}
	return opts, nil
}

// openLevelDB opens or creates a goleveldb store in dir.
func openLevelDB(dir string, o kvlab.Options) (kv.Engine, error) {
	opts, err := levelDBOptions(o)
	if err != nil {
		return nil, err
	}
	c, err := newCore("goleveldb", dir, ioBasis{})
	if err != nil {
		return nil, err
	}
	fs, err := storage.OpenFile(dir, false)
	if err != nil {
		c.release()
		return nil, fmt.Errorf("peers: goleveldb: open %s: %w", dir, err)
	}
	stor := &syncStorage{Storage: fs}
	db, err := leveldb.Open(stor, opts)
	if err != nil {
		fs.Close()
		c.release()
		return nil, fmt.Errorf("peers: goleveldb: open %s: %w", dir, err)
	}
	return &levelDBEngine{core: c, db: db, stor: stor}, nil
}

// Get implements kv.Engine. goleveldb returns its own copy of the value.
func (e *levelDBEngine) Get(key []byte) ([]byte, error) {
	if err := e.begin(); err != nil {
		return nil, err
	}
	defer e.end()
	v, err := e.db.Get(key, nil)
	if errors.Is(err, leveldb.ErrNotFound) {
		e.got(key, nil, false)
		return nil, fmt.Errorf("peers: goleveldb: get %q: %w", key, kv.ErrNotFound)
	}
	if err != nil {
		return nil, e.errf("get", err)
	}
	if v == nil {
		v = []byte{}
	}
	e.got(key, v, true)
	return v, nil
}

// Put implements kv.Engine: one unsynced write.
func (e *levelDBEngine) Put(key, value []byte) error {
	if err := checkKey(key, value, 0); err != nil {
		return e.errf("put", err)
	}
	if err := e.begin(); err != nil {
		return err
	}
	defer e.end()
	if err := e.db.Put(key, value, nil); err != nil {
		return e.errf("put", err)
	}
	e.wrote(1, 0, int64(len(key)+len(value)))
	return nil
}

// Delete implements kv.Engine: one unsynced write.
func (e *levelDBEngine) Delete(key []byte) error {
	if err := checkKey(key, nil, 0); err != nil {
		return e.errf("delete", err)
	}
	if err := e.begin(); err != nil {
		return err
	}
	defer e.end()
	if err := e.db.Delete(key, nil); err != nil {
		return e.errf("delete", err)
	}
	e.wrote(0, 1, int64(len(key)))
	return nil
}

// Write implements kv.Engine with one goleveldb batch, applied atomically.
func (e *levelDBEngine) Write(b *kv.Batch, o kv.WriteOptions) error {
	if err := b.Err(); err != nil {
		return e.errf("write", err)
	}
	if b.RangeDeletes() > 0 {
		return e.errf("write", fmt.Errorf("DeleteRange: %w", kv.ErrNotSupported))
	}
	if err := e.begin(); err != nil {
		return err
	}
	defer e.end()
	var lb leveldb.Batch
	r := b.Reader()
	for {
		kind, k, v, ok := r.Next()
		if !ok {
			break
		}
		if kind == kv.OpSet {
			lb.Put(k, v)
		} else {
			lb.Delete(k)
		}
	}
	if err := r.Err(); err != nil {
		return e.errf("write", err)
	}
	if lb.Len() > 0 {
		if err := e.db.Write(&lb, &opt.WriteOptions{Sync: o.Sync}); err != nil {
			return e.errf("write", err)
		}
	} else if o.Sync {
		// goleveldb skips an empty batch, sync included.
		if err := e.stor.sync(); err != nil {
			return e.errf("write", err)
		}
	}
	e.wrote(int64(b.Puts()), int64(b.Deletes()), b.UserBytes())
	return nil
}

// NewIterator implements kv.Engine. The iterator reads a snapshot taken now.
func (e *levelDBEngine) NewIterator(o kv.IterOptions) (kv.Iterator, error) {
	if err := e.begin(); err != nil {
		return nil, err
	}
	defer e.end()
	o = cloneBounds(o)
	var r *util.Range
	if o.LowerBound != nil || o.UpperBound != nil {
		r = &util.Range{Start: o.LowerBound, Limit: o.UpperBound}
	}
	return e.track(levelDBCursor{e.db.NewIterator(r, nil)}, o), nil
}

// Sync implements kv.Engine. goleveldb has no sync call and skips empty
// synced batches, so the adapter syncs the journal files itself (see
// syncStorage).
func (e *levelDBEngine) Sync() error {
	if err := e.begin(); err != nil {
		return err
	}
	defer e.end()
	if err := e.stor.sync(); err != nil {
		return e.errf("sync", err)
	}
	return nil
}

// Close implements kv.Engine. goleveldb closes its journal without syncing
// it; syncStorage syncs it on close.
func (e *levelDBEngine) Close() error {
	return e.shut(func() error {
		return errors.Join(e.db.Close(), e.stor.Close())
	})
}

// Stats implements kv.Engine from goleveldb's DBStats and its "stats"
// property (which, unlike DBStats, names the level of each row).
func (e *levelDBEngine) Stats() kv.Stats {
	s := e.stats()
	if e.begin() != nil {
		return s
	}
	var ds leveldb.DBStats
	err := e.db.Stats(&ds)
	text, perr := e.db.GetProperty("leveldb.stats")
	e.end()
	if err != nil {
		return s
	}
	lsm := &kv.LSMStats{Stalls: int64(ds.WriteDelayCount), StallNanos: int64(ds.WriteDelayDuration)}
	if perr == nil {
		lsm.Levels, lsm.CompactionNanos = parseLevelDBStats(text)
	}
	for _, l := range lsm.Levels {
		if l.Level == 0 {
			lsm.FlushBytes = l.BytesWritten
		} else {
			lsm.CompactionBytesOut += l.BytesWritten
		}
		lsm.CompactionBytesIn += l.BytesRead
	}
	s.LSM = lsm
	s.Extra["goleveldb.io_write_bytes"] = float64(ds.IOWrite)
	s.Extra["goleveldb.io_read_bytes"] = float64(ds.IORead)
	s.Extra["goleveldb.block_cache_bytes"] = float64(ds.BlockCacheSize)
	s.Extra["goleveldb.open_tables"] = float64(ds.OpenedTablesCount)
	return s
}

// parseLevelDBStats reads the rows "level | tables | size MB | time s |
// read MB | write MB" of goleveldb's "leveldb.stats" property. Read and
// write are compaction (and, for level 0, flush) traffic.
func parseLevelDBStats(text string) (levels []kv.LevelStats, nanos int64) {
	const mb = 1 << 20
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		f := strings.Split(sc.Text(), "|")
		if len(f) != 6 {
			continue
		}
		var n [6]float64
		ok := true
		for i, s := range f {
			v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
			if err != nil {
				ok = false
				break
			}
			n[i] = v
		}
		if !ok {
			continue // the header
		}
		levels = append(levels, kv.LevelStats{
			Level: int(n[0]), Files: int(n[1]), Bytes: int64(n[2] * mb),
			BytesRead: int64(n[4] * mb), BytesWritten: int64(n[5] * mb),
		})
		nanos += int64(n[3] * 1e9)
	}
	return levels, nanos
}

// levelDBCursor adapts a goleveldb iterator, which applies the bounds
// itself.
type levelDBCursor struct{ it lditer.Iterator }

func (c levelDBCursor) first() bool            { return c.it.First() }
func (c levelDBCursor) last() bool             { return c.it.Last() }
func (c levelDBCursor) seekGE(k []byte) bool   { return c.it.Seek(k) }
func (c levelDBCursor) next() bool             { return c.it.Next() }
func (c levelDBCursor) prev() bool             { return c.it.Prev() }
func (c levelDBCursor) key() []byte            { return c.it.Key() }
func (c levelDBCursor) value() ([]byte, error) { return c.it.Value(), nil }
func (c levelDBCursor) err() error             { return c.it.Error() }

func (c levelDBCursor) seekLT(k []byte) bool {
	if c.it.Seek(k) {
		return c.it.Prev()
	}
	if c.it.Error() != nil {
		return false
	}
	return c.it.Last()
}

func (c levelDBCursor) close() error {
	c.it.Release()
	return c.it.Error()
}

// syncStorage is goleveldb's file storage with a handle on the journal
// files, so that the adapter can make unsynced writes durable: Sync syncs
// the journals still open, and a journal is synced before it is closed
// (goleveldb closes the old journal without a sync when it switches
// memtables, and at Close).
type syncStorage struct {
	storage.Storage
	mu       sync.Mutex
	journals map[*syncWriter]struct{}
}

func (s *syncStorage) Create(fd storage.FileDesc) (storage.Writer, error) {
	w, err := s.Storage.Create(fd)
	if err != nil || fd.Type != storage.TypeJournal {
		return w, err
	}
	sw := &syncWriter{Writer: w, owner: s}
	s.mu.Lock()
	if s.journals == nil {
		s.journals = map[*syncWriter]struct{}{}
	}
	s.journals[sw] = struct{}{}
	s.mu.Unlock()
	return sw, nil
}

// sync syncs every open journal.
func (s *syncStorage) sync() error {
	s.mu.Lock()
	ws := make([]*syncWriter, 0, len(s.journals))
	for w := range s.journals {
		ws = append(ws, w)
	}
	s.mu.Unlock()
	var errs []error
	for _, w := range ws {
		errs = append(errs, w.Sync())
	}
	return errors.Join(errs...)
}

// syncWriter is a journal file that syncs before it closes.
type syncWriter struct {
	storage.Writer
	owner  *syncStorage
	mu     sync.Mutex
	closed bool
}

func (w *syncWriter) Sync() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil // synced when it closed
	}
	return w.Writer.Sync()
}

func (w *syncWriter) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil
	}
	w.closed = true
	w.owner.mu.Lock()
	delete(w.owner.journals, w)
	w.owner.mu.Unlock()
	return errors.Join(w.Writer.Sync(), w.Writer.Close())
}

// UnreportedStats names the figures Stats leaves at zero (bench.PartialStats):
// goleveldb reports per-level sizes, compaction traffic and write delays, but no flush or compaction counts, tables per Get or filter figures.
func (e *levelDBEngine) UnreportedStats() []string {
	return []string{"LSM.Flushes", "LSM.Compactions", "LSM.TablesPerGet", "LSM.BloomFalsePositives"}
}
