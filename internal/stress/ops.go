package stress

import (
	"fmt"
	"runtime"

	"github.com/kvlab/kvlab/kv"
)

// op is one kind of operation a worker issues, chosen with probability
// weight/sum of weights.
//
// The table is the extension point for new operations. A write must go
// through worker.write (or do what it does: expected.begin for every key
// before the engine sees the write, expected.ack after it is acknowledged)
// and may only write keys the worker owns; a read must take each key's
// state before and after and check what it found with onlineWindow. The
// range deletion (rangedel.go, added when the engine applies range deletes)
// is such an entry: it deletes, with one operation number, a run of the
// worker's own keys (recorded as one deletion per key, exactly like a batch
// of Deletes); the run is one key when several workers share the key space,
// so that each key keeps one writer.
type op struct {
	name   string
	weight int
	run    func(w *worker) error
}

// opTable returns the operations a run issues; snapshots only when the
// engine has them.
func opTable(snapshots bool) []op {
	t := []op{
		{"put", 30, (*worker).put},
		{"delete", 8, (*worker).delete},
		{"batch", 12, (*worker).batchWrite},
		{"synced-write", 2, (*worker).syncedWrite},
		{"sync", 1, (*worker).sync},
		{"get", 35, (*worker).get},
		{"scan", 8, (*worker).scan},
	}
	if snapshots {
		t = append(t, op{"snapshot", 2, (*worker).snapshot})
	}
	return t
}

func (w *worker) put() error {
	return w.write([]int{w.ownedKey()}, []bool{false}, false, true)
}

func (w *worker) delete() error {
	return w.write([]int{w.ownedKey()}, []bool{true}, false, true)
}

// batchWrite writes 2-8 distinct owned keys, about a quarter of them
// deletions, in one batch; one in ten batches is synced.
func (w *worker) batchWrite() error {
	n := 2 + w.rng.IntN(7)
	keys := make([]int, 0, n)
	dels := make([]bool, 0, n)
	for len(keys) < n {
		k := w.ownedKey()
		dup := false
		for _, o := range keys {
			dup = dup || o == k
		}
		if dup {
			if len(keys) > 0 && w.rng.IntN(4) == 0 {
				break // few owned keys: settle for a smaller batch
			}
			continue
		}
		keys = append(keys, k)
		dels = append(dels, w.rng.IntN(4) == 0)
	}
	return w.write(keys, dels, w.rng.IntN(10) == 0, false)
}

// syncedWrite puts or deletes one key with WriteOptions.Sync.
func (w *worker) syncedWrite() error {
	return w.write([]int{w.ownedKey()}, []bool{w.rng.IntN(4) == 0}, true, true)
}

// sync calls Engine.Sync: every write any worker had acknowledged before
// the call is then durable.
func (w *worker) sync() error {
	acked := w.r.ackedSoFar()
	if err := w.r.db.Sync(); err != nil {
		return fmt.Errorf("sync: %w", err)
	}
	return w.r.syncedThrough(acked)
}

func (w *worker) get() error {
	k := w.anyKey()
	before := w.r.exp.get(k)
	v, err := w.r.db.Get(keyOf(k))
	w.check("get", k, before, observe(k, v, err))
	return nil
}

// scan reads up to 100 consecutive keys from a random start, forward or
// backward.
func (w *worker) scan() error {
	lo := w.anyKey()
	hi := min(lo+1+w.rng.IntN(100), w.r.cfg.Keys)
	_, err := w.scanRange("scan", w.r.db.NewIterator, lo, hi, w.rng.IntN(2) == 0)
	return err
}

// snapshot takes a snapshot, lets the writers run on for a moment, then
// reads up to 50 keys through it twice — by Get and by a scan — and checks
// both against the states before and after the snapshot was taken, and
// against each other (a snapshot's reads repeat).
func (w *worker) snapshot() error {
	lo := w.anyKey()
	hi := min(lo+1+w.rng.IntN(50), w.r.cfg.Keys)
	before := make([]keyState, hi-lo)
	for k := lo; k < hi; k++ {
		before[k-lo] = w.r.exp.get(k)
	}
	s, err := w.r.snap()
	if err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	after := make([]keyState, hi-lo)
	for k := lo; k < hi; k++ {
		after[k-lo] = w.r.exp.get(k)
	}
	for range 1 + w.rng.IntN(20) {
		runtime.Gosched()
	}
	gets := make([]observation, hi-lo)
	for k := lo; k < hi; k++ {
		v, err := s.Get(keyOf(k))
		o := observe(k, v, err)
		gets[k-lo] = o
		if win := onlineWindow(before[k-lo], after[k-lo]); !win.allows(o) {
			w.r.violate("snapshot get", k, win, o)
		}
	}
	seen, err := w.scanSnapshot(s, lo, hi)
	if err != nil {
		s.Close()
		return err
	}
	for k := lo; k < hi; k++ {
		o := seen[k]
		if win := onlineWindow(before[k-lo], after[k-lo]); !win.allows(o) {
			w.r.violate("snapshot scan", k, win, o)
		} else if !o.same(gets[k-lo]) {
			w.r.sink.add(Violation{Cycle: w.r.cycle, Where: "snapshot scan", Key: string(keyOf(k)),
				Expected: "what the snapshot's Get found: " + gets[k-lo].String(), Found: o.String()})
		}
	}
	if err := s.Close(); err != nil {
		return fmt.Errorf("snapshot close: %w", err)
	}
	return nil
}

// scanSnapshot reads [lo, hi) through the snapshot's iterator, checking
// order and bounds only (the caller checks the states).
func (w *worker) scanSnapshot(s view, lo, hi int) (map[int]observation, error) {
	o := kv.IterOptions{LowerBound: keyOf(lo)}
	if hi < w.r.cfg.Keys {
		o.UpperBound = keyOf(hi)
	}
	it, err := s.NewIterator(o)
	if err != nil {
		return nil, fmt.Errorf("snapshot iterator: %w", err)
	}
	seen := map[int]observation{}
	last := -1
	for ok := it.First(); ok; ok = it.Next() {
		k, known := indexOf(it.Key())
		if !known || k < lo || k >= hi || k <= last {
			w.r.sink.add(Violation{Cycle: w.r.cycle, Where: "snapshot scan", Key: fmt.Sprintf("%q", it.Key()),
				Expected: fmt.Sprintf("ascending keys in [%s, %s)", keyOf(lo), keyOf(hi)), Found: "a key out of order or bounds"})
			continue
		}
		last = k
		seen[k] = observe(k, it.Value(), nil)
	}
	if err := it.Close(); err != nil {
		w.r.sink.add(Violation{Cycle: w.r.cycle, Where: "snapshot scan", Expected: "a scan without error", Found: err.Error()})
	}
	return seen, nil
}
