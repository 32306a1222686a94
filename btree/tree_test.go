package btree

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/kvlab/kvlab/knob"
	"github.com/kvlab/kvlab/knob/knobtest"
	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/vfs"
)

// seed returns a random seed, or BTREE_SEED's value to replay a failure.
func seed(t *testing.T) uint64 {
	t.Helper()
	if s := os.Getenv("BTREE_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	return rand.Uint64()
}

func newRand(s uint64) *rand.Rand { return rand.New(rand.NewPCG(s, s^0x5bd1e995)) }

// reader is what verify reads: a DB or a snapshot.
type reader interface {
	Get(key []byte) ([]byte, error)
	NewIterator(o kv.IterOptions) (kv.Iterator, error)
}

// verify compares db (a DB or a snapshot) with the model through a full
// scan forward and backward and a Get of every model key.
func verify(t *testing.T, db reader, m map[string]string, ctx string) {
	t.Helper()
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	it, err := db.NewIterator(kv.IterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	i := 0
	for ok := it.First(); ok; ok = it.Next() {
		if i >= len(keys) || string(it.Key()) != keys[i] || string(it.Value()) != m[keys[i]] {
			t.Fatalf("%s: scan position %d: got %.20q, want %.20q", ctx, i, it.Key(), keys[min(i, len(keys)-1)])
		}
		i++
	}
	if err := it.Close(); err != nil || i != len(keys) {
		t.Fatalf("%s: scan saw %d keys, want %d (err %v)", ctx, i, len(keys), err)
	}
	it, _ = db.NewIterator(kv.IterOptions{})
	i = len(keys) - 1
	for ok := it.Last(); ok; ok = it.Prev() {
		if i < 0 || string(it.Key()) != keys[i] {
			t.Fatalf("%s: reverse scan position %d: got %.20q", ctx, i, it.Key())
		}
		i--
	}
	if err := it.Close(); err != nil || i != -1 {
		t.Fatalf("%s: reverse scan stopped at %d (err %v)", ctx, i, err)
	}
	for _, k := range keys {
		v, err := db.Get([]byte(k))
		if err != nil || string(v) != m[k] {
			t.Fatalf("%s: Get(%.20q) = %.20q, %v; want %.20q", ctx, k, v, err, m[k])
		}
	}
}

// mustCheck checkpoints and runs the integrity check.
func mustCheck(t *testing.T, db *DB, ctx string) {
	t.Helper()
	if err := db.Flush(); err != nil {
		t.Fatalf("%s: Checkpoint: %v", ctx, err)
	}
	var out bytes.Buffer
	if err := db.Check(&out); err != nil {
		t.Fatalf("%s: Check: %v\n%s", ctx, err, out.String())
	}
}

// reopen closes db, opens the store in /db on fs again and compares it
// with the model.
func reopen(t *testing.T, db *DB, fs vfs.FS, o Options, m map[string]string, ctx string) *DB {
	t.Helper()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := Open(fs, "/db", o)
	if err != nil {
		t.Fatalf("%s: reopen: %v", ctx, err)
	}
	verify(t, db, m, ctx+" after reopen")
	return db
}

// checkEmptied checks a tree whose keys were all deleted: it is one empty
// leaf, every other page but the free list is free, and the file shrinks
// to a few pages.
func checkEmptied(t *testing.T, db *DB, ctx string) {
	t.Helper()
	verify(t, db, nil, ctx+": emptied")
	mustCheck(t, db, ctx+": emptied")
	mustCheck(t, db, ctx+": emptied, second checkpoint")
	st := db.Stats()
	if bt := st.BTree; bt.Height != 1 || bt.LeafPages != 1 || bt.BranchPages != 0 || bt.OverflowPages != 0 || st.LiveBytes != 0 {
		t.Fatalf("%s: emptied tree: %+v, live %d", ctx, *bt, st.LiveBytes)
	}
	// Every page but the root leaf and the free list is free.
	if pc, free := int64(db.PageCount()), st.BTree.FreePages; free < pc-1-1-(pc/int64(freelistCapacity(db.ps))+1) {
		t.Fatalf("%s: emptied tree: %d free pages of %d", ctx, free, pc-1)
	}
	// Free pages at the end of the file are given back once the root and
	// the free list have moved down (the next write copies the root to the
	// lowest free page; each checkpoint lays the shorter free list out in
	// the lowest pages) and two checkpoints have passed.
	for round := 0; db.PageCount() > 8; round++ {
		if round == 4 {
			t.Fatalf("%s: emptied tree still spans %d pages", ctx, db.PageCount())
		}
		db.Put([]byte("x"), nil)
		db.Delete([]byte("x"))
		mustCheck(t, db, ctx+": after a write")
		mustCheck(t, db, ctx+": after a write, second checkpoint")
	}
}

func value(r *rand.Rand, threshold int) string {
	var n int
	switch r.IntN(10) {
	case 0:
		n = 0
	case 1: // around the overflow threshold
		n = threshold - 2 + r.IntN(5)
	case 2: // a few overflow pages
		n = threshold + r.IntN(5*threshold)
	default:
		n = r.IntN(40)
	}
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('a' + r.IntN(26))
	}
	return string(b)
}

// TestRandomAgainstModel runs phases of random inserts, overwrites and
// deletes (values on both sides of the overflow threshold) against a map,
// checking contents and running the integrity check after every phase,
// with reopen cycles, for every page size; the last phase empties the
// tree, which must shrink back to a single empty leaf and free its pages.
func TestRandomAgainstModel(t *testing.T) {
	for _, ps := range []int{1 << 10, 2 << 10, 4 << 10, 16 << 10, 64 << 10} {
		t.Run(fmt.Sprintf("page=%d", ps), func(t *testing.T) {
			s := seed(t)
			r := newRand(s)
			fs := vfs.NewMem()
			o := Options{PageSize: ps, PoolSize: int64(ps) * 64, CheckpointSize: 256 << 10}
			db, err := Open(fs, "/db", o)
			if err != nil {
				t.Fatal(err)
			}
			defer func() { db.Close() }()
			m := map[string]string{}
			ops := 3000
			if ps > 4<<10 {
				ops = 1000 // big pages: fewer operations span as many pages
			}
			if testing.Short() {
				ops /= 4
			}
			maxKey := o.MaxKeySize()
			for phase := 0; phase < 5; phase++ {
				ctx := fmt.Sprintf("seed %d page %d phase %d", s, ps, phase)
				for i := 0; i < ops; i++ {
					k := fmt.Sprintf("k%06d", r.IntN(ops*2))
					if r.IntN(50) == 0 {
						k += strings.Repeat("x", r.IntN(maxKey-len(k)+1))
					}
					var b kv.Batch
					if phase%2 == 1 && r.IntN(2) == 0 || r.IntN(5) == 0 {
						b.Delete([]byte(k))
						delete(m, k)
					} else {
						putRandom(r, &b, m, k, o.threshold())
					}
					if err := db.Write(&b, kv.WriteOptions{}); err != nil {
						t.Fatalf("%s op %d: %v", ctx, i, err)
					}
				}
				verify(t, db, m, ctx)
				mustCheck(t, db, ctx)
				if phase%2 == 0 {
					db = reopen(t, db, fs, o, m, ctx)
				}
			}
			// Empty the tree.
			for k := range m {
				if err := db.Delete([]byte(k)); err != nil {
					t.Fatal(err)
				}
			}
			clear(m)
			checkEmptied(t, db, fmt.Sprintf("seed %d", s))
		})
	}
}

// TestSortedLoadFillsPages checks that a sorted load leaves leaves nearly
// full, and a random load about 70 % full.
func TestSortedLoadFillsPages(t *testing.T) {
	for _, sorted := range []bool{true, false} {
		db, err := Open(vfs.NewMem(), "/db", DefaultOptions())
		if err != nil {
			t.Fatal(err)
		}
		n := 20000
		perm := rand.Perm(n)
		var b kv.Batch
		for i := 0; i < n; i++ {
			k := i
			if !sorted {
				k = perm[i]
			}
			b.Put([]byte(fmt.Sprintf("key%012d", k)), bytes.Repeat([]byte("v"), 100))
			if b.Len() == 100 {
				if err := db.Write(&b, kv.WriteOptions{}); err != nil {
					t.Fatal(err)
				}
				b.Reset()
			}
		}
		ff := db.Stats().BTree.FillFactor
		t.Logf("sorted=%v: fill factor %.3f", sorted, ff)
		if sorted && ff < 0.95 {
			t.Errorf("sorted load: fill factor %.3f, want >= 0.95", ff)
		}
		if !sorted && (ff < 0.55 || ff > 0.9) {
			t.Errorf("random load: fill factor %.3f, want about 0.7", ff)
		}
		mustCheck(t, db, "after load")
		db.Close()
	}
}

// TestKeyLimits checks the documented key limit for each page size.
func TestKeyLimits(t *testing.T) {
	for _, ps := range []int{1 << 10, 4 << 10, 64 << 10} {
		o := DefaultOptions()
		o.PageSize = ps
		db, err := Open(vfs.NewMem(), "/db", o)
		if err != nil {
			t.Fatal(err)
		}
		max := o.MaxKeySize()
		// Many maximal keys with values at the threshold force splits of
		// full-size cells in leaves and branches.
		for i := 0; i < 40; i++ {
			k := bytes.Repeat([]byte{byte('a' + i%26)}, max)
			k[max-1] = byte(i)
			if err := db.Put(k, bytes.Repeat([]byte("v"), o.threshold())); err != nil {
				t.Fatalf("page %d: Put of a %d-byte key: %v", ps, max, err)
			}
		}
		err = db.Put(make([]byte, max+1), nil)
		var se *kv.SizeError
		if !errors.Is(err, kv.ErrKeyTooLarge) || !errors.As(err, &se) || se.Limit != max {
			t.Fatalf("page %d: Put of a %d-byte key: %v", ps, max+1, err)
		}
		mustCheck(t, db, fmt.Sprintf("page %d", ps))
		db.Close()
	}
}

func TestOptions(t *testing.T) {
	o, err := ParseSettings(map[string]string{"page-size": "16KiB", "pool-size": "1MiB", "checkpoint-size": "2MiB",
		"overflow-threshold": "1000", "sync": "true", "shadow-budget": "0.25"})
	if err != nil {
		t.Fatal(err)
	}
	if o.PageSize != 16<<10 || o.PoolSize != 1<<20 || o.CheckpointSize != 2<<20 || o.OverflowThreshold != 1000 || !o.Sync || o.ShadowBudget != 0.25 {
		t.Fatalf("ParseSettings: %+v", o)
	}
	for _, bad := range []map[string]string{
		{"page-size": "3000"}, {"page-size": "128KiB"}, {"page-size": "x"}, {"nope": "1"},
		{"checkpoint-size": "0"}, {"overflow-threshold": "4KiB"}, {"sync": "maybe"}, {"shadow-budget": "1.5"},
	} {
		if _, err := ParseSettings(bad); err == nil {
			t.Errorf("ParseSettings(%v) accepted", bad)
		} else {
			for name := range bad {
				if !strings.Contains(err.Error(), name) && !errors.Is(err, ErrBadOptions) {
					t.Errorf("ParseSettings(%v): error %q does not name the setting", bad, err)
				}
			}
		}
	}
	names := map[string]bool{}
	for _, s := range Knobs().Describe() {
		names[s.Name] = true
		if s.Doc == "" || s.Default == "" {
			t.Errorf("setting %s is undocumented", s.Name)
		}
	}
	for _, n := range []string{"page-size", "pool-size", "checkpoint-size", "shadow-budget", "overflow-threshold", "sync"} {
		if !names[n] {
			t.Errorf("Settings lacks %s", n)
		}
	}
	if _, err := Open(vfs.NewMem(), "/db", Options{PageSize: 4096}); !errors.Is(err, ErrBadOptions) {
		t.Fatalf("Open with a zero checkpoint size: %v", err)
	}
}

// TestKnobs checks the knob table: documented, the defaults round-trip
// through their strings, random values in range through format and parse.
func TestKnobs(t *testing.T) {
	knobtest.Run(t, Knobs())
	got := map[string]string{}
	for _, in := range Knobs().Describe() {
		got[in.Name] = in.Default
	}
	want := map[string]string{"page-size": "4KiB", "pool-size": "256MiB", "checkpoint-size": "64MiB", "shadow-budget": "0.125", "overflow-threshold": "0", "sync": "false", "mmap": "true"}
	if !maps.Equal(got, want) {
		t.Errorf("defaults %v, want %v", got, want)
	}
	// A value out of range is refused in its own unit; so is a typed
	// option, by Validate, which Open calls.
	_, err := ParseSettings(map[string]string{"page-size": "128KiB"})
	if !errors.Is(err, knob.ErrInvalid) || err.Error() != "btree.page-size=128KiB: out of range 1KiB–64KiB" {
		t.Errorf("page-size=128KiB: %v", err)
	}
	o := DefaultOptions()
	o.PoolSize = -1
	if err := o.Validate(); !errors.Is(err, ErrBadOptions) || !errors.Is(err, knob.ErrInvalid) || !strings.Contains(err.Error(), "btree.pool-size=-1B: out of range 0–1TiB") {
		t.Errorf("Validate with a negative pool: %v", err)
	}
}

// TestPageSizeIsStored reopens a store with other options: the stored page
// size wins.
func TestPageSizeIsStored(t *testing.T) {
	fs := vfs.NewMem()
	o := DefaultOptions()
	o.PageSize = 1 << 10
	db, err := Open(fs, "/db", o)
	if err != nil {
		t.Fatal(err)
	}
	db.Put([]byte("a"), []byte("b"))
	db.Close()
	db, err = Open(fs, "/db", DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if ps := db.Stats().BTree.PageSize; ps != 1<<10 {
		t.Fatalf("page size %d after reopen, want 1024", ps)
	}
	if err := db.Check(io.Discard); err != nil {
		t.Fatal(err)
	}
}
