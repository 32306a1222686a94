package lsm

import (
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"

	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/vfs"
)

// reader is what a DB and a Snapshot share.
type reader interface {
	Get(key []byte) ([]byte, error)
	NewIterator(o kv.IterOptions) (kv.Iterator, error)
}

// deleteRange removes [start, end) from the model.
func (m model) deleteRange(start, end string) {
	for k := range m {
		if start <= k && k < end {
			delete(m, k)
		}
	}
}

// checkReader compares r with m: Gets of present and absent keys, full
// scans both ways under random bounds, and random seeks followed by random
// Next and Prev steps.
func checkReader(t *testing.T, what string, seed uint64, rng *rand.Rand, r reader, m model, nkeys int) {
	t.Helper()
	for range 40 {
		k := string(key(rng.IntN(nkeys)))
		v, err := r.Get([]byte(k))
		want, ok := m[k]
		if ok && (err != nil || string(v) != want) || !ok && !errors.Is(err, kv.ErrNotFound) {
			t.Fatalf("seed %d: %s: Get(%s) = %.10q, %v; want %.10q (present %v)", seed, what, k, v, err, want, ok)
		}
	}
	all := m.keys()
	for range 3 {
		var o kv.IterOptions
		if rng.IntN(2) == 0 {
			o.LowerBound = key(rng.IntN(nkeys))
		}
		if rng.IntN(2) == 0 {
			o.UpperBound = key(rng.IntN(nkeys) + 1)
		}
		var ks []string
		for _, k := range all {
			if o.Contains([]byte(k)) {
				ks = append(ks, k)
			}
		}
		it, err := r.NewIterator(o)
		if err != nil {
			t.Fatalf("seed %d: %s: NewIterator: %v", seed, what, err)
		}
		i := 0
		for ok := it.First(); ok; ok = it.Next() {
			if i >= len(ks) || string(it.Key()) != ks[i] || string(it.Value()) != m[ks[i]] {
				t.Fatalf("seed %d: %s: forward scan %d in [%s, %s): got %s, want %v", seed, what, i, o.LowerBound, o.UpperBound, it.Key(), ks[i:min(i+1, len(ks))])
			}
			i++
		}
		if i != len(ks) || it.Err() != nil {
			t.Fatalf("seed %d: %s: forward scan found %d keys, want %d: %v", seed, what, i, len(ks), it.Err())
		}
		for ok := it.Last(); ok; ok = it.Prev() {
			i--
			if i < 0 || string(it.Key()) != ks[i] || string(it.Value()) != m[ks[i]] {
				t.Fatalf("seed %d: %s: backward scan at %d in [%s, %s): got %s", seed, what, i, o.LowerBound, o.UpperBound, it.Key())
			}
		}
		if i != 0 || it.Err() != nil {
			t.Fatalf("seed %d: %s: backward scan stopped at %d: %v", seed, what, i, it.Err())
		}
		for range 6 {
			target := string(key(rng.IntN(nkeys + 1)))
			var pos int
			var ok bool
			if rng.IntN(2) == 0 {
				ok = it.SeekGE([]byte(target))
				pos = sort.SearchStrings(ks, target)
			} else {
				ok = it.SeekLT([]byte(target))
				pos = sort.SearchStrings(ks, target) - 1
			}
			for step := 0; ; step++ {
				wantOK := pos >= 0 && pos < len(ks)
				if ok != wantOK || ok && string(it.Key()) != ks[pos] {
					t.Fatalf("seed %d: %s: after seek to %s and %d steps in [%s, %s): valid %v key %s, want %v %v", seed, what, target, step, o.LowerBound, o.UpperBound, ok, it.Key(), wantOK, ks[max(0, min(pos, len(ks)-1)):min(len(ks), max(0, pos+1))])
				}
				if !ok || step == 8 {
					break
				}
				if rng.IntN(3) == 0 {
					ok, pos = it.Prev(), pos-1
				} else {
					ok, pos = it.Next(), pos+1
				}
			}
		}
		if err := it.Close(); err != nil {
			t.Fatalf("seed %d: %s: Close: %v", seed, what, err)
		}
	}
}

// TestRangeDeleteModel runs random puts, deletes and many overlapping
// range deletes with tiny options, explicit flushes and range compactions,
// and snapshots held across them, checking the DB and every open snapshot
// against models with Gets and iterators in both directions.
func TestRangeDeleteModel(t *testing.T) {
	seeds, ops := 3, 2000
	if testing.Short() {
		seeds, ops = 2, 1200
	}
	base := testSeed(t)
	for s := range seeds {
		seed := base + uint64(s)
		rangeDeleteModel(t, seed, ops)
	}
}

