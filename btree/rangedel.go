package btree

import (
	"bytes"
	"fmt"
)

// Range deletes (kv.Batch.DeleteRange) remove [start, end) in steps, each
// a root-to-leaf descent toward cur, the lowest key of the range that may
// still be present (start at first):
//
//   - when a branch's child on the way lies entirely inside the range (its
//     separators say so), the whole subtree is removed: the child leaves
//     its parent like a merged page does, and its pages and overflow runs
//     are released (its leaves are read for the key and byte counts, the
//     overflow values are not);
//   - otherwise, at the leaf, the cells in [cur, end) are removed.
//
// Either way the path is then fixed as after a delete (fixPath: merges,
// redistribution, root collapse), so the tree is valid after every step,
// and cur moves to the upper bound of what the step covered. Each step
// removes one maximal covered subtree or the range's part of one leaf, so
// a range spanning many leaves costs a few descents per level rather than
// one per key. Steps that find nothing to remove change nothing (no copy
// on write).

// delRange removes every key k with start <= k < end.
func (db *DB) delRange(start, end []byte) error {
	cur := start
	for bytes.Compare(cur, end) < 0 {
		next, err := db.delRangeStep(start, cur, end)
		if err != nil {
			return err
		}
		if next == nil {
			return nil // the step reached the end of the key space
		}
		cur = next
	}
	return nil
}

// delRangeStep runs one step of delRange: keys in [start, cur) are already
// gone. It returns the bound up to which keys are gone afterwards (nil for
// the end of the key space).
func (db *DB) delRangeStep(start, cur, end []byte) ([]byte, error) {
	n, err := db.rootNode()
	if err != nil {
		return nil, err
	}
	var lo, hi []byte // n's key range; nil is unbounded
	for depth := 0; !n.leaf; depth++ {
		i := n.childIndex(cur)
		clo, chi := lo, hi
		if i > 0 {
			clo = n.key(i - 1)
		}
		if i < n.count() {
			chi = n.key(i)
		}
		if covered(start, end, clo, chi) {
			return chi, db.dropChild(cur, depth)
		}
		if n, err = db.child(n, i); err != nil {
			return nil, err
		}
		lo, hi = clo, chi
	}
	i, _ := n.search(cur)
	j, _ := n.search(end)
	if i == j {
		return hi, nil
	}
	path, err := db.writablePath(cur)
	if err != nil {
		return nil, err
	}
	leaf := path[len(path)-1].n
	for range j - i {
		k, _, ref := leaf.leafCell(i)
		db.liveBytes -= int64(len(k)) + db.valueLen(leaf, i)
		db.releaseOverflow(ref)
		leaf.removeLeaf(i)
		db.keys--
	}
	return hi, db.fixPath(path, false, true)
}

// covered reports whether the key range [lo, hi) (nil: unbounded) lies
// inside [start, end).
func covered(start, end, lo, hi []byte) bool {
	if hi == nil || bytes.Compare(hi, end) > 0 {
		return false
	}
	if lo == nil {
		return len(start) == 0
	}
	return bytes.Compare(lo, start) >= 0
}

// dropChild removes, with its whole subtree, the child the branch at depth
// on key's path takes for key, and fixes the path above it.
func (db *DB) dropChild(key []byte, depth int) error {
	n, err := db.rootNode()
	if err != nil {
		return err
	}
	n = db.cow(n)
	db.root = n.pgno
	path := make([]pathElem, 0, depth+1)
	for {
		i := n.childIndex(key)
		path = append(path, pathElem{n, i})
		if len(path) > depth {
			break
		}
		c, err := db.child(n, i)
		if err != nil {
			return err
		}
		c = db.cow(c)
		n.kids[i] = c.pgno
		n = c
	}
	i := path[depth].i
	if len(n.kids) < 2 {
		return db.corrupt(n.pgno, pageErrorf(n.pgno, "branch page has no separator"))
	}
	kid := n.kids[i]
	if i > 0 {
		n.removeSep(i - 1) // the child takes its left separator along
	} else {
		right := n.kids[1]
		n.removeSep(0)
		n.kids[0] = right
	}
	if err := db.freeSubtree(kid); err != nil {
		return err
	}
	return db.fixPath(path, false, true)
}

// freeSubtree releases every page of the subtree at page pg, overflow runs
// included, and takes its keys out of the counters. Pages missing from the
// pool are read without joining it.
func (db *DB) freeSubtree(pg pgid) error {
	n, err := db.loadNode(pg, false)
	if err != nil {
		return fmt.Errorf("btree: delete range: %w", err)
	}
	if n.leaf {
		for i := range n.count() {
			k, _, ref := n.leafCell(i)
			db.liveBytes -= int64(len(k)) + db.valueLen(n, i)
			db.releaseOverflow(ref)
		}
		db.keys -= int64(n.count())
	} else {
		for _, kid := range n.kids {
			if err := db.freeSubtree(kid); err != nil {
				return err
			}
		}
	}
	db.freeNode(n)
	return nil
}
