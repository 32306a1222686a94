package btree

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"

	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/vfs"
)

// verifySnapshot compares snapshot sn with model m (see verify) and
// checks that an absent key is not found.
func verifySnapshot(t *testing.T, sn kv.Snapshot, m map[string]string, ctx string) {
	t.Helper()
	verify(t, sn, m, ctx)
	if _, err := sn.Get([]byte("absent")); !errors.Is(err, kv.ErrNotFound) {
		t.Fatalf("%s: snapshot Get(absent): %v", ctx, err)
	}
}

type openSnap struct {
	sn kv.Snapshot
	m  map[string]string
	at string
}

// TestSnapshotAgainstModel keeps up to three snapshots open while random
// puts, deletes and range deletes (values on both sides of the overflow
// threshold), checkpoints, write-backs and compactions go on, and checks
// each snapshot against the model of its moment. The tiny pool (one frame)
// writes pages back and evicts them all the time; the large one with rare
// checkpoints leaves pages dirty, so that snapshots read nodes the writer
// copied before they were ever written (DB.kept). Every checkpoint passes
// Check, and after the last snapshot closes the pinned pages are free.
func TestSnapshotAgainstModel(t *testing.T) {
	for _, tc := range []struct {
		name string
		o    Options
	}{
		{"tiny-pool", Options{PageSize: 1 << 10, PoolSize: 1, CheckpointSize: 8 << 10}},
		{"large-pool", Options{PageSize: 1 << 10, PoolSize: 8 << 20, CheckpointSize: 4 << 20}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := seed(t)
			r := newRand(s)
			db, err := Open(vfs.NewMem(), "/db", tc.o)
			if err != nil {
				t.Fatal(err)
			}
			defer func() { db.Close() }()
			const space = 3000
			m := map[string]string{}
			fillRange(t, db, r, m, space, tc.o.threshold(), fmt.Sprintf("seed %d", s))
			var snaps []openSnap
			ops, maxKept := 1500, int64(0)
			if testing.Short() {
				ops = 500
			}
			for i := range ops {
				ctx := fmt.Sprintf("seed %d %s op %d", s, tc.name, i)
				switch op := r.IntN(100); {
				case op < 70:
					var b kv.Batch
					for range 1 + r.IntN(10) {
						k := rangeKey(r.IntN(space))
						switch r.IntN(6) {
						case 0:
							b.Delete([]byte(k))
							delete(m, k)
						case 1:
							lo, hi := randomRange(r, space)
							b.DeleteRange([]byte(lo), []byte(hi))
							deleteModelRange(m, lo, hi)
						default:
							putRandom(r, &b, m, k, tc.o.threshold())
						}
					}
					if err := db.Write(&b, kv.WriteOptions{}); err != nil {
						t.Fatalf("%s: %v", ctx, err)
					}
				case op < 75 && len(snaps) < 3:
					sn, err := db.NewSnapshot()
					if err != nil {
						t.Fatalf("%s: NewSnapshot: %v", ctx, err)
					}
					snaps = append(snaps, openSnap{sn, maps.Clone(m), ctx})
				case op < 85 && len(snaps) > 0:
					o := snaps[r.IntN(len(snaps))]
					verifySnapshot(t, o.sn, o.m, ctx+": snapshot of "+o.at)
				case op < 88 && len(snaps) > 0:
					j := r.IntN(len(snaps))
					if err := snaps[j].sn.Close(); err != nil {
						t.Fatalf("%s: snapshot Close: %v", ctx, err)
					}
					snaps = slices.Delete(snaps, j, j+1)
				case op < 92:
					mustCheck(t, db, ctx)
				case op < 93:
					if err := db.Compact(nil, nil); err != nil {
						t.Fatalf("%s: Compact: %v", ctx, err)
					}
				default:
					verify(t, db, m, ctx)
				}
				maxKept = max(maxKept, db.nkept.Load())
			}
			if st := db.Stats(); st.Extra["snapshots"] != float64(len(snaps)) {
				t.Fatalf("seed %d: Stats says %v snapshots, %d are open", s, st.Extra["snapshots"], len(snaps))
			}
			for _, o := range snaps {
				verifySnapshot(t, o.sn, o.m, fmt.Sprintf("seed %d final: snapshot of %s", s, o.at))
				if err := o.sn.Close(); err != nil {
					t.Fatal(err)
				}
			}
			mustCheck(t, db, "all snapshots closed")
			mustCheck(t, db, "all snapshots closed, second checkpoint")
			st := db.Stats()
			if st.Extra["snapshots"] != 0 || st.Extra["pinned_pages"] != 0 || db.nkept.Load() != 0 {
				t.Fatalf("seed %d: after every snapshot closed: %v snapshots, %v pinned pages, %d kept nodes",
					s, st.Extra["snapshots"], st.Extra["pinned_pages"], db.nkept.Load())
			}
			if tc.name == "large-pool" && maxKept == 0 {
				t.Fatalf("seed %d: no snapshot ever needed a kept node: the test misses that path", s)
			}
			verify(t, db, m, fmt.Sprintf("seed %d final", s))
		})
	}
}

