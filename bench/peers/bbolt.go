package peers

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/kvlab/kvlab"
	"github.com/kvlab/kvlab/internal/units"
	"github.com/kvlab/kvlab/knob"
	"github.com/kvlab/kvlab/kv"
)

// boltKeyLimit is bbolt's 32,768-byte key limit less the adapter's
// one-byte prefix.
const boltKeyLimit = bolt.MaxKeySize - 1

// boltFile is the store's file inside the engine's directory; boltBucket is
// the one bucket that holds every key.
const boltFile = "bbolt.db"

var boltBucket = []byte("kv")

// BboltOptions are the options of the "bbolt" engine. Start from
// DefaultBboltOptions.
type BboltOptions struct {
	// BatchSize is the number of single Puts and Deletes committed together
	// in one transaction; 1 commits each alone (batch-size).
	BatchSize int
	// NoSync skips the fsync of each commit (bbolt's NoSync); Sync and
	// synced writes still sync (no-sync).
	NoSync bool
	// PageSize is the page size of a new file, a power of two from 1 KiB
	// to 64 KiB (page-size).
	PageSize int
}

// DefaultBboltOptions returns the defaults: groups of 1000 writes, no
// fsync per commit, 4 KiB pages.
func DefaultBboltOptions() BboltOptions {
	return BboltOptions{BatchSize: 1000, NoSync: true, PageSize: 4 << 10}
}

// boltKnobs are the options of the "bbolt" engine.
var boltKnobs = &knob.Set[BboltOptions]{
	Name:     Bbolt,
	Defaults: DefaultBboltOptions,
	Knobs: []knob.Knob[BboltOptions]{
		knob.Count("batch-size", func(o *BboltOptions) *int { return &o.BatchSize }, 1, 1_000_000,
			"single Puts and Deletes committed together in one transaction; 1 commits each alone"),
		knob.Bool("no-sync", func(o *BboltOptions) *bool { return &o.NoSync },
			"skip the fsync of each commit (bbolt's NoSync); Sync and synced writes still sync"),
		knob.Size("page-size", func(o *BboltOptions) *int { return &o.PageSize }, 1<<10, 64<<10,
			"page size of a new file, a power of two"),
	},
	Validate: func(o BboltOptions) error {
		if o.PageSize&(o.PageSize-1) != 0 {
			return fmt.Errorf("bbolt.page-size=%s: not a power of two", units.FormatSizeExact(int64(o.PageSize)))
		}
		return nil
	},
}

// boltEngine runs bbolt (go.etcd.io/bbolt) as a kv.Engine. Single Puts and
// Deletes are buffered and committed in groups (see the package
// documentation); every key is stored behind keyPrefix (bbolt refuses the
// empty key).
type boltEngine struct {
	*core
	db        *bolt.DB
	groupSize int

	// pmu guards the buffered writes. It is held exclusively from the
	// moment a group is taken until its commit is done, so a Get that
	// misses the buffer finds every earlier write in the file.
	pmu     sync.RWMutex
	pending map[string]pendingOp
	ops     int // operations buffered, superseded ones included

	commits     atomic.Int64
	commitNanos atomic.Int64
}

// pendingOp is a buffered write: a value, or a deletion.
type pendingOp struct {
	value   []byte
	deleted bool
}

var _ kv.Engine = (*boltEngine)(nil)

// openBolt opens or creates a bbolt store in dir.
func openBolt(dir string, o kvlab.Options) (kv.Engine, error) {
	bo, err := engineOptions[BboltOptions](Bbolt, o)
	if err != nil {
		return nil, err
	}
	c, err := newCore("bbolt", dir, ioBasis{readDevice: true})
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		c.release()
		return nil, fmt.Errorf("peers: bbolt: %w", err)
	}
	db, err := bolt.Open(filepath.Join(dir, boltFile), 0o644, &bolt.Options{
		Timeout:        100 * time.Millisecond, // the file lock: fail rather than wait
		NoSync:         bo.NoSync,
		NoFreelistSync: true,
		FreelistType:   bolt.FreelistMapType,
		PageSize:       bo.PageSize,
	})
	if err != nil {
		c.release()
		return nil, fmt.Errorf("peers: bbolt: open %s: %w", dir, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(boltBucket)
		return err
	})
	if err != nil {
		db.Close()
		c.release()
		return nil, fmt.Errorf("peers: bbolt: open %s: %w", dir, err)
	}
	return &boltEngine{core: c, db: db, groupSize: bo.BatchSize, pending: map[string]pendingOp{}}, nil
}

