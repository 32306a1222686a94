package kvtest

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/kvlab/kvlab/kv"
)

// snapshotter returns the engine as a kv.Snapshotter, or skips the test.
func snapshotter(t *testing.T, db kv.Engine) kv.Snapshotter {
	t.Helper()
	sn, ok := db.(kv.Snapshotter)
	if !ok {
		t.Skip("the engine does not implement kv.Snapshotter")
	}
	return sn
}

// liveSnapshot is an open snapshot and the model state it must show.
type liveSnapshot struct {
	snap kv.Snapshot
	want model
	at   int // the operation it was taken after
}

// testSnapshot runs random writes (range deletes included), flushes and
// compactions while up to four snapshots are open, and checks every
// snapshot, through Gets and iterators in both directions, against the
// model state of the moment it was taken. Iterators opened on a snapshot
// are also checked after the snapshot is closed.
func (s *suite) testSnapshot(t *testing.T) {
	db, _, _ := s.fresh(t)
	sn := snapshotter(t, db)
	fl, _ := db.(kv.Flusher)
	co, _ := db.(kv.Compacter)
	r, seed := newRand(t)
	g := keyGen{r: r, space: 300}
	m := model{}
	var live []liveSnapshot
	defer func() {
		for _, l := range live {
			l.snap.Close()
		}
	}()
	value := func() string { return randValue(r) }
	n := budget(3000)
	for i := 0; i < n; i++ {
		ctx := fmt.Sprintf("seed %d op %d", seed, i)
		switch op := r.IntN(100); {
		case op < 55:
			b := s.randomBatch(g, 12, value)
			if err := db.Write(b, kv.WriteOptions{}); err != nil {
				t.Fatalf("%s: Write: %v", ctx, err)
			}
			m.apply(b)
		case op < 60 && len(live) < 4:
			snap, err := sn.NewSnapshot()
			if err != nil {
				t.Fatalf("%s: NewSnapshot: %v", ctx, err)
			}
			live = append(live, liveSnapshot{snap, m.clone(), i})
		case op < 85 && len(live) > 0:
			l := live[r.IntN(len(live))]
			checkSnapshotReads(t, r, l, g, fmt.Sprintf("%s: snapshot taken at op %d", ctx, l.at))
		case op < 90 && len(live) > 0:
			j := r.IntN(len(live))
			l := live[j]
			live = append(live[:j], live[j+1:]...)
			var it kv.Iterator
			if r.IntN(2) == 0 { // an iterator outlives its snapshot
				var err error
				if it, err = l.snap.NewIterator(kv.IterOptions{}); err != nil {
					t.Fatalf("%s: NewIterator: %v", ctx, err)
				}
			}
			if err := l.snap.Close(); err != nil {
				t.Fatalf("%s: snapshot Close: %v", ctx, err)
			}
			if err := l.snap.Close(); !errors.Is(err, kv.ErrClosed) {
				t.Fatalf("%s: second snapshot Close: %v, want ErrClosed", ctx, err)
			}
			if _, err := l.snap.Get([]byte("k1")); !errors.Is(err, kv.ErrClosed) {
				t.Fatalf("%s: Get on a closed snapshot: %v, want ErrClosed", ctx, err)
			}
			if it != nil {
				checkIteratorContents(t, it, l.want, fmt.Sprintf("%s: iterator of the snapshot taken at op %d, after its Close", ctx, l.at))
			}
		case op < 94 && fl != nil:
			if err := fl.Flush(); err != nil {
				t.Fatalf("%s: Flush: %v", ctx, err)
			}
		case op < 96 && co != nil:
			lo, hi := g.span()
			if r.IntN(3) == 0 {
				lo, hi = "", ""
			}
			if err := co.Compact(nilIfEmpty(lo), nilIfEmpty(hi)); err != nil {
				t.Fatalf("%s: Compact: %v", ctx, err)
			}
		default:
			k := g.key()
			v, err := db.Get([]byte(k))
			if w, ok := m[k]; ok != (err == nil) || (ok && string(v) != w) {
				t.Fatalf("%s: Get(%q) = %.20q, %v; model has %v %.20q", ctx, k, v, err, ok, w)
			}
		}
	}
	for _, l := range live {
		checkDB(t, l.snap, l.want, nil, fmt.Sprintf("seed %d final: snapshot taken at op %d", seed, l.at))
	}
	checkDB(t, db, m, nil, fmt.Sprintf("seed %d final", seed))
}

