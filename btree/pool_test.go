package btree

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/vfs"
)

// fillPage is a pool read function writing pg's number into every byte.
func fillPage(pg pgid) func([]byte) error {
	return func(b []byte) error {
		for i := range b {
			b[i] = byte(pg)
		}
		return nil
	}
}

// TestPoolPinsAndEviction drives a small pool at random against a model of
// pinned pages: a pinned page's bytes never change (however many loads,
// evictions and removals happen meanwhile), the pool never holds more
// frames than its capacity, and a load with every frame pinned is served
// from a private buffer.
func TestPoolPinsAndEviction(t *testing.T) {
	const ps, capacity = 64, 8
	seed := rand.Uint64()
	r := rand.New(rand.NewPCG(seed, 1))
	p, err := newPool(capacity, ps)
	if err != nil {
		t.Fatal(err)
	}
	defer p.close()
	var held []struct {
		pg pgid
		pp page
	}
	for op := 0; op < 20000; op++ {
		ctx := fmt.Sprintf("seed %d op %d", seed, op)
		pg := pgid(1 + r.IntN(20))
		switch r.IntN(4) {
		case 0, 1: // read, keeping it pinned for a while
			pp, ok := p.get(pg)
			if !ok {
				if pp, err = p.load(pg, fillPage(pg)); err != nil {
					t.Fatal(err)
				}
			}
			if pp.n == nil && !bytes.Equal(pp.v, bytes.Repeat([]byte{byte(pg)}, ps)) {
				t.Fatalf("%s: page %d reads wrong bytes", ctx, pg)
			}
			held = append(held, struct {
				pg pgid
				pp page
			}{pg, pp})
		case 2: // release one
			if len(held) > 0 {
				i := r.IntN(len(held))
				h := held[i]
				if h.pp.n == nil && !bytes.Equal(h.pp.v, bytes.Repeat([]byte{byte(h.pg)}, ps)) {
					t.Fatalf("%s: pinned page %d changed under its reader", ctx, h.pg)
				}
				p.release(h.pp)
				held = append(held[:i], held[i+1:]...)
			}
		case 3: // the writer replaces or frees a page
			if r.IntN(2) == 0 {
				p.remove(pg)
			} else {
				n := &node{pgno: pg, leaf: true, size: pageHeaderSize}
				p.addDirty(n)
				img := make([]byte, ps)
				_ = fillPage(pg)(img)
				p.markClean(n, img)
			}
		}
		frames := 0
		for _, s := range p.table {
			if s.n == nil {
				frames++
			}
		}
		if frames > capacity {
			t.Fatalf("%s: %d frames cached, capacity %d", ctx, frames, capacity)
		}
	}
	if p.spills.Load() == 0 {
		t.Fatalf("seed %d: no load found every frame pinned; the test lost its point", seed)
	}
	for _, h := range held {
		p.release(h.pp)
	}
	for i := range p.frames {
		if n := p.frames[i].pins.Load(); n != 0 {
			t.Fatalf("seed %d: frame %d left with %d pins", seed, i, n)
		}
	}
}

// dirtyHeap returns the heap the pool's dirty nodes hold now (node.heap)
// and the sum of what the pool counted for them (node.mem).
func (p *pool) dirtyHeap() (heap, counted int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, s := range p.table {
		if s.n != nil {
			heap += int64(s.n.heap())
			counted += int64(s.n.mem)
		}
	}
	return heap, counted
}

// TestDirtyBudget writes random batches (inserts, overwrites, deletes,
// overflow values, range deletes) to a store with a tiny pool and checks
// after every batch that the dirty nodes' heap is within the dirty budget
// and that the pool's running count of it is exact; the store must match
// a model map and pass Check at the end. It runs with frames (the memory
// file system) and, where the OS files offer it, through the mapping.
func TestDirtyBudget(t *testing.T) {
	t.Run("frames", func(t *testing.T) { testDirtyBudget(t, vfs.NewMem(), "db") })
	t.Run("mmap", func(t *testing.T) { testDirtyBudget(t, vfs.Default, t.TempDir()) })
}