func rangeDeleteModel(t *testing.T, seed uint64, ops int) {
	rng := rand.New(rand.NewPCG(seed, 0xde1))
	const nkeys = 400
	db := mustOpen(t, vfs.NewMem(), "/db", tinyOptions())
	defer db.Close()
	m := model{}
	type snap struct {
		s *Snapshot
		m model
	}
	var snaps []snap
	randRange := func() (string, string) {
		a := rng.IntN(nkeys)
		b := a + 1 + rng.IntN(nkeys/4)
		if rng.IntN(8) == 0 {
			b = a + rng.IntN(nkeys) // sometimes wide
		}
		return string(key(a)), string(key(b))
	}
	for op := 0; op < ops; op++ {
		switch r := rng.IntN(100); {
		case r < 55:
			k, v := key(rng.IntN(nkeys)), value(rng, 20+rng.IntN(300))
			if err := db.Put(k, v); err != nil {
				t.Fatalf("seed %d op %d: Put: %v", seed, op, err)
			}
			m[string(k)] = string(v)
		case r < 62:
			k := key(rng.IntN(nkeys))
			if err := db.Delete(k); err != nil {
				t.Fatalf("seed %d op %d: Delete: %v", seed, op, err)
			}
			delete(m, string(k))
		case r < 72:
			a, b := randRange()
			var batch kv.Batch
			batch.DeleteRange([]byte(a), []byte(b))
			if err := db.Write(&batch, kv.WriteOptions{}); err != nil {
				t.Fatalf("seed %d op %d: DeleteRange: %v", seed, op, err)
			}
			m.deleteRange(a, b)
		case r < 78:
			// A batch mixing all three, in order.
			var batch kv.Batch
			for range 1 + rng.IntN(6) {
				switch rng.IntN(3) {
				case 0:
					k, v := key(rng.IntN(nkeys)), value(rng, 30)
					batch.Put(k, v)
					m[string(k)] = string(v)
				case 1:
					k := key(rng.IntN(nkeys))
					batch.Delete(k)
					delete(m, string(k))
				default:
					a, b := randRange()
					batch.DeleteRange([]byte(a), []byte(b))
					m.deleteRange(a, b)
				}
			}
			if err := db.Write(&batch, kv.WriteOptions{}); err != nil {
				t.Fatalf("seed %d op %d: Write: %v", seed, op, err)
			}
		case r < 82:
			s, err := db.Snapshot()
			if err != nil {
				t.Fatal(err)
			}
			snaps = append(snaps, snap{s, maps.Clone(m)})
		case r < 85 && len(snaps) > 0:
			i := rng.IntN(len(snaps))
			snaps[i].s.Close()
			snaps = slices.Delete(snaps, i, i+1)
		case r < 90:
			if err := db.Flush(); err != nil {
				t.Fatalf("seed %d op %d: Flush: %v", seed, op, err)
			}
		case r < 93:
			var a, b []byte
			if rng.IntN(3) > 0 {
				x, y := randRange()
				a, b = []byte(x), []byte(y)
			}
			if err := db.Compact(a, b); err != nil {
				t.Fatalf("seed %d op %d: Compact(%s, %s): %v", seed, op, a, b, err)
			}
		default:
			what := fmt.Sprintf("op %d: db", op)
			checkReader(t, what, seed, rng, db, m, nkeys)
			if len(snaps) > 0 {
				i := rng.IntN(len(snaps))
				checkReader(t, fmt.Sprintf("op %d: snapshot %d", op, i), seed, rng, snaps[i].s, snaps[i].m, nkeys)
			}
		}
	}
	checkReader(t, "end: db", seed, rng, db, m, nkeys)
	for i, s := range snaps {
		checkReader(t, fmt.Sprintf("end: snapshot %d", i), seed, rng, s.s, s.m, nkeys)
	}
	check(t, seed, db)
	for _, s := range snaps {
		s.s.Close()
	}
	// With the snapshots gone, compacting everything to the bottom must
	// keep exactly the model.
	if err := db.Compact(nil, nil); err != nil {
		t.Fatal(err)
	}
	verify(t, seed, db, m)
	check(t, seed, db)
	st := db.Stats()
	if st.Ops.RangeDeletes == 0 {
		t.Fatalf("seed %d: Stats.Ops.RangeDeletes is 0", seed)
	}
	t.Logf("seed %d: %d range deletes, %d flushes, %d compactions", seed, st.Ops.RangeDeletes, st.LSM.Flushes, st.LSM.Compactions)
}

// liveTableBytes returns the bytes of the current version's tables and
// the number of range tombstone fragments they hold.
func liveTableBytes(t *testing.T, db *DB) (size uint64, frags int) {
	t.Helper()
	db.mu.Lock()
	v := db.version
	db.mu.Unlock()
	for _, lvl := range v.Levels {
		for _, tm := range lvl {
			size += tm.Size
			s, err := db.tableRangeDels(tm)
			if err != nil {
				t.Fatal(err)
			}
			frags += s.Len()
		}
	}
	return size, frags
}