// TestSnapshotPagesReused checks what a long-lived snapshot costs and that
// the cost goes away: while it is open, overwrites across checkpoints pin
// the pages it sees and the file grows; once it is closed, the same
// overwrites reuse pages and the file stops growing. A store closed with a
// snapshot open reopens with the pinned pages free.
func TestSnapshotPagesReused(t *testing.T) {
	s := seed(t)
	r := newRand(s)
	fs := vfs.NewMem()
	o := Options{PageSize: 1 << 10, PoolSize: 64 << 10, CheckpointSize: 16 << 10}
	db, err := Open(fs, "/db", o)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { db.Close() }()
	const space = 2000
	m := map[string]string{}
	overwrite := func(rounds int) {
		for range rounds {
			var b kv.Batch
			for range 50 {
				// Inline values: overflow runs need runs of free pages,
				// which fragmentation may grow the file for.
				k, v := rangeKey(r.IntN(space)), fmt.Sprintf("%0*d", 10+r.IntN(40), r.IntN(1000))
				b.Put([]byte(k), []byte(v))
				m[k] = v
			}
			if err := db.Write(&b, kv.WriteOptions{}); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	unit, snaps := 300, 10 // batches per round, snapshots in the last part
	if testing.Short() {
		unit, snaps = 100, 5
	}
	overwrite(2 * unit) // a steady state: every key written, pages split and merged
	base := db.PageCount()
	sn, err := db.NewSnapshot()
	if err != nil {
		t.Fatal(err)
	}
	bt := db.Stats().BTree
	version := bt.LeafPages + bt.BranchPages + bt.OverflowPages // the pages the snapshot sees
	want := maps.Clone(m)
	overwrite(unit)
	pinned := db.Stats().Extra["pinned_pages"]
	grown := db.PageCount()
	t.Logf("seed %d: %d pages before the snapshot (its version: %d), %d with it open after %d batches, %.0f pinned",
		s, base, version, grown, unit, pinned)
	// The snapshot pins at most its own version: pages allocated and
	// released after it was taken are reused.
	if pinned < float64(version)/4 || pinned > float64(version) {
		t.Fatalf("seed %d: snapshot open: %.0f pages pinned, its version has %d", s, pinned, version)
	}
	verifySnapshot(t, sn, want, fmt.Sprintf("seed %d", s))
	if err := sn.Close(); err != nil {
		t.Fatal(err)
	}
	if p := db.Stats().Extra["pinned_pages"]; p != 0 {
		t.Fatalf("seed %d: %v pages still pinned after Close", s, p)
	}
	// The file stops growing: more snapshots (ten), each pinning about a
	// version's pages while the writes go on, then closed. Were the pinned
	// pages not reused, the file would grow by about that much each time
	// (ten versions); reused, it stays within a few versions' worth (the
	// tree, one snapshot's pins, a checkpoint's reserved pages).
	top := grown
	for round := range snaps {
		sn, err := db.NewSnapshot()
		if err != nil {
			t.Fatal(err)
		}
		overwrite(unit / 3)
		if err := sn.Close(); err != nil {
			t.Fatal(err)
		}
		top = max(top, db.PageCount())
		if limit := grown + 2*uint64(version); top > limit {
			t.Fatalf("seed %d: %d pages after %d more snapshots, %d after the first (limit %d)", s, top, round+1, grown, limit)
		}
	}
	t.Logf("seed %d: at most %d pages over %d more snapshots", s, top, snaps)
	mustCheck(t, db, "after")

	// A crash, then a Close, with a snapshot open: the pages it pinned are
	// free after recovery and on reopen.
	sn, err = db.NewSnapshot()
	if err != nil {
		t.Fatal(err)
	}
	overwrite(unit / 2) // ends with a checkpoint: its free list lists the held pages
	pinned = db.Stats().Extra["pinned_pages"]
	crashed, err := Open(fs.CrashClone(vfs.CrashOptions{}), "/db", o)
	if err != nil {
		t.Fatalf("seed %d: open after a crash with a snapshot open: %v", s, err)
	}
	if free := crashed.Stats().BTree.FreePages; pinned == 0 || float64(free) < pinned {
		t.Fatalf("seed %d: after a crash: %d free pages, %.0f were pinned at the crash", s, free, pinned)
	}
	mustCheck(t, crashed, "recovered") // every page reachable or free: none leaked
	verify(t, crashed, m, fmt.Sprintf("seed %d recovered", s))
	crashed.Close()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := sn.Close(); err != nil {
		t.Fatalf("snapshot Close after the store's Close: %v", err)
	}
	if db, err = Open(fs, "/db", o); err != nil {
		t.Fatal(err)
	}
	mustCheck(t, db, "reopened") // every page reachable or free: none leaked
	verify(t, db, m, fmt.Sprintf("seed %d reopened", s))
}

// TestSnapshotConcurrentReaders runs readers that take snapshots and scan
// them while a writer replaces every key in each batch (a range delete of
// all of them, then puts of the batch's generation) and checkpoints run:
// a snapshot must show one generation, whole. Meaningful under -race.
func TestSnapshotConcurrentReaders(t *testing.T) {
	o := Options{PageSize: 1 << 10, PoolSize: 16 << 10, CheckpointSize: 16 << 10}
	db, err := Open(vfs.NewMem(), "/db", o)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const nkeys = 300
	write := func(gen int) error {
		var b kv.Batch
		b.DeleteRange([]byte(rangeKey(0)), []byte(rangeKey(nkeys)))
		for i := range nkeys {
			if (i+gen)%5 != 0 { // the key set changes with the generation
				b.Put([]byte(rangeKey(i)), fmt.Appendf(nil, "gen%06d-%0*d", gen, 30*(gen%3), 0))
			}
		}
		return db.Write(&b, kv.WriteOptions{})
	}
	if err := write(0); err != nil {
		t.Fatal(err)
	}
	batches := 300
	if testing.Short() {
		batches = 100
	}
	var wg sync.WaitGroup
	errc := make(chan error, 8)
	stop := make(chan struct{})
	for g := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				if err := checkGeneration(db, nkeys, n%2 == 0); err != nil {
					errc <- fmt.Errorf("reader %d: %w", g, err)
					return
				}
			}
		}()
	}
	for gen := 1; gen <= batches; gen++ {
		if err := write(gen); err != nil {
			t.Fatal(err)
		}
		if gen%50 == 0 {
			if err := db.Flush(); err != nil {
				t.Fatal(err)
			}
		}
	}
	close(stop)
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}
	mustCheck(t, db, "concurrent snapshots")
}