// Get implements kv.Engine: the buffered writes first, then the file.
func (e *boltEngine) Get(key []byte) ([]byte, error) {
	if err := e.begin(); err != nil {
		return nil, err
	}
	defer e.end()
	e.pmu.RLock()
	op, buffered := e.pending[string(key)]
	e.pmu.RUnlock()
	var out []byte
	found := false
	if buffered {
		out, found = append(make([]byte, 0, len(op.value)), op.value...), !op.deleted
	} else {
		err := e.db.View(func(tx *bolt.Tx) error {
			// The slice bbolt returns lives in its memory map, valid only
			// within the transaction: copy it here.
			if got := tx.Bucket(boltBucket).Get(encodeKey(key)); got != nil {
				out, found = append(make([]byte, 0, len(got)), got...), true
			}
			return nil
		})
		if err != nil {
			return nil, e.errf("get", err)
		}
	}
	if !found {
		e.got(key, nil, false)
		return nil, fmt.Errorf("peers: bbolt: get %q: %w", key, kv.ErrNotFound)
	}
	e.got(key, out, true)
	return out, nil
}

// Put implements kv.Engine: buffered, committed with its group.
func (e *boltEngine) Put(key, value []byte) error {
	if err := checkKey(key, value, boltKeyLimit); err != nil {
		return e.errf("put", err)
	}
	return e.buffer("put", func() {
		e.pending[string(key)] = pendingOp{value: append(make([]byte, 0, len(value)), value...)}
		e.ops++
	}, false, false, 1, 0, int64(len(key)+len(value)))
}

// Delete implements kv.Engine: buffered, committed with its group.
func (e *boltEngine) Delete(key []byte) error {
	if err := checkKey(key, nil, boltKeyLimit); err != nil {
		return e.errf("delete", err)
	}
	return e.buffer("delete", func() {
		e.pending[string(key)] = pendingOp{deleted: true}
		e.ops++
	}, false, false, 0, 1, int64(len(key)))
}

// Write implements kv.Engine: the batch joins the buffered group, which is
// committed at once in one transaction, so the batch is atomic.
func (e *boltEngine) Write(b *kv.Batch, o kv.WriteOptions) error {
	if err := b.Err(); err != nil {
		return e.errf("write", err)
	}
	if b.RangeDeletes() > 0 {
		return e.errf("write", fmt.Errorf("DeleteRange: %w", kv.ErrNotSupported))
	}
	if n := b.MaxKeyLen(); n > boltKeyLimit {
		return e.errf("write", &kv.SizeError{Err: kv.ErrKeyTooLarge, Size: n, Limit: boltKeyLimit})
	}
	add := func() {
		r := b.Reader()
		for {
			kind, k, v, ok := r.Next()
			if !ok {
				return
			}
			if kind == kv.OpSet {
				e.pending[string(k)] = pendingOp{value: append(make([]byte, 0, len(v)), v...)}
			} else {
				e.pending[string(k)] = pendingOp{deleted: true}
			}
			e.ops++
		}
	}
	return e.buffer("write", add, true, o.Sync, int64(b.Puts()), int64(b.Deletes()), b.UserBytes())
}

// buffer adds writes to the group under pmu, commits the group when it is
// full or when commit is set, and syncs the file when sync is set.
func (e *boltEngine) buffer(op string, add func(), commit, sync bool, sets, dels, user int64) error {
	if err := e.begin(); err != nil {
		return err
	}
	defer e.end()
	e.pmu.Lock()
	add()
	var err error
	if commit || sync || e.ops >= e.groupSize {
		err = e.commitLocked()
	}
	e.pmu.Unlock()
	if err == nil && sync {
		err = e.db.Sync()
	}
	if err != nil {
		return e.errf(op, err)
	}
	e.wrote(sets, dels, user)
	return nil
}