// TestRangeDeleteCompactionReclaims deletes a range holding most of the
// data and checks that compacting it to the bottom level drops the
// covered keys and the tombstone itself, so that the tables shrink — but
// only once no snapshot can see the keys.
func TestRangeDeleteCompactionReclaims(t *testing.T) {
	db := mustOpen(t, vfs.NewMem(), "/db", tinyOptions())
	defer db.Close()
	rng := rand.New(rand.NewPCG(1, 2))
	m := model{}
	for i := range 3000 {
		k, v := key(i), value(rng, 200)
		if err := db.Put(k, v); err != nil {
			t.Fatal(err)
		}
		m[string(k)] = string(v)
	}
	if err := db.Compact(nil, nil); err != nil {
		t.Fatal(err)
	}
	before, _ := liveTableBytes(t, db)

	snap, err := db.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	var b kv.Batch
	b.DeleteRange(key(100), key(2900))
	if err := db.Write(&b, kv.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	snapModel := maps.Clone(m)
	m.deleteRange(string(key(100)), string(key(2900)))
	if err := db.Compact(key(100), key(2900)); err != nil {
		t.Fatal(err)
	}
	held, heldFrags := liveTableBytes(t, db)
	if n := db.Stats().Extra["range-tombstones"]; n != float64(heldFrags) {
		t.Fatalf("Stats.Extra[range-tombstones] = %v, want %d", n, heldFrags)
	}
	if held < before*9/10 || heldFrags == 0 {
		t.Fatalf("with a snapshot open: %d bytes of tables (%d before), %d fragments; the snapshot's keys and the tombstone must stay", held, before, heldFrags)
	}
	verify(t, 0, db, m)
	checkReader(t, "snapshot", 0, rng, snap, snapModel, 3000)
	snap.Close()

	if err := db.Compact(key(100), key(2900)); err != nil {
		t.Fatal(err)
	}
	after, frags := liveTableBytes(t, db)
	if frags != 0 || db.Stats().Extra["range-tombstones"] != 0 {
		t.Fatalf("%d tombstone fragments left after compacting to the bottom", frags)
	}
	if after > before/5 {
		t.Fatalf("tables hold %d bytes after the range delete and compaction, %d before; want at most a fifth", after, before)
	}
	t.Logf("tables: %d bytes before, %d with a snapshot holding the range, %d after", before, held, after)
	verify(t, 0, db, m)
	check(t, 0, db)
}

// TestRangeDeleteReopen writes range deletes into the WAL only, into
// flushed tables, and into both, and checks after a clean reopen and after
// a crash that the deleted keys stay deleted (tombstones replayed from the
// WAL, and found in tables this process did not write), with Check clean.
func TestRangeDeleteReopen(t *testing.T) {
	mem := vfs.NewMem()
	db := mustOpen(t, mem, "/db", tinyOptions())
	rng := rand.New(rand.NewPCG(5, 6))
	m := model{}
	put := func(from, to int) {
		for i := from; i < to; i++ {
			k, v := key(i), value(rng, 50)
			if err := db.Put(k, v); err != nil {
				t.Fatal(err)
			}
			m[string(k)] = string(v)
		}
	}
	del := func(a, b int) {
		var batch kv.Batch
		batch.DeleteRange(key(a), key(b))
		if err := db.Write(&batch, kv.WriteOptions{Sync: true}); err != nil {
			t.Fatal(err)
		}
		m.deleteRange(string(key(a)), string(key(b)))
	}
	put(0, 1000)
	del(100, 200)
	if err := db.Flush(); err != nil { // a table holding points and a tombstone
		t.Fatal(err)
	}
	del(150, 400) // overlapping, in the WAL only
	put(390, 420) // partly over the range just deleted
	if err := db.Sync(); err != nil {
		t.Fatal(err)
	}
	verify(t, 0, db, m)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = mustOpen(t, mem, "/db", tinyOptions())
	verify(t, 0, db, m)
	check(t, 0, db)
	del(410, 900)
	crashed := mem.CrashClone(vfs.CrashOptions{})
	db.Close()
	db = mustOpen(t, crashed, "/db", tinyOptions())
	defer db.Close()
	verify(t, 0, db, m)
	check(t, 0, db)
	if err := db.Compact(nil, nil); err != nil {
		t.Fatal(err)
	}
	verify(t, 0, db, m)
	if _, frags := liveTableBytes(t, db); frags != 0 {
		t.Fatalf("%d tombstone fragments left after compacting everything without snapshots", frags)
	}
}