func nilIfEmpty(s string) []byte {
	if s == "" {
		return nil
	}
	return []byte(s)
}

// checkSnapshotReads compares a snapshot with its model through random
// Gets and a random iteration forwards or backwards.
func checkSnapshotReads(t *testing.T, r *rand.Rand, l liveSnapshot, g keyGen, ctx string) {
	t.Helper()
	for range 8 {
		k := g.key()
		v, err := l.snap.Get([]byte(k))
		w, ok := l.want[k]
		if ok && (err != nil || string(v) != w) {
			t.Fatalf("%s: Get(%q) = %.20q, %v; want %.20q", ctx, k, v, err, w)
		}
		if !ok && !errors.Is(err, kv.ErrNotFound) {
			t.Fatalf("%s: Get(%q) = %.20q, %v; want ErrNotFound", ctx, k, v, err)
		}
	}
	o := randBounds(r, l.want.sorted(kv.IterOptions{}))
	it, err := l.snap.NewIterator(o)
	if err != nil {
		t.Fatalf("%s: NewIterator: %v", ctx, err)
	}
	defer it.Close()
	c := &iterCheck{t: t, it: it, m: l.want, keys: l.want.sorted(o), ctx: ctx}
	if r.IntN(2) == 0 {
		c.pos = 0
		for ok := it.First(); ; ok = it.Next() {
			c.verify("Next", ok)
			if !ok {
				break
			}
			c.pos++
		}
	} else {
		c.pos = len(c.keys) - 1
		for ok := it.Last(); ; ok = it.Prev() {
			c.verify("Prev", ok)
			if !ok {
				break
			}
			c.pos--
		}
	}
}

// checkIteratorContents reads an unpositioned iterator to its end, closes
// it and compares what it saw with want.
func checkIteratorContents(t *testing.T, it kv.Iterator, want model, ctx string) {
	t.Helper()
	got := model{}
	for ok := it.First(); ok; ok = it.Next() {
		got[string(it.Key())] = string(it.Value())
	}
	if err := it.Close(); err != nil {
		t.Fatalf("%s: %v", ctx, err)
	}
	if !want.equal(got) {
		t.Fatalf("%s: differs from the model: %s", ctx, want.diff(got))
	}
}

// testSnapshotConcurrent runs a writer that rewrites a group of keys in
// one batch per generation (half the time by a DeleteRange over the group
// and fresh puts), plus flushes, while readers take snapshots and read the
// group through Gets and iterators: every read of one snapshot must show
// one and the same whole generation, however long the reader takes.
func (s *suite) testSnapshotConcurrent(t *testing.T) {
	db, _, _ := s.fresh(t)
	sn := snapshotter(t, db)
	fl, _ := db.(kv.Flusher)
	const group = 24
	key := func(i int) []byte { return []byte(fmt.Sprintf("g/%02d", i)) }
	write := func(gen int) error {
		var b kv.Batch
		if gen%2 == 1 && !s.cfg.noRange {
			b.DeleteRange([]byte("g/"), []byte("g0"))
		}
		for i := 0; i < group; i++ {
			b.Put(key(i), []byte(fmt.Sprintf("%08d", gen)))
		}
		return db.Write(&b, kv.WriteOptions{})
	}
	if err := write(0); err != nil {
		t.Fatal(err)
	}
	var stop atomic.Bool
	var wg sync.WaitGroup
	errc := make(chan error, 8)
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer stop.Store(true)
		for gen := 1; gen <= budget(1500); gen++ {
			if err := write(gen); err != nil {
				errc <- fmt.Errorf("write %d: %w", gen, err)
				return
			}
			if fl != nil && gen%300 == 0 {
				if err := fl.Flush(); err != nil {
					errc <- fmt.Errorf("flush: %w", err)
					return
				}
			}
		}
	}()
	reader := func() error {
		for !stop.Load() {
			snap, err := sn.NewSnapshot()
			if err != nil {
				return err
			}
			err = checkGeneration(snap, group, key)
			if cerr := snap.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
		}
		return nil
	}
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := reader(); err != nil {
				errc <- err
			}
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}
}

