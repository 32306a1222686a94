package kvtest

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"

	"github.com/kvlab/kvlab/kv"
)

// fill writes n random keys (with some deletes), applying them to m too,
// and returns m.
func fill(t *testing.T, db kv.Engine, r *rand.Rand, n int, m model) model {
	t.Helper()
	g := keyGen{r: r, space: n * 2}
	var b kv.Batch
	for i := 0; i < n; i++ {
		k := g.key()
		if r.IntN(8) == 0 {
			b.Delete([]byte(k))
		} else {
			b.Put([]byte(k), []byte(randValue(r)))
		}
		if b.Len() >= 16 || i == n-1 {
			if err := db.Write(&b, kv.WriteOptions{}); err != nil {
				t.Fatal(err)
			}
			m.apply(&b)
			b.Reset()
		}
	}
	return m
}

// randBounds returns random bounds drawn around the model's keys.
func randBounds(r *rand.Rand, keys []string) kv.IterOptions {
	pick := func() []byte {
		switch r.IntN(5) {
		case 0:
			return nil
		case 1:
			return []byte(fmt.Sprintf("key/%08d", r.IntN(2000)))
		}
		if len(keys) == 0 {
			return nil
		}
		return []byte(keys[r.IntN(len(keys))])
	}
	o := kv.IterOptions{LowerBound: pick(), UpperBound: pick()}
	if r.IntN(10) == 0 && o.LowerBound != nil { // sometimes an empty or inverted range
		o.UpperBound = o.LowerBound
	}
	return o
}

// iterCheck drives an engine iterator and the model's sorted keys in step.
type iterCheck struct {
	t    *testing.T
	it   kv.Iterator
	m    model
	keys []string // model keys within bounds
	pos  int      // model position; -1 or len(keys) when off the ends
	ctx  string
}

func (c *iterCheck) verify(op string, ok bool) {
	c.t.Helper()
	want := c.pos >= 0 && c.pos < len(c.keys)
	if err := c.it.Err(); err != nil {
		c.t.Fatalf("%s: %s: iterator error %v", c.ctx, op, err)
	}
	if ok != want || c.it.Valid() != want {
		wk := "<none>"
		if want {
			wk = c.keys[c.pos]
		}
		gk := "<none>"
		if c.it.Valid() {
			gk = string(c.it.Key())
		}
		c.t.Fatalf("%s: %s returned %v (Valid %v, key %q), want key %q", c.ctx, op, ok, c.it.Valid(), gk, wk)
	}
	if !want {
		return
	}
	k := c.keys[c.pos]
	if string(c.it.Key()) != k {
		c.t.Fatalf("%s: %s at key %q, want %q", c.ctx, op, c.it.Key(), k)
	}
	if v := c.it.Value(); v == nil || string(v) != c.m[k] {
		c.t.Fatalf("%s: %s: value of %q = %.20q (nil %v), want %.20q", c.ctx, op, k, v, v == nil, c.m[k])
	}
}

