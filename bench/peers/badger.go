package peers

import (
	"bytes"
	"errors"
	"fmt"
	"math"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"

	"github.com/kvlab/kvlab"
	"github.com/kvlab/kvlab/internal/units"
	"github.com/kvlab/kvlab/knob"
	"github.com/kvlab/kvlab/kv"
)

// badgerKeyLimit is Badger's 65,000-byte key limit less the adapter's
// one-byte prefix.
const badgerKeyLimit = 65000 - 1

// BadgerOptions are the options of the "badger" engine: the LSM peers'
// options and Badger's value-log threshold. Start from
// DefaultBadgerOptions.
type BadgerOptions struct {
	LSMOptions
	// ValueThreshold is the size from which values go to the value log
	// rather than the tree (value-threshold). Badger refuses one above its
	// largest transaction, 15 % of MemtableSize: unless the settings name
	// value-threshold, it is lowered to fit.
	ValueThreshold int64
}

// DefaultBadgerOptions returns DefaultLSMOptions and a 1 MiB value
// threshold.
func DefaultBadgerOptions() BadgerOptions {
	return BadgerOptions{LSMOptions: DefaultLSMOptions(), ValueThreshold: 1 << 20}
}

// maxBadgerBatch is Badger's largest transaction, 15 % of the memtable.
func (o BadgerOptions) maxBadgerBatch() int64 { return o.MemtableSize * 15 / 100 }

// badgerKnobs are the options of the "badger" engine.
var badgerKnobs = &knob.Set[BadgerOptions]{
	Name:     Badger,
	Defaults: DefaultBadgerOptions,
	Knobs: append(lsmKnobs(func(o *BadgerOptions) *LSMOptions { return &o.LSMOptions }, map[string]string{
		"memtable-size":         "memtable size (MemTableSize); kvlab's lsm default",
		"l0-compaction-trigger": "L0 tables that trigger a compaction (NumLevelZeroTables)",
		"bloom-bits":            "bloom filter bits per key, as a false-positive rate exp(-bits·ln²2)",
		"block-size":            "table block size",
		"block-cache":           "block cache size (Badger's default is 256 MiB)",
		"compression":           "block compression",
	}, "snappy", "zstd", "none"),
		knob.Size("value-threshold", func(o *BadgerOptions) *int64 { return &o.ValueThreshold }, 0, 1<<20,
			"values at least this large go to the value log (at most 15 % of memtable-size; the default is lowered to fit)")),
	// A default threshold is lowered to fit the memtable; an explicit one
	// that does not fit is an error.
	Adjust: func(o *BadgerOptions, given map[string]string) {
		if _, explicit := given["value-threshold"]; !explicit {
			o.ValueThreshold = min(o.ValueThreshold, o.maxBadgerBatch())
		}
	},
	Validate: func(o BadgerOptions) error {
		if o.ValueThreshold > o.maxBadgerBatch() {
			return fmt.Errorf("badger.value-threshold=%s exceeds Badger's largest transaction, 15%% of memtable-size (%d bytes)",
				units.FormatSizeExact(o.ValueThreshold), o.maxBadgerBatch())
		}
		return nil
	},
}

// badgerEngine runs Badger (github.com/dgraph-io/badger/v4) as a kv.Engine.
// Every key is stored behind keyPrefix (Badger refuses the empty key and
// reserves "!badger!").
type badgerEngine struct {
	*core
	db *badger.DB
}

var _ kv.Engine = (*badgerEngine)(nil)

// badgerOptions turns the engine's options into Badger options comparable
// to kvlab's LSM defaults.
func badgerOptions(dir string, o kvlab.Options) (badger.Options, error) {
	bo, err := engineOptions[BadgerOptions](Badger, o)
	if err != nil {
		return badger.Options{}, err
	}
	l0 := bo.L0CompactionTrigger
	ctype := map[string]options.CompressionType{"snappy": options.Snappy, "zstd": options.ZSTD, "none": options.None}[bo.Compression]
	fp := 0.0 // no filter
	if bo.BloomBits > 0 {
		fp = math.Exp(-float64(bo.BloomBits) * math.Ln2 * math.Ln2)
	}
	opts := badger.DefaultOptions(dir).
		WithLogger(nil).
		WithSyncWrites(false).
		WithDetectConflicts(false).
		WithMemTableSize(bo.MemtableSize).
		WithNumLevelZeroTables(l0).
		WithNumLevelZeroTablesStall(max(l0*3, 15)).
		WithBaseLevelSize(64 << 20).
		WithBloomFalsePositive(fp).
		WithBlockSize(bo.BlockSize).
		WithBlockCacheSize(bo.BlockCache).
		WithCompression(ctype).
		WithValueThreshold(bo.ValueThreshold)
	return opts, nil
}

