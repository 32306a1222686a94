package stress

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kvlab/kvlab/kv"
)

// runner drives the workers against one open store.
type runner struct {
	cfg   *Config
	db    kv.Engine
	exp   *expected
	snap  snapshotFunc // nil when the engine has no snapshots
	ops   []op
	total int // sum of the ops' weights
	count []atomic.Int64
	// acked[t] is the number of worker t's last acknowledged write.
	acked []atomic.Uint64
	sink  *sink
	cycle int
	stop  atomic.Bool

	errOnce sync.Once
	err     error
}

func newRunner(cfg *Config, db kv.Engine, exp *expected, s *sink, cycle int) *runner {
	r := &runner{cfg: cfg, db: db, exp: exp, snap: snapshotsOf(db), sink: s, cycle: cycle}
	r.ops = opTable(r.snap != nil)
	if rangeDeletesOf(db) {
		r.ops = append(r.ops, op{"range-delete", 4, (*worker).rangeDelete})
	}
	for _, o := range r.ops {
		r.total += o.weight
	}
	r.count = make([]atomic.Int64, len(r.ops))
	r.acked = make([]atomic.Uint64, cfg.Threads)
	return r
}

// run runs the workers until stop is set or one fails, and returns the
// first failure (an engine error on a write: violations are reported, not
// returned).
func (r *runner) run(seed uint64) error {
	var wg sync.WaitGroup
	for t := 0; t < r.cfg.Threads; t++ {
		w := &worker{r: r, id: t, rng: rand.New(rand.NewPCG(seed, uint64(t))), seq: r.exp.ts[t].seqBase}
		r.acked[t].Store(w.seq - 1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.loop()
		}()
	}
	wg.Wait()
	return r.err
}

// fail records the first fatal error and stops every worker.
func (r *runner) fail(err error) {
	r.errOnce.Do(func() { r.err = err })
	r.stop.Store(true)
}

// counts returns the operations done so far by kind.
func (r *runner) counts() map[string]int64 {
	m := make(map[string]int64, len(r.ops))
	for i, o := range r.ops {
		m[o.name] += r.count[i].Load()
	}
	return m
}

func (r *runner) violate(where string, k int, w window, o observation) {
	r.sink.add(Violation{Cycle: r.cycle, Where: where, Key: string(keyOf(k)), Expected: w.String(), Found: o.String()})
}

// worker is one goroutine issuing random operations. It alone writes the
// keys it owns (k % threads == id), in program order; it reads any key.
type worker struct {
	r     *runner
	id    int
	rng   *rand.Rand
	seq   uint64 // the next operation number
	batch kv.Batch
}

func (w *worker) loop() {
	for !w.r.stop.Load() {
		n := w.rng.IntN(w.r.total)
		i := 0
		for n >= w.r.ops[i].weight {
			n -= w.r.ops[i].weight
			i++
		}
		if err := w.r.ops[i].run(w); err != nil {
			w.r.fail(fmt.Errorf("thread %d, %s: %w", w.id, w.r.ops[i].name, err))
			return
		}
		w.r.count[i].Add(1)
	}
}

// ownedKey returns a random key this worker owns.
func (w *worker) ownedKey() int {
	n := (w.r.cfg.Keys - w.id + w.r.cfg.Threads - 1) / w.r.cfg.Threads
	return w.id + w.r.cfg.Threads*w.rng.IntN(n)
}

// anyKey returns a random key.
func (w *worker) anyKey() int { return w.rng.IntN(w.r.cfg.Keys) }

// padding returns a random value padding: mostly small, sometimes large
// enough for the B+tree's overflow pages.
func (w *worker) padding() int {
	switch x := w.rng.IntN(100); {
	case x < 70:
		return w.rng.IntN(64)
	case x < 95:
		return 64 + w.rng.IntN(448)
	default:
		return 512 + w.rng.IntN(3000)
	}
}

// write applies one operation that writes keys (distinct, all owned by w),
// deleting those with dels[i]: through Put or Delete when single and not
// synced, else as one batch. The expected state records each key as
// pending before the engine sees the write and as acknowledged after.
func (w *worker) write(keys []int, dels []bool, synced, single bool) error {
	return w.writeOp(keys, dels, synced, single, false)
}