// commitLocked commits the buffered writes in one transaction, in key
// order. On failure the writes stay buffered, and the next commit retries
// them. The caller holds pmu.
func (e *boltEngine) commitLocked() error {
	if len(e.pending) == 0 {
		e.ops = 0
		return nil
	}
	keys := make([]string, 0, len(e.pending))
	for k := range e.pending {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	start := time.Now()
	err := e.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(boltBucket)
		for _, k := range keys {
			op := e.pending[k]
			var err error
			if op.deleted {
				err = b.Delete(encodeKey([]byte(k)))
			} else {
				err = b.Put(encodeKey([]byte(k)), op.value)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	e.commits.Add(1)
	e.commitNanos.Add(int64(time.Since(start)))
	clear(e.pending)
	e.ops = 0
	return nil
}

// flush commits the buffered writes.
func (e *boltEngine) flush() error {
	e.pmu.Lock()
	defer e.pmu.Unlock()
	return e.commitLocked()
}

// NewIterator implements kv.Engine. It commits the buffered writes first,
// then reads in chunks (see boltCursor).
func (e *boltEngine) NewIterator(o kv.IterOptions) (kv.Iterator, error) {
	if err := e.begin(); err != nil {
		return nil, err
	}
	defer e.end()
	if err := e.flush(); err != nil {
		return nil, e.errf("new iterator", err)
	}
	o = cloneBounds(o)
	return e.track(newBoltCursor(e.db, o), o), nil
}

// Sync implements kv.Engine: commit the group, then fsync the file.
func (e *boltEngine) Sync() error {
	if err := e.begin(); err != nil {
		return err
	}
	defer e.end()
	if err := e.flush(); err != nil {
		return e.errf("sync", err)
	}
	if err := e.db.Sync(); err != nil {
		return e.errf("sync", err)
	}
	return nil
}

// Close implements kv.Engine: commit the group, fsync, close.
func (e *boltEngine) Close() error {
	return e.shut(func() error {
		if err := e.flush(); err != nil {
			e.db.Close()
			return err
		}
		if err := e.db.Sync(); err != nil {
			e.db.Close()
			return err
		}
		return e.db.Close()
	})
}

// Stats implements kv.Engine from bbolt's Stats and the bucket's page
// statistics (which walk the tree: O(pages)).
func (e *boltEngine) Stats() kv.Stats {
	s := e.stats()
	if e.begin() != nil {
		return s
	}
	defer e.end()
	ds := e.db.Stats()
	var bs bolt.BucketStats
	_ = e.db.View(func(tx *bolt.Tx) error {
		bs = tx.Bucket(boltBucket).Stats()
		return nil
	})
	e.pmu.RLock()
	buffered := e.ops
	e.pmu.RUnlock()
	bt := &kv.BTreeStats{
		Height:        bs.Depth,
		PageSize:      e.db.Info().PageSize,
		LeafPages:     int64(bs.LeafPageN),
		BranchPages:   int64(bs.BranchPageN),
		OverflowPages: int64(bs.LeafOverflowN + bs.BranchOverflowN),
		FreePages:     int64(ds.FreePageN),
		Checkpoints:   e.commits.Load(),
	}
	if bs.LeafAlloc > 0 {
		bt.FillFactor = float64(bs.LeafInuse) / float64(bs.LeafAlloc)
	}
	if n := s.Ops.Puts + s.Ops.Deletes; n > 0 {
		bt.PagesWrittenPerOp = float64(ds.TxStats.GetWrite()) / float64(n)
	}
	s.BTree = bt
	x := s.Extra
	x["bbolt.commits"] = float64(e.commits.Load())
	x["bbolt.commit_nanos"] = float64(e.commitNanos.Load())
	x["bbolt.buffered_ops"] = float64(buffered)
	x["bbolt.page_writes"] = float64(ds.TxStats.GetWrite())
	x["bbolt.page_allocs"] = float64(ds.TxStats.GetPageCount())
	x["bbolt.pending_pages"] = float64(ds.PendingPageN)
	x["bbolt.keys"] = float64(bs.KeyN)
	x["bbolt.read_txs"] = float64(ds.TxN)
	return s
}

// UnreportedStats names the figures Stats leaves at zero (bench.PartialStats):
// bbolt counts pages written by commits but not pages read, and it reads
// its file through a memory map, which /proc/self/io's read counters (the
// peers' I/O accounting) do not see: its read amplification is unmeasured.
func (e *boltEngine) UnreportedStats() []string {
	return []string{"BTree.PagesReadPerOp", "BTree.CheckpointBytes", "Phase.ReadAmp"}
}

// WriteGroup implements bench.GroupedWrites: single Puts and Deletes are
// buffered and committed batch-size at a time, so their latency is marked
// in the report and the commits are reported on their own.
func (e *boltEngine) WriteGroup() int { return e.groupSize }

// Commits implements bench.GroupedWrites: the commits so far and their time.
func (e *boltEngine) Commits() (int64, time.Duration) {
	return e.commits.Load(), time.Duration(e.commitNanos.Load())
}