// openBadger opens or creates a Badger store in dir.
func openBadger(dir string, o kvlab.Options) (kv.Engine, error) {
	opts, err := badgerOptions(dir, o)
	if err != nil {
		return nil, err
	}
	c, err := newCore("badger", dir, ioBasis{writeDevice: true, readDevice: true})
	if err != nil {
		return nil, err
	}
	db, err := badger.Open(opts)
	if err != nil {
		c.release()
		return nil, fmt.Errorf("peers: badger: open %s: %w", dir, err)
	}
	return &badgerEngine{core: c, db: db}, nil
}

// Get implements kv.Engine.
func (e *badgerEngine) Get(key []byte) ([]byte, error) {
	if err := e.begin(); err != nil {
		return nil, err
	}
	defer e.end()
	txn := e.db.NewTransaction(false)
	defer txn.Discard()
	item, err := txn.Get(encodeKey(key))
	if errors.Is(err, badger.ErrKeyNotFound) {
		e.got(key, nil, false)
		return nil, fmt.Errorf("peers: badger: get %q: %w", key, kv.ErrNotFound)
	}
	if err != nil {
		return nil, e.errf("get", err)
	}
	v, err := item.ValueCopy(nil)
	if err != nil {
		return nil, e.errf("get", err)
	}
	e.got(key, v, true)
	return v, nil
}

// Put implements kv.Engine: a one-entry transaction, not synced.
func (e *badgerEngine) Put(key, value []byte) error {
	if err := checkKey(key, value, badgerKeyLimit); err != nil {
		return e.errf("put", err)
	}
	return e.update("put", func(txn *badger.Txn) error { return txn.Set(encodeKey(key), value) },
		false, 1, 0, int64(len(key)+len(value)))
}

// Delete implements kv.Engine: a one-entry transaction, not synced.
func (e *badgerEngine) Delete(key []byte) error {
	if err := checkKey(key, nil, badgerKeyLimit); err != nil {
		return e.errf("delete", err)
	}
	return e.update("delete", func(txn *badger.Txn) error { return txn.Delete(encodeKey(key)) },
		false, 0, 1, int64(len(key)))
}

// Write implements kv.Engine with one Badger transaction: atomic, and
// refused whole (ErrTxnTooBig) beyond Badger's transaction size.
func (e *badgerEngine) Write(b *kv.Batch, o kv.WriteOptions) error {
	if err := b.Err(); err != nil {
		return e.errf("write", err)
	}
	if b.RangeDeletes() > 0 {
		return e.errf("write", fmt.Errorf("DeleteRange: %w", kv.ErrNotSupported))
	}
	if n := b.MaxKeyLen(); n > badgerKeyLimit {
		return e.errf("write", &kv.SizeError{Err: kv.ErrKeyTooLarge, Size: n, Limit: badgerKeyLimit})
	}
	apply := func(txn *badger.Txn) error {
		r := b.Reader()
		for {
			kind, k, v, ok := r.Next()
			if !ok {
				return nil
			}
			var err error
			if kind == kv.OpSet {
				err = txn.Set(encodeKey(k), v)
			} else {
				err = txn.Delete(encodeKey(k))
			}
			if err != nil {
				return err
			}
		}
	}
	return e.update("write", apply, o.Sync, int64(b.Puts()), int64(b.Deletes()), b.UserBytes())
}

// update runs fn in a read-write transaction and commits it; with sync, the
// value log and memtable log are synced after the commit.
func (e *badgerEngine) update(op string, fn func(*badger.Txn) error, sync bool, sets, dels, user int64) error {
	if err := e.begin(); err != nil {
		return err
	}
	defer e.end()
	if sets+dels > 0 {
		if err := e.db.Update(fn); err != nil {
			return e.errf(op, err)
		}
	}
	if sync {
		if err := e.db.Sync(); err != nil {
			return e.errf(op, err)
		}
	}
	e.wrote(sets, dels, user)
	return nil
}

// NewIterator implements kv.Engine. The iterator reads the snapshot of a
// read-only transaction opened now.
func (e *badgerEngine) NewIterator(o kv.IterOptions) (kv.Iterator, error) {
	if err := e.begin(); err != nil {
		return nil, err
	}
	defer e.end()
	o = cloneBounds(o)
	return e.track(&badgerCursor{txn: e.db.NewTransaction(false)}, o), nil
}

// Sync implements kv.Engine.
func (e *badgerEngine) Sync() error {
	if err := e.begin(); err != nil {
		return err
	}
	defer e.end()
	if err := e.db.Sync(); err != nil {
		return e.errf("sync", err)
	}
	return nil
}