// checkGeneration takes a snapshot and checks that it holds exactly one
// generation's keys and values; with closeFirst it scans through an
// iterator after closing the snapshot.
func checkGeneration(db *DB, nkeys int, closeFirst bool) error {
	sn, err := db.NewSnapshot()
	if err != nil {
		return err
	}
	it, err := sn.NewIterator(kv.IterOptions{})
	if err != nil {
		return err
	}
	if closeFirst {
		if err := sn.Close(); err != nil {
			return err
		}
	}
	gen, count := "", 0
	for ok := it.First(); ok; ok = it.Next() {
		v := string(it.Value())
		if gen == "" {
			gen = v[:9]
		}
		if v[:9] != gen {
			it.Close()
			return fmt.Errorf("snapshot mixes %s and %s at %q", gen, v[:9], it.Key())
		}
		count++
	}
	if err := it.Close(); err != nil {
		return err
	}
	var g int
	fmt.Sscanf(gen, "gen%06d", &g)
	want := 0
	for i := range nkeys {
		if (i+g)%5 != 0 {
			want++
		}
	}
	if count != want {
		return fmt.Errorf("snapshot of %s holds %d keys, want %d", gen, count, want)
	}
	if !closeFirst {
		if _, err := sn.Get([]byte(rangeKey(1))); err != nil && !errors.Is(err, kv.ErrNotFound) {
			return err
		}
		return sn.Close()
	}
	return nil
}
