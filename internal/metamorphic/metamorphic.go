// Package metamorphic runs one seeded sequence of operations against the
// memory model (kv/memory) and against the LSM and B+tree engines under
// several randomized option sets, with reopens and crash clones in between,
// and requires every Get and every scan to return the same result on all of
// them (issue 13 item 10).
//
// A crash is taken after a Sync, keeping only synced data
// (vfs.MemFS.CrashClone), so every engine must come back with every write:
// the results stay comparable. What a crash may lose is the crash tests'
// subject (kv/kvtest), not this package's.
package metamorphic

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/kvlab/kvlab/btree"
	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/kv/memory"
	"github.com/kvlab/kvlab/lsm"
	"github.com/kvlab/kvlab/vfs"
)

// Options tune Run.
type Options struct {
	Seed uint64
	// Ops is the number of operations (default 2000).
	Ops int
	// OptionSets is the number of randomized option sets per engine
	// (default 3).
	OptionSets int
	// Keys is the size of the key space (default 500).
	Keys int
	// RangeDeletes mixes DeleteRange operations into the batches. A
	// target whose engine refuses them (kv.ErrNotSupported) is left out of
	// the run, and named in Result.Skipped.
	RangeDeletes bool
}

// Result counts what Run did.
type Result struct {
	Targets  []string       // each engine configuration, described
	Ops      map[string]int // operations by kind
	Compared int            // results compared across all targets
	Reopens  int
	Crashes  int
	Skipped  []string // targets left out: their engine refuses range deletes
}

const dir = "/db"

// target is one engine configuration under test.
type target struct {
	name  string
	open  func(fs vfs.FS) (kv.Engine, error)
	fs    *vfs.MemFS // nil for the memory model
	db    kv.Engine
	model bool
}

func randomLSM(r *rand.Rand) (lsm.Options, string) {
	o := lsm.DefaultOptions()
	o.MemtableSize = int64(64<<10) << r.IntN(4)
	o.MaxImmutableMemtables = 1 + r.IntN(3)
	o.BlockSize = 256 << r.IntN(5)
	o.RestartInterval = 1 + r.IntN(32)
	o.BloomBitsPerKey = []int{0, 4, 10}[r.IntN(3)]
	o.Compression = r.IntN(2) == 0
	o.L0CompactionTrigger = 1 + r.IntN(4)
	o.L0SlowdownTrigger = o.L0CompactionTrigger + r.IntN(4)
	o.L0StopTrigger = o.L0SlowdownTrigger + 1 + r.IntN(4)
	o.LevelRatio = 2 + float64(r.IntN(9))
	o.TargetFileSize = int64(16<<10) << r.IntN(4)
	o.L1TargetSize = int64(64<<10) << r.IntN(4)
	o.MaxManifestSize = int64(1<<10) << r.IntN(6)
	o.BlockCacheSize = []int64{0, 64 << 10, 8 << 20}[r.IntN(3)]
	desc := fmt.Sprintf("lsm{memtable %dK, imm %d, block %d, restart %d, bloom %d, snappy %v, L0 %d/%d/%d, ratio %.0f, file %dK, L1 %dK, manifest %dK, cache %dK}",
		o.MemtableSize>>10, o.MaxImmutableMemtables, o.BlockSize, o.RestartInterval, o.BloomBitsPerKey, o.Compression,
		o.L0CompactionTrigger, o.L0SlowdownTrigger, o.L0StopTrigger, o.LevelRatio, o.TargetFileSize>>10, o.L1TargetSize>>10,
		o.MaxManifestSize>>10, o.BlockCacheSize>>10)
	return o, desc
}

func randomBTree(r *rand.Rand) (btree.Options, string) {
	o := btree.DefaultOptions()
	o.PageSize = btree.MinPageSize << r.IntN(4)
	o.PoolSize = int64(o.PageSize) * int64(16<<r.IntN(5))
	o.CheckpointSize = int64(8<<10) << r.IntN(7)
	if r.IntN(2) == 0 {
		o.OverflowThreshold = 32 + r.IntN(200)
	}
	desc := fmt.Sprintf("btree{page %d, pool %dK, checkpoint %dK, overflow %d}", o.PageSize, o.PoolSize>>10, o.CheckpointSize>>10, o.OverflowThreshold)
	return o, desc
}