func testDirtyBudget(t *testing.T, fs vfs.FS, dir string) {
	seed := rand.Uint64()
	r := rand.New(rand.NewPCG(seed, 2))
	o := DefaultOptions()
	o.PageSize = MinPageSize
	o.PoolSize = 64 << 10
	o.CheckpointSize = 1 << 20
	db, err := Open(fs, dir, o)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	budget := db.pool.dirtyBudget
	if want := o.dirtyBudget(db.mapped != nil); budget != want {
		t.Fatalf("dirty budget %d, want %d", budget, want)
	}
	model := map[string]string{}
	batches := 300
	if testing.Short() {
		batches = 100
	}
	peak := int64(0)
	for b := range batches {
		var batch kv.Batch
		for range 1 + r.IntN(200) {
			k := fmt.Sprintf("key%06d", r.IntN(20000))
			switch x := r.IntN(20); {
			case x == 0:
				batch.Delete([]byte(k))
				delete(model, k)
			case x == 1:
				v := string(bytes.Repeat([]byte{byte(b)}, 300+r.IntN(3000)))
				batch.Put([]byte(k), []byte(v))
				model[k] = v
			default:
				v := fmt.Sprintf("v%d-%d", b, r.IntN(1<<20))
				batch.Put([]byte(k), []byte(v))
				model[k] = v
			}
		}
		if r.IntN(50) == 0 {
			lo := fmt.Sprintf("key%06d", r.IntN(20000))
			hi := lo + "5"
			batch.DeleteRange([]byte(lo), []byte(hi))
			for k := range model {
				if k >= lo && k < hi {
					delete(model, k)
				}
			}
		}
		if err := db.Write(&batch, kv.WriteOptions{}); err != nil {
			t.Fatalf("seed %d batch %d: %v", seed, b, err)
		}
		db.wmu.Lock()
		heap, counted := db.pool.dirtyHeap()
		running := db.pool.dirtyBytes.Load()
		db.wmu.Unlock()
		if heap > budget {
			t.Fatalf("seed %d batch %d: dirty nodes hold %d heap bytes, over the budget %d", seed, b, heap, budget)
		}
		if heap != counted || counted != running {
			t.Fatalf("seed %d batch %d: dirty heap %d, counted per node %d, running count %d", seed, b, heap, counted, running)
		}
		peak = max(peak, heap)
	}
	if peak < budget/4 {
		t.Fatalf("seed %d: dirty heap peaked at %d of a %d budget: the test did not reach it", seed, peak, budget)
	}
	for k, v := range model {
		got, err := db.Get([]byte(k))
		if err != nil || string(got) != v {
			t.Fatalf("seed %d: Get(%s) = %.20q, %v; want %.20q", seed, k, got, err, v)
		}
	}
	if err := db.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := db.Check(io.Discard); err != nil {
		t.Fatalf("seed %d: %v", seed, err)
	}
}

// TestPoolKeepsBranchesLonger loads one branch page and one leaf, then a
// stream of leaves nobody reads again: the clock must keep the idle branch
// for at least one more revolution of loads than the idle leaf, and then
// evict it too (kept longer, never for ever).
func TestPoolKeepsBranchesLonger(t *testing.T) {
	const ps, capacity = 64, 8
	p, err := newPool(capacity, ps)
	if err != nil {
		t.Fatal(err)
	}
	defer p.close()
	typed := func(typ byte) func([]byte) error {
		return func(b []byte) error {
			clear(b)
			b[offType] = typ
			return nil
		}
	}
	const branchPg, leafPg = 1, 2
	for _, c := range []struct {
		pg  pgid
		typ byte
	}{{branchPg, pageBranch}, {leafPg, pageLeaf}} {
		pp, err := p.load(c.pg, typed(c.typ))
		if err != nil {
			t.Fatal(err)
		}
		p.release(pp)
	}
	cached := func(pg pgid) bool {
		p.mu.RLock()
		defer p.mu.RUnlock()
		_, ok := p.table[pg]
		return ok
	}
	leafGone, branchGone := -1, -1
	limit := (branchChances + 4) * capacity
	for i := range limit {
		pp, err := p.load(pgid(100+i), typed(pageLeaf))
		if err != nil {
			t.Fatal(err)
		}
		p.release(pp)
		if leafGone < 0 && !cached(leafPg) {
			leafGone = i + 1
		}
		if branchGone < 0 && !cached(branchPg) {
			branchGone = i + 1
		}
	}
	switch {
	case leafGone < 0:
		t.Errorf("an idle leaf survived %d loads into %d frames", limit, capacity)
	case branchGone < 0:
		t.Errorf("an idle branch survived %d loads into %d frames", limit, capacity)
	case branchGone-leafGone < capacity-1:
		t.Errorf("the idle leaf went after %d loads, the idle branch after %d: want the branch kept at least %d loads (a revolution of the other frames) longer", leafGone, branchGone, capacity-1)
	}
}