// writeOp is write; with asRange, keys are consecutive deletions applied as
// one DeleteRange [keyOf(keys[0]), keyOf(last+1)) instead (rangedel.go).
func (w *worker) writeOp(keys []int, dels []bool, synced, single, asRange bool) error {
	seq := w.seq
	w.seq++
	w.batch.Reset()
	for i, k := range keys {
		v, err := w.r.exp.begin(k, dels[i], seq)
		if err != nil {
			return err
		}
		if dels[i] {
			w.batch.Delete(keyOf(k))
		} else {
			w.batch.Put(keyOf(k), encodeValue(k, v, seq, w.padding()))
		}
	}
	if asRange {
		w.batch.Reset()
		w.batch.DeleteRange(keyOf(keys[0]), keyOf(keys[len(keys)-1]+1))
	}
	var acked []uint64
	if synced {
		acked = w.r.ackedSoFar()
	}
	var err error
	switch {
	case asRange:
		err = w.r.db.Write(&w.batch, kv.WriteOptions{Sync: synced})
	case single && !synced && dels[0]:
		err = w.r.db.Delete(keyOf(keys[0]))
	case single && !synced:
		it := w.batch.Reader()
		_, key, val, _ := it.Next()
		err = w.r.db.Put(key, val)
	default:
		err = w.r.db.Write(&w.batch, kv.WriteOptions{Sync: synced})
	}
	if err != nil {
		return fmt.Errorf("write of op %d: %w", seq, err)
	}
	for _, k := range keys {
		if err := w.r.exp.ack(k, synced); err != nil {
			return err
		}
	}
	w.r.acked[w.id].Store(seq)
	if synced {
		return w.r.syncedThrough(acked)
	}
	return nil
}

// ackedSoFar returns, per worker, the number of its last acknowledged
// write.
func (r *runner) ackedSoFar() []uint64 {
	out := make([]uint64, len(r.acked))
	for t := range r.acked {
		out[t] = r.acked[t].Load()
	}
	return out
}

// syncedThrough raises every worker's synced watermark to acked, taken
// before a Sync, or before a synced write was issued, that has returned
// nil: Sync makes every write acknowledged before it durable, and a synced
// write makes every write committed before it survive a crash (the prefix
// property), which includes every write acknowledged before it was issued.
func (r *runner) syncedThrough(acked []uint64) error {
	for t, seq := range acked {
		if err := r.exp.syncedThrough(t, seq); err != nil {
			return err
		}
	}
	return nil
}

// check verifies a read of key k that began in state before.
func (w *worker) check(where string, k int, before keyState, o observation) {
	win := onlineWindow(before, w.r.exp.get(k))
	if !win.allows(o) {
		w.r.violate(where, k, win, o)
	}
}

// scanRange reads keys [lo, hi) through an iterator (forward or backward)
// and checks each key's state against the states before and after the
// scan; it also checks order, bounds and that every key is one the tool
// writes.
func (w *worker) scanRange(where string, newIter func(kv.IterOptions) (kv.Iterator, error), lo, hi int, reverse bool) (map[int]observation, error) {
	before := make([]keyState, hi-lo)
	for k := lo; k < hi; k++ {
		before[k-lo] = w.r.exp.get(k)
	}
	o := kv.IterOptions{LowerBound: keyOf(lo)}
	if hi < w.r.cfg.Keys {
		o.UpperBound = keyOf(hi)
	}
	it, err := newIter(o)
	if err != nil {
		return nil, fmt.Errorf("new iterator: %w", err)
	}
	seen := map[int]observation{}
	last := -1
	ok := it.First()
	if reverse {
		ok = it.Last()
	}
	for ; ok; ok = step(it, reverse) {
		k, known := indexOf(it.Key())
		switch {
		case !known || k < lo || k >= hi:
			w.r.sink.add(Violation{Cycle: w.r.cycle, Where: where, Key: fmt.Sprintf("%q", it.Key()),
				Expected: fmt.Sprintf("a key in [%s, %s)", keyOf(lo), keyOf(hi)), Found: "a key outside the bounds or never written"})
			continue
		case last >= 0 && (!reverse && k <= last || reverse && k >= last):
			w.r.sink.add(Violation{Cycle: w.r.cycle, Where: where, Key: string(keyOf(k)),
				Expected: fmt.Sprintf("keys in %s order after %s", direction(reverse), keyOf(last)), Found: "out of order or repeated"})
		}
		last = k
		seen[k] = observe(k, it.Value(), nil)
	}
	if err := it.Close(); err != nil {
		w.r.sink.add(Violation{Cycle: w.r.cycle, Where: where, Expected: "a scan without error", Found: err.Error()})
	}
	for k := lo; k < hi; k++ {
		w.check(where, k, before[k-lo], seen[k])
	}
	return seen, nil
}

func step(it kv.Iterator, reverse bool) bool {
	if reverse {
		return it.Prev()
	}
	return it.Next()
}

func direction(reverse bool) string {
	if reverse {
		return "descending"
	}
	return "ascending"
}

// emitEvery is how often a child reports its operation counts.
const emitEvery = 10 * time.Millisecond