// checkGeneration reads the group through Gets, then an iterator, then
// Gets again, and says whether they all showed one whole generation.
func checkGeneration(snap kv.Snapshot, group int, key func(int) []byte) error {
	gen := ""
	see := func(how string, i int, v []byte) error {
		if gen == "" {
			gen = string(v)
		}
		if string(v) != gen {
			return fmt.Errorf("snapshot: %s of %s read generation %s after %s", how, key(i), v, gen)
		}
		return nil
	}
	gets := func() error {
		for i := 0; i < group; i++ {
			v, err := snap.Get(key(i))
			if err != nil {
				return fmt.Errorf("snapshot: Get(%s): %w", key(i), err)
			}
			if err := see("Get", i, v); err != nil {
				return err
			}
		}
		return nil
	}
	if err := gets(); err != nil {
		return err
	}
	it, err := snap.NewIterator(kv.IterOptions{LowerBound: []byte("g/"), UpperBound: []byte("g0")})
	if err != nil {
		return err
	}
	n := 0
	for ok := it.First(); ok; ok = it.Next() {
		if err := see("iterator", n, it.Value()); err != nil {
			it.Close()
			return err
		}
		n++
	}
	if err := it.Close(); err != nil {
		return err
	}
	if n != group {
		return fmt.Errorf("snapshot: iterator saw %d keys of the group, want %d", n, group)
	}
	return gets()
}

// testSnapshotAfterClose checks a snapshot and its iterator once the
// engine is closed: reads fail with ErrClosed, Close still succeeds once.
func (s *suite) testSnapshotAfterClose(t *testing.T) {
	db, _, _ := s.fresh(t)
	sn := snapshotter(t, db)
	if err := db.Put([]byte("a"), []byte("1")); err != nil {
		t.Fatal(err)
	}
	snap, err := sn.NewSnapshot()
	if err != nil {
		t.Fatal(err)
	}
	mustGet(t, snap, "a", "1")
	it, err := snap.NewIterator(kv.IterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatalf("Close with a snapshot open: %v", err)
	}
	if _, err := snap.Get([]byte("a")); !errors.Is(err, kv.ErrClosed) {
		t.Fatalf("snapshot Get after the engine's Close: %v, want ErrClosed", err)
	}
	if _, err := snap.NewIterator(kv.IterOptions{}); !errors.Is(err, kv.ErrClosed) {
		t.Fatalf("snapshot NewIterator after the engine's Close: %v, want ErrClosed", err)
	}
	if it.First() {
		t.Fatalf("snapshot iterator First after the engine's Close returned true")
	}
	if !errors.Is(it.Err(), kv.ErrClosed) {
		t.Fatalf("snapshot iterator Err after the engine's Close: %v, want ErrClosed", it.Err())
	}
	it.Close()
	if err := snap.Close(); err != nil {
		t.Fatalf("first snapshot Close after the engine's Close: %v, want nil", err)
	}
	if err := snap.Close(); !errors.Is(err, kv.ErrClosed) {
		t.Fatalf("second snapshot Close: %v, want ErrClosed", err)
	}
	if _, err := sn.NewSnapshot(); !errors.Is(err, kv.ErrClosed) {
		t.Fatalf("NewSnapshot after Close: %v, want ErrClosed", err)
	}
}
