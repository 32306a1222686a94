package btree

import (
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/vfs"
)

// spaceKey returns the key of number i: 8 bytes whose order is not i's,
// so that inserting i = 0, 1, 2... lands on random leaves.
func spaceKey(i int) []byte {
	return binary.BigEndian.AppendUint64(nil, uint64(i)*0x9E3779B97F4A7C15)
}

// filePages returns the length of db's pages file in pages.
func filePages(t *testing.T, db *DB) int64 {
	t.Helper()
	size, err := db.pages.Size()
	if err != nil {
		t.Fatal(err)
	}
	return size / int64(db.ps)
}

// TestSpaceBoundedByShadowBudget runs random inserts, then uniform random
// overwrites, then deletes three quarters of the keys and overwrites the
// rest, against a map. The log (256 KiB, about 3500 updates) would let an
// epoch copy most of the tree's pages; the shadow budget must end epochs
// sooner. Throughout, the pages file may hold no more than the tree (leaf,
// branch and overflow pages) plus three budgets: the checkpoint being
// written records as free the pages released before its freeze (reserved
// until it is durable), up to two budgets, as a writer that reaches two
// waits for a launched checkpoint's freeze; the current epoch's released
// pages (pending until the next checkpoint is durable) stay under one, as a
// writer that reaches it while a checkpoint writes waits for it. Plus the
// free list and a few pages. Without the budget the same run reaches about
// twice the tree. After the deletes the file must come back down to that
// bound of the smaller tree: the overwrites copy the pages that remain to
// the lowest free pages, and checkpoints cut the free tail off.
func TestSpaceBoundedByShadowBudget(t *testing.T) {
	s := seed(t)
	r := newRand(s)
	n := 20000
	if testing.Short() {
		n = 6000
	}
	o := Options{PageSize: 1 << 10, PoolSize: 64 << 10, CheckpointSize: 256 << 10}
	db, err := Open(vfs.NewMem(), "/db", o)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	m := map[string]string{}
	maxRatio := 0.0
	check := func(ctx string) {
		t.Helper()
		bt := db.Stats().BTree
		tree := bt.LeafPages + bt.BranchPages + bt.OverflowPages
		budget := shadowBudget(tree, db.opts.shadowBudget())
		limit := tree + 3*budget + tree/int64(freelistCapacity(db.ps)) + 8
		if got := filePages(t, db); got > limit {
			t.Fatalf("seed %d: %s: pages file holds %d pages for a tree of %d (budget %d), want at most %d; %s",
				s, ctx, got, tree, budget, limit, db.allocSummary())
		} else {
			maxRatio = max(maxRatio, float64(got)/float64(tree))
		}
	}
	put := func(i int) {
		v := make([]byte, 80+r.IntN(80))
		for j := range v {
			v[j] = byte('a' + r.IntN(26))
		}
		k := spaceKey(i)
		if err := db.Put(k, v); err != nil {
			t.Fatalf("seed %d: put: %v", s, err)
		}
		m[string(k)] = string(v)
	}
	for i, p := range r.Perm(n) {
		put(p)
		if i%500 == 499 {
			check(fmt.Sprintf("insert %d", i+1))
		}
	}
	for i := range 2 * n {
		put(r.IntN(n))
		if i%500 == 499 {
			check(fmt.Sprintf("overwrite %d", i+1))
		}
	}
	verify(t, db, m, fmt.Sprintf("seed %d: after overwrites", s))
	t.Logf("seed %d: the pages file peaked at %.2f times the tree's pages (a budget of at least %d pages is much of a small tree)", s, maxRatio, minShadowPages)
	before := filePages(t, db)

	// Delete three quarters of the keys, then overwrite the rest until
	// every remaining page has been copied down.
	var b kv.Batch
	for i := range n {
		if i%4 != 0 {
			k := spaceKey(i)
			b.Delete(k)
			delete(m, string(k))
		}
	}
	if err := db.Write(&b, kv.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	for range 2 * n {
		put(4 * r.IntN(n/4))
	}
	check("after deletes and overwrites")
	mustCheck(t, db, fmt.Sprintf("seed %d: after deletes and overwrites", s))
	verify(t, db, m, fmt.Sprintf("seed %d: after deletes and overwrites", s))
	after := filePages(t, db)
	if after >= before {
		t.Fatalf("seed %d: the pages file went from %d to %d pages after three quarters of the keys were deleted", s, before, after)
	}
	t.Logf("seed %d: %d pages before the deletes, %d after", s, before, after)
}

// allocSummary describes the allocator's state, for failure messages.
func (db *DB) allocSummary() string {
	db.wmu.Lock()
	defer db.wmu.Unlock()
	a := db.alloc
	mx, _ := a.free.Max()
	return fmt.Sprintf("pageCount=%d free=%d maxfree=%d pending=%d reserved=%d held=%d ckpts=%d fl=%d", a.pageCount, a.free.Len(), mx, len(a.pending), len(a.reserved), len(a.held), db.st.checkpoints.Load(), len(db.flPages))
}