func targets(o Options) ([]*target, error) {
	r := rand.New(rand.NewPCG(o.Seed, 0x6d65746d))
	ts := []*target{{name: "memory", model: true, db: memory.New()}}
	for i := 0; i < o.OptionSets; i++ {
		lo, ldesc := randomLSM(r)
		if err := lo.Validate(); err != nil {
			return nil, fmt.Errorf("%s: %w", ldesc, err)
		}
		ts = append(ts, &target{name: ldesc, fs: vfs.NewMem(), open: func(fs vfs.FS) (kv.Engine, error) { return lsm.Open(fs, dir, lo) }})
		bo, bdesc := randomBTree(r)
		if err := bo.Validate(); err != nil {
			return nil, fmt.Errorf("%s: %w", bdesc, err)
		}
		ts = append(ts, &target{name: bdesc, fs: vfs.NewMem(), open: func(fs vfs.FS) (kv.Engine, error) { return btree.Open(fs, dir, bo) }})
	}
	for _, t := range ts {
		if t.model {
			continue
		}
		db, err := t.open(t.fs)
		if err != nil {
			return nil, fmt.Errorf("%s: open: %w", t.name, err)
		}
		t.db = db
	}
	return ts, nil
}

// dropNoRangeDeletes closes and removes the targets whose engine refuses
// range deletes, probed with an empty range (which deletes nothing), and
// returns the names of those removed.
func dropNoRangeDeletes(ts []*target) ([]*target, []string, error) {
	var keep []*target
	var skipped []string
	for _, t := range ts {
		var b kv.Batch
		b.DeleteRange([]byte("probe"), []byte("probe"))
		err := t.db.Write(&b, kv.WriteOptions{})
		switch {
		case err == nil:
			keep = append(keep, t)
		case errors.Is(err, kv.ErrNotSupported):
			t.db.Close()
			skipped = append(skipped, t.name)
		default:
			return nil, nil, fmt.Errorf("%s: range delete probe: %w", t.name, err)
		}
	}
	return keep, skipped, nil
}

// Mismatch reports results that differ between targets.
type Mismatch struct {
	Op      int
	What    string
	Results map[string]string // target name -> result
}

func (m *Mismatch) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "op %d: %s: results differ:", m.Op, m.What)
	for n, r := range m.Results {
		fmt.Fprintf(&b, "\n  %s: %.200s", n, r)
	}
	return b.String()
}

// Run runs the sequence. It returns a *Mismatch when two targets disagree,
// or another error when an operation fails on a target.
func Run(o Options) (*Result, error) {
	if o.Ops <= 0 {
		o.Ops = 2000
	}
	if o.OptionSets <= 0 {
		o.OptionSets = 3
	}
	if o.Keys <= 0 {
		o.Keys = 500
	}
	ts, err := targets(o)
	if err != nil {
		return nil, err
	}
	var skipped []string
	if o.RangeDeletes {
		if ts, skipped, err = dropNoRangeDeletes(ts); err != nil {
			return nil, err
		}
	}
	defer func() {
		for _, t := range ts {
			if t.db != nil {
				t.db.Close()
			}
		}
	}()
	res := &Result{Ops: map[string]int{}, Skipped: skipped}
	for _, t := range ts {
		res.Targets = append(res.Targets, t.name)
	}
	r := rand.New(rand.NewPCG(o.Seed, 0x6f7073))
	key := func() []byte {
		// A skewed key space: hot keys, and keys sharing long prefixes.
		if r.IntN(4) == 0 {
			return []byte(fmt.Sprintf("hot%02d", r.IntN(20)))
		}
		return []byte(fmt.Sprintf("key%06d%s", r.IntN(o.Keys), strings.Repeat("/", r.IntN(3))))
	}
	value := func(i int) []byte {
		n := r.IntN(40)
		if r.IntN(20) == 0 {
			n = 500 + r.IntN(6000) // overflow pages, big blocks
		}
		v := []byte(fmt.Sprintf("op%d.", i))
		for len(v) < n {
			v = append(v, byte('a'+r.IntN(26)))
		}
		return v
	}
	// each applies fn to every target and requires equal results.
	each := func(i int, what string, fn func(db kv.Engine) string) error {
		results := map[string]string{}
		var first string
		same := true
		for j, t := range ts {
			got := fn(t.db)
			results[t.name] = got
			if j == 0 {
				first = got
			} else if got != first {
				same = false
			}
		}
		res.Compared++
		if !same {
			return &Mismatch{Op: i, What: what, Results: results}
		}
		return nil
	}
	errString := func(err error) string {
		switch {
		case err == nil:
			return "ok"
		case err == kv.ErrNotFound || strings.Contains(err.Error(), kv.ErrNotFound.Error()):
			return "not found"
		}
		return "error: " + err.Error()
	}
	for i := 0; i < o.Ops; i++ {
		var err error
		switch p := r.IntN(100); {
		case p < 30:
			res.Ops["put"]++
			k, v := key(), value(i)
			err = each(i, fmt.Sprintf("Put(%s)", k), func(db kv.Engine) string { return errString(db.Put(k, v)) })
		case p < 40:
			res.Ops["delete"]++
			k := key()
			err = each(i, fmt.Sprintf("Delete(%s)", k), func(db kv.Engine) string { return errString(db.Delete(k)) })
		case p < 50:
			res.Ops["batch"]++
			var b kv.Batch
			for j := r.IntN(20); j >= 0; j-- {
				if o.RangeDeletes && r.IntN(5) == 0 {
					// Mostly narrow ranges, sometimes the hot keys.
					lo := r.IntN(o.Keys)
					start, end := fmt.Sprintf("key%06d", lo), fmt.Sprintf("key%06d", lo+r.IntN(40))
					if r.IntN(5) == 0 {
						start, end = fmt.Sprintf("hot%02d", r.IntN(20)), fmt.Sprintf("hot%02d", 10+r.IntN(15))
					}
					if start > end {
						start, end = end, start
					}
					b.DeleteRange([]byte(start), []byte(end))
					res.Ops["deleterange"]++
				} else if r.IntN(4) == 0 {
					b.Delete(key())
				} else {
					b.Put(key(), value(i))
				}
			}
			sync := r.IntN(8) == 0
			err = each(i, "Write(batch)", func(db kv.Engine) string { return errString(db.Write(&b, kv.WriteOptions{Sync: sync})) })
		case p < 75:
			res.Ops["get"]++
			k := key()
			err = each(i, fmt.Sprintf("Get(%s)", k), func(db kv.Engine) string {
				v, err := db.Get(k)
				return errString(err) + " " + string(v)
			})
		case p < 95:
			res.Ops["scan"]++
			var io kv.IterOptions
			if r.IntN(2) == 0 {
				io.LowerBound = key()
			}
			if r.IntN(2) == 0 {
				io.UpperBound = key()
			}
			mode, start, limit := r.IntN(4), key(), 1+r.IntN(50)
			err = each(i, fmt.Sprintf("scan(%q..%q, mode %d from %s, %d)", io.LowerBound, io.UpperBound, mode, start, limit), func(db kv.Engine) string {
				return scan(db, io, mode, start, limit)
			})
		case p < 97:
			res.Ops["sync"]++
			err = each(i, "Sync", func(db kv.Engine) string { return errString(db.Sync()) })
		case p < 99:
			res.Ops["reopen"]++
			res.Reopens++
			err = reopen(ts, false)
		default:
			res.Ops["crash"]++
			res.Crashes++
			err = reopen(ts, true)
		}
		if err != nil {
			return res, err
		}
	}
	// A last full comparison after a final crash and reopen.
	if err := reopen(ts, true); err != nil {
		return res, err
	}
	err = each(o.Ops, "final full scan", func(db kv.Engine) string { return scan(db, kv.IterOptions{}, 0, nil, 1<<30) })
	return res, err
}