// Close implements kv.Engine. Badger flushes its memtable on close.
func (e *badgerEngine) Close() error {
	return e.shut(e.db.Close)
}

// Stats implements kv.Engine from Badger's level and cache figures.
func (e *badgerEngine) Stats() kv.Stats {
	s := e.stats()
	if e.begin() != nil {
		return s
	}
	defer e.end()
	lsmSize, vlogSize := e.db.Size()
	lsm := &kv.LSMStats{}
	for _, l := range e.db.Levels() {
		lsm.Levels = append(lsm.Levels, kv.LevelStats{Level: l.Level, Files: l.NumTables, Bytes: l.Size, Score: l.Score})
	}
	s.LSM = lsm
	if m := e.db.BlockCacheMetrics(); m != nil {
		s.CacheHits, s.CacheMisses = int64(m.Hits()), int64(m.Misses())
	}
	s.Extra["badger.lsm_bytes"] = float64(lsmSize)
	s.Extra["badger.vlog_bytes"] = float64(vlogSize)
	return s
}

// badgerCursor moves over a read-only transaction with two Badger
// iterators, one forward and one reverse (a Badger iterator has one
// direction), created when first needed. Switching direction re-seeks the
// other iterator to the current key.
type badgerCursor struct {
	txn      *badger.Txn
	fwd, rev *badger.Iterator
	item     *badger.Item // current item, of fwd or rev
	onRev    bool         // the current item is rev's
	val      []byte       // value buffer, reused
}

func (c *badgerCursor) forward() *badger.Iterator {
	if c.fwd == nil {
		c.fwd = c.txn.NewIterator(badger.IteratorOptions{Prefix: prefixStart})
	}
	return c.fwd
}

func (c *badgerCursor) reverse() *badger.Iterator {
	if c.rev == nil {
		c.rev = c.txn.NewIterator(badger.IteratorOptions{Prefix: prefixStart, Reverse: true})
	}
	return c.rev
}

func (c *badgerCursor) settle(it *badger.Iterator) bool {
	c.onRev = it == c.rev
	if it.Valid() {
		c.item = it.Item()
		return true
	}
	c.item = nil
	return false
}

// seekFwd positions fwd at the first key >= enc (> enc when strict).
func (c *badgerCursor) seekFwd(enc []byte, strict bool) bool {
	it := c.forward()
	it.Seek(enc)
	if strict && it.Valid() && bytes.Equal(it.Item().Key(), enc) {
		it.Next()
	}
	return c.settle(it)
}

// seekRev positions rev at the last key < enc (<= enc unless strict).
func (c *badgerCursor) seekRev(enc []byte, strict bool) bool {
	it := c.reverse()
	it.Seek(enc)
	if strict && it.Valid() && bytes.Equal(it.Item().Key(), enc) {
		it.Next()
	}
	return c.settle(it)
}

func (c *badgerCursor) first() bool          { return c.seekFwd(prefixStart, false) }
func (c *badgerCursor) last() bool           { return c.seekRev(prefixEnd, true) }
func (c *badgerCursor) seekGE(k []byte) bool { return c.seekFwd(encodeKey(k), false) }
func (c *badgerCursor) seekLT(k []byte) bool { return c.seekRev(encodeKey(k), true) }
func (c *badgerCursor) key() []byte          { return c.item.Key()[1:] }
func (c *badgerCursor) err() error           { return nil }

func (c *badgerCursor) next() bool {
	if !c.onRev {
		c.fwd.Next()
		return c.settle(c.fwd)
	}
	return c.seekFwd(c.item.KeyCopy(nil), true)
}

func (c *badgerCursor) prev() bool {
	if c.onRev {
		c.rev.Next()
		return c.settle(c.rev)
	}
	return c.seekRev(c.item.KeyCopy(nil), true)
}

func (c *badgerCursor) value() ([]byte, error) {
	v, err := c.item.ValueCopy(c.val)
	c.val = v
	return v, err
}

func (c *badgerCursor) close() error {
	if c.fwd != nil {
		c.fwd.Close()
	}
	if c.rev != nil {
		c.rev.Close()
	}
	c.txn.Discard()
	return nil
}

// UnreportedStats names the figures Stats leaves at zero (bench.PartialStats):
// Badger reports its levels' tables and sizes only.
func (e *badgerEngine) UnreportedStats() []string {
	return []string{"LSM.Flushes", "LSM.Compactions", "LSM.Stalls", "LSM.TablesPerGet", "LSM.BloomFalsePositives"}
}