func (s *suite) testIterator(t *testing.T) {
	r, seed := newRand(t)
	db, _, _ := s.fresh(t)

	// An empty store.
	it, err := db.NewIterator(kv.IterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if it.First() || it.Last() || it.SeekGE([]byte("a")) || it.SeekLT([]byte("z")) || it.Valid() {
		t.Fatal("iterator over an empty store found a key")
	}
	if err := it.Close(); err != nil {
		t.Fatal(err)
	}

	m := fill(t, db, r, budget(1500), model{})
	all := m.sorted(kv.IterOptions{})
	for round := 0; round < budget(120); round++ {
		o := randBounds(r, all)
		keys := m.sorted(o)
		ctx := fmt.Sprintf("seed %d round %d bounds [%q, %q)", seed, round, o.LowerBound, o.UpperBound)
		it, err := db.NewIterator(o)
		if err != nil {
			t.Fatal(err)
		}
		c := &iterCheck{t: t, it: it, m: m, keys: keys, ctx: ctx}
		// Full scans both ways.
		if round%10 == 0 {
			c.pos = 0
			ok := it.First()
			for ; ok; ok = it.Next() {
				c.verify("First/Next", ok)
				c.pos++
			}
			c.verify("Next at end", ok)
			c.pos = len(keys) - 1
			for ok = it.Last(); ok; ok = it.Prev() {
				c.verify("Last/Prev", ok)
				c.pos--
			}
			c.verify("Prev at start", ok)
		}
		// A random walk of seeks and steps, switching direction.
		for step := 0; step < 40; step++ {
			switch op := r.IntN(10); {
			case op == 0:
				c.pos = 0
				c.verify("First", it.First())
			case op == 1:
				c.pos = len(keys) - 1
				c.verify("Last", it.Last())
			case op < 4:
				target := seekTarget(r, all)
				c.pos = sort.SearchStrings(keys, target)
				c.verify(fmt.Sprintf("SeekGE(%q)", target), it.SeekGE([]byte(target)))
			case op < 6:
				target := seekTarget(r, all)
				c.pos = sort.SearchStrings(keys, target) - 1
				c.verify(fmt.Sprintf("SeekLT(%q)", target), it.SeekLT([]byte(target)))
			case op < 8:
				if !it.Valid() {
					continue
				}
				c.pos++
				c.verify("Next", it.Next())
			default:
				if !it.Valid() {
					continue
				}
				c.pos--
				c.verify("Prev", it.Prev())
			}
		}
		if err := it.Close(); err != nil {
			t.Fatalf("%s: Close: %v", ctx, err)
		}
	}
}

func seekTarget(r *rand.Rand, keys []string) string {
	if len(keys) == 0 || r.IntN(3) == 0 {
		return fmt.Sprintf("key/%08d", r.IntN(4000))
	}
	k := keys[r.IntN(len(keys))]
	if r.IntN(2) == 0 {
		return k + "\x00" // just after a key
	}
	return k
}

// testIteratorDuringWrites checks the weakest promise every engine makes:
// an iterator never skips, repeats or misorders a key that exists throughout
// its life, whatever is written meanwhile.
func (s *suite) testIteratorDuringWrites(t *testing.T) {
	r, seed := newRand(t)
	db, _, _ := s.fresh(t)
	var stable []string // keys never touched after the iterator opens
	var b kv.Batch
	for i := 0; i < budget(2000); i++ {
		k := fmt.Sprintf("key/%08d", i*2)
		b.Put([]byte(k), []byte("stable"))
		stable = append(stable, k)
	}
	if err := db.Write(&b, kv.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, reverse := range []bool{false, true} {
		it, err := db.NewIterator(kv.IterOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var seen []string
		ok := it.First()
		if reverse {
			ok = it.Last()
		}
		for i := 0; ok; i++ {
			seen = append(seen, string(it.Key()))
			if i%10 == 0 { // write odd keys (new ones and overwrites) and delete some
				var w kv.Batch
				for j := 0; j < 5; j++ {
					w.Put([]byte(fmt.Sprintf("key/%08d", r.IntN(4000)*2+1)), []byte("new"))
				}
				w.Delete([]byte(fmt.Sprintf("key/%08d", r.IntN(4000)*2+1)))
				if err := db.Write(&w, kv.WriteOptions{}); err != nil {
					t.Fatal(err)
				}
			}
			if reverse {
				ok = it.Prev()
			} else {
				ok = it.Next()
			}
		}
		if err := it.Close(); err != nil {
			t.Fatal(err)
		}
		if reverse {
			slices.Reverse(seen)
		}
		for i := 1; i < len(seen); i++ {
			if bytes.Compare([]byte(seen[i-1]), []byte(seen[i])) >= 0 {
				t.Fatalf("seed %d reverse=%v: iterator saw %q then %q", seed, reverse, seen[i-1], seen[i])
			}
		}
		for _, k := range stable {
			if _, found := slices.BinarySearch(seen, k); !found {
				t.Fatalf("seed %d reverse=%v: iterator skipped %q, which existed throughout", seed, reverse, k)
			}
		}
	}
}