// scan runs a scan in one of four modes (First/Next, Last/Prev,
// SeekGE/Next, SeekLT/Prev) and returns what it saw.
func scan(db kv.Engine, o kv.IterOptions, mode int, start []byte, limit int) string {
	it, err := db.NewIterator(o)
	if err != nil {
		return "error: " + err.Error()
	}
	defer it.Close()
	var b bytes.Buffer
	var ok bool
	switch mode {
	case 0:
		ok = it.First()
	case 1:
		ok = it.Last()
	case 2:
		ok = it.SeekGE(start)
	default:
		ok = it.SeekLT(start)
	}
	for n := 0; ok && n < limit; n++ {
		fmt.Fprintf(&b, "%s=%x;", it.Key(), shortHash(it.Value()))
		if mode == 0 || mode == 2 {
			ok = it.Next()
		} else {
			ok = it.Prev()
		}
	}
	if err := it.Err(); err != nil {
		fmt.Fprintf(&b, " error: %v", err)
	}
	return b.String()
}

func shortHash(v []byte) uint64 {
	var h uint64 = 14695981039346656037
	for _, c := range v {
		h ^= uint64(c)
		h *= 1099511628211
	}
	return h ^ uint64(len(v))
}

// reopen closes and reopens every engine, or (crash) syncs, takes a crash
// clone keeping only synced data, and opens the clone.
func reopen(ts []*target, crash bool) error {
	for _, t := range ts {
		if t.model {
			continue
		}
		if crash {
			if err := t.db.Sync(); err != nil {
				return fmt.Errorf("%s: sync: %w", t.name, err)
			}
			c := t.fs.CrashClone(vfs.CrashOptions{})
			t.db.Close()
			t.fs = c
		} else if err := t.db.Close(); err != nil {
			return fmt.Errorf("%s: close: %w", t.name, err)
		}
		db, err := t.open(t.fs)
		if err != nil {
			t.db = nil
			return fmt.Errorf("%s: reopen: %w", t.name, err)
		}
		t.db = db
	}
	return nil
}
