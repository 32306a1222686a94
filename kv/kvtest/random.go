package kvtest

import (
	"errors"
	"fmt"
	"testing"

	"github.com/kvlab/kvlab/kv"
)

// testRandomModel runs a random sequence of operations, checking every read
// against the model; persistent engines are also closed and reopened at
// random points.
func (s *suite) testRandomModel(t *testing.T) {
	r, seed := newRand(t)
	db, fs, dir := s.fresh(t)
	m := model{}
	g := keyGen{r: r, space: 400}
	n := budget(6000)
	for i := 0; i < n; i++ {
		ctx := fmt.Sprintf("seed %d op %d", seed, i)
		switch op := r.IntN(100); {
		case op < 35:
			k, v := g.key(), randValue(r)
			if err := db.Put([]byte(k), []byte(v)); err != nil {
				t.Fatalf("%s: Put: %v", ctx, err)
			}
			m[k] = v
		case op < 45:
			k := g.key()
			if err := db.Delete([]byte(k)); err != nil {
				t.Fatalf("%s: Delete: %v", ctx, err)
			}
			delete(m, k)
		case op < 55:
			b := s.randomBatch(g, 20, func() string { return randValue(r) })
			if err := db.Write(b, kv.WriteOptions{Sync: r.IntN(10) == 0}); err != nil {
				t.Fatalf("%s: Write: %v", ctx, err)
			}
			m.apply(b)
		case op < 85:
			k := g.key()
			v, err := db.Get([]byte(k))
			w, ok := m[k]
			if ok && (err != nil || string(v) != w) {
				t.Fatalf("%s: Get(%q) = %.20q, %v; want %.20q", ctx, k, v, err, w)
			}
			if !ok && !errors.Is(err, kv.ErrNotFound) {
				t.Fatalf("%s: Get(%q) = %.20q, %v; want ErrNotFound", ctx, k, v, err)
			}
		case op < 97:
			all := m.sorted(kv.IterOptions{})
			o := randBounds(r, all)
			it, err := db.NewIterator(o)
			if err != nil {
				t.Fatalf("%s: NewIterator: %v", ctx, err)
			}
			c := &iterCheck{t: t, it: it, m: m, keys: m.sorted(o), ctx: ctx}
			limit := r.IntN(30)
			if r.IntN(2) == 0 {
				c.pos = 0
				ok := it.First()
				for j := 0; ok && j < limit; j++ {
					c.verify("Next", ok)
					c.pos++
					ok = it.Next()
				}
			} else {
				c.pos = len(c.keys) - 1
				ok := it.Last()
				for j := 0; ok && j < limit; j++ {
					c.verify("Prev", ok)
					c.pos--
					ok = it.Prev()
				}
			}
			if err := it.Close(); err != nil {
				t.Fatalf("%s: iterator Close: %v", ctx, err)
			}
		case op < 99:
			// Maintenance mid-stream: a flush, or a compaction of a range,
			// moves data (and range tombstones) between levels.
			if fl, ok := db.(kv.Flusher); ok && r.IntN(2) == 0 {
				if err := fl.Flush(); err != nil {
					t.Fatalf("%s: Flush: %v", ctx, err)
				}
			} else if co, ok := db.(kv.Compacter); ok {
				lo, hi := g.span()
				if err := co.Compact([]byte(lo), []byte(hi)); err != nil {
					t.Fatalf("%s: Compact: %v", ctx, err)
				}
			}
		default:
			if s.cfg.volatile {
				continue
			}
			if err := db.Close(); err != nil {
				t.Fatalf("%s: Close: %v", ctx, err)
			}
			var err error
			if db, err = s.open(fs, dir); err != nil {
				t.Fatalf("%s: reopen: %v", ctx, err)
			}
			t.Cleanup(func() { db.Close() })
		}
	}
	checkDB(t, db, m, nil, fmt.Sprintf("seed %d final", seed))
}
