package btree

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/vfs"
)

// rangeKey is the key of number i in the range-delete tests.
func rangeKey(i int) string { return fmt.Sprintf("k%07d", i) }

// keyNum returns the key number of a rangeKey.
func keyNum(k string) int {
	var n int
	fmt.Sscanf(k, "k%07d", &n)
	return n
}

// putRandom adds a put of key k with a random value to b and to model m.
func putRandom(r *rand.Rand, b *kv.Batch, m map[string]string, k string, threshold int) {
	v := value(r, threshold)
	b.Put([]byte(k), []byte(v))
	m[k] = v
}

// deleteModelRange removes [lo, hi) from the model.
func deleteModelRange(m map[string]string, lo, hi string) {
	for k := range m {
		if k >= lo && k < hi {
			delete(m, k)
		}
	}
}

// randomRange returns a random span of key numbers within [0, space]:
// mostly short, sometimes a large part of the key space.
func randomRange(r *rand.Rand, space int) (string, string) {
	a := r.IntN(space)
	var w int
	switch r.IntN(4) {
	case 0:
		w = r.IntN(space / 2)
	case 1:
		w = r.IntN(200)
	default:
		w = r.IntN(20)
	}
	return rangeKey(a), rangeKey(min(space, a+w))
}

// TestDeleteRangeAgainstModel fills a tree of several levels (values on
// both sides of the overflow threshold), then runs rounds of range deletes
// mixed with puts and point deletes against a map, checking contents and
// the integrity of the checkpoint after every round, and finally deletes
// everything with one range: the tree shrinks back to one empty leaf and
// the file to a few pages.
func TestDeleteRangeAgainstModel(t *testing.T) {
	for _, ps := range []int{1 << 10, 4 << 10} {
		t.Run(fmt.Sprintf("page=%d", ps), func(t *testing.T) {
			s := seed(t)
			r := newRand(s)
			fs := vfs.NewMem()
			o := Options{PageSize: ps, PoolSize: int64(ps) * 32, CheckpointSize: 128 << 10}
			db, err := Open(fs, "/db", o)
			if err != nil {
				t.Fatal(err)
			}
			defer func() { db.Close() }()
			space, rounds := 14000, 10
			if testing.Short() {
				space, rounds = 3000, 5
			}
			m := map[string]string{}
			fillRange(t, db, r, m, space, o.threshold(), fmt.Sprintf("seed %d", s))
			mustCheck(t, db, fmt.Sprintf("seed %d filled", s))
			if h, want := db.Stats().BTree.Height, 2+1024/ps; h < want {
				t.Fatalf("seed %d: filled tree has height %d, want >= %d", s, h, want)
			}
			ranges := 0 // range deletes since the last Open
			for round := range rounds {
				ctx := fmt.Sprintf("seed %d page %d round %d", s, ps, round)
				for i := range 40 {
					var b kv.Batch
					lo, hi := randomRange(r, space)
					b.DeleteRange([]byte(lo), []byte(hi))
					ranges++
					deleteModelRange(m, lo, hi)
					if r.IntN(3) == 0 { // a put inside the range, after it: it stays
						putRandom(r, &b, m, rangeKey(keyNum(lo)+r.IntN(max(1, keyNum(hi)-keyNum(lo)))), o.threshold())
					}
					for range r.IntN(30) {
						putRandom(r, &b, m, rangeKey(r.IntN(space)), o.threshold())
					}
					if err := db.Write(&b, kv.WriteOptions{}); err != nil {
						t.Fatalf("%s op %d: %v", ctx, i, err)
					}
				}
				verify(t, db, m, ctx)
				mustCheck(t, db, ctx)
				if round%4 == 3 {
					db = reopen(t, db, fs, o, m, ctx)
					ranges = 0
				}
			}
			var b kv.Batch
			b.DeleteRange(nil, []byte("l"))
			if err := db.Write(&b, kv.WriteOptions{}); err != nil {
				t.Fatal(err)
			}
			if got := db.Stats().Ops.RangeDeletes; got != int64(ranges+1) {
				t.Fatalf("seed %d: Stats().Ops.RangeDeletes = %d, want %d", s, got, ranges+1)
			}
			checkEmptied(t, db, fmt.Sprintf("seed %d page %d", s, ps))
		})
	}
}

// fillRange puts every key number below space in random order, with
// random values.
func fillRange(t *testing.T, db *DB, r *rand.Rand, m map[string]string, space, threshold int, ctx string) {
	t.Helper()
	order := r.Perm(space)
	for len(order) > 0 {
		var b kv.Batch
		for _, i := range order[:min(100, len(order))] {
			k, v := rangeKey(i), value(r, threshold)
			b.Put([]byte(k), []byte(v))
			m[k] = v
		}
		order = order[min(100, len(order)):]
		if err := db.Write(&b, kv.WriteOptions{}); err != nil {
			t.Fatalf("%s: fill: %v", ctx, err)
		}
	}
}

// openFilled opens a store on a fresh in-memory FS and fills it with the
// key numbers below space (random values); the store is closed when the
// test ends.
func openFilled(t *testing.T, o Options, space int) (*DB, map[string]string, uint64) {
	t.Helper()
	s := seed(t)
	db, err := Open(vfs.NewMem(), "/db", o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	m := map[string]string{}
	fillRange(t, db, newRand(s), m, space, o.threshold(), fmt.Sprintf("seed %d", s))
	return db, m, s
}

// TestDeleteRangeFreesSubtrees checks that a range covering most of a
// large tree is removed subtree by subtree: the checkpoint after it writes
// only the pages along the range's two edges and the free list, not a copy
// of every leaf it covered.
func TestDeleteRangeFreesSubtrees(t *testing.T) {
	space := 20000
	if testing.Short() {
		space = 6000
	}
	o := Options{PageSize: 1 << 10, PoolSize: 64 << 10, CheckpointSize: 1 << 20}
	db, m, s := openFilled(t, o, space)
	mustCheck(t, db, "filled")
	before := db.Stats()
	var b kv.Batch
	lo, hi := rangeKey(space/20), rangeKey(space-space/20)
	b.DeleteRange([]byte(lo), []byte(hi))
	if err := db.Write(&b, kv.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	deleteModelRange(m, lo, hi)
	mustCheck(t, db, "range deleted")
	after := db.Stats()
	removed := before.BTree.LeafPages - after.BTree.LeafPages
	written := after.Extra["pages_written"] - before.Extra["pages_written"]
	freePages := float64(after.BTree.FreePages)
	flPages := freePages/float64(freelistCapacity(o.PageSize)) + 1
	if removed < int64(space/40) {
		t.Fatalf("seed %d: the range delete removed %d leaves, want most of them", s, removed)
	}
	// Edges: a path per level on each side, each merged with a sibling.
	// The pages the delete released pass the shadow budget, so the write
	// itself starts a checkpoint before mustCheck's: each writes the free
	// list.
	ckpts := float64(after.BTree.Checkpoints - before.BTree.Checkpoints)
	if limit := ckpts*flPages + 4*float64(after.BTree.Height+1)*2; written > limit {
		t.Fatalf("seed %d: the %.0f checkpoints after the range delete wrote %.0f pages (%d leaves removed, %.0f free-list pages), want at most %.0f",
			s, ckpts, written, removed, flPages, limit)
	}
	t.Logf("range delete: %d leaves removed, %.0f pages written by the next checkpoints (%.0f free-list pages)", removed, written, flPages)
	verify(t, db, m, fmt.Sprintf("seed %d", s))
}

// TestIteratorAcrossRangeDeletes steps a (non-snapshot) iterator through
// a tree while range deletes land ahead of and behind it: it returns keys
// in increasing order, only keys present when it returned them, and every
// key that was present throughout.
func TestIteratorAcrossRangeDeletes(t *testing.T) {
	const space = 8000
	db, m, s := openFilled(t, Options{PageSize: 1 << 10, PoolSize: 32 << 10, CheckpointSize: 64 << 10}, space)
	r := newRand(s + 1)
	stable := map[string]bool{} // keys never deleted during the scan
	for k := range m {
		stable[k] = true
	}
	it, err := db.NewIterator(kv.IterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	var seen []string
	for ok := it.First(); ok; ok = it.Next() {
		k := string(it.Key())
		ctx := fmt.Sprintf("seed %d at %q", s, k)
		if _, ok := m[k]; !ok || m[k] != string(it.Value()) {
			t.Fatalf("%s: the iterator returned a key or value the tree does not hold", ctx)
		}
		if len(seen) > 0 && k <= seen[len(seen)-1] {
			t.Fatalf("%s: out of order after %q", ctx, seen[len(seen)-1])
		}
		seen = append(seen, k)
		if r.IntN(20) == 0 {
			lo, hi := randomRange(r, space)
			var b kv.Batch
			b.DeleteRange([]byte(lo), []byte(hi))
			if err := db.Write(&b, kv.WriteOptions{}); err != nil {
				t.Fatal(err)
			}
			deleteModelRange(m, lo, hi)
			for k := range stable {
				if k >= lo && k < hi {
					delete(stable, k)
				}
			}
		}
	}
	if err := it.Err(); err != nil {
		t.Fatalf("seed %d: %v", s, err)
	}
	for k := range stable {
		if _, ok := slices.BinarySearch(seen, k); !ok {
			t.Fatalf("seed %d: the iterator skipped %q, present throughout", s, k)
		}
	}
	if !strings.HasPrefix(seen[0], "k") {
		t.Fatalf("seed %d: first key %q", s, seen[0])
	}
}
