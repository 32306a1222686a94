package btree

import (
	"fmt"
	"hash/crc32"

	"github.com/kvlab/kvlab/kv"
)

// pathElem is one level of a root-to-leaf path: the node and, for a
// branch, the index of the child taken (for a leaf, a cell index).
type pathElem struct {
	n *node
	i int
}

// applyBatch applies every operation of b to the tree. The caller holds
// wmu and, unless recovering, tmu for writing.
func (db *DB) applyBatch(b *kv.Batch) error {
	r := b.Reader()
	for kind, k, v, ok := r.Next(); ok; kind, k, v, ok = r.Next() {
		var err error
		switch kind {
		case kv.OpSet:
			err = db.put(k, v)
		case kv.OpDeleteRange:
			err = db.delRange(k, v)
		default:
			err = db.del(k)
		}
		if err != nil {
			return err
		}
	}
	return r.Err()
}

// cow returns a node of n's contents that may be modified: n itself when
// it is fresh, else a copy under a newly allocated page number (shadow
// paging: a page of the last checkpoint is never overwritten). The caller
// points the parent (or the root) at the returned node.
func (db *DB) cow(n *node) *node {
	if db.alloc.isFresh(n.pgno) {
		db.pool.addDirty(n) // it may have been written back since
		return n
	}
	if n.private {
		// Decoded for this writer from a clean page: nobody else holds
		// it, so it moves to the new page number itself.
		pg := db.alloc.alloc(1)
		db.retire(n)
		n.pgno, n.private = pg, false
		db.pool.addDirty(n)
		return n
	}
	c := n.clone(db.alloc.alloc(1))
	db.retire(n)
	db.pool.addDirty(c)
	return c
}

// retire releases node n's page and drops it from the pool. When an open
// snapshot may read the page and its contents were never written there
// (the node was dirty), the node is kept for the snapshot's readers until
// the page is free (see snapshot.go). The caller holds tmu for writing.
func (db *DB) retire(n *node) {
	seen := db.alloc.release(n.pgno, 1)
	if dirty := db.pool.remove(n.pgno); seen && dirty {
		if db.kept == nil {
			db.kept = map[pgid]*node{}
		}
		db.kept[n.pgno] = n
		db.nkept.Add(1)
	}
}

// newNode returns an empty fresh node.
func (db *DB) newNode(leaf bool) *node {
	n := &node{pgno: db.alloc.alloc(1), leaf: leaf, size: pageHeaderSize}
	db.pool.addDirty(n)
	if leaf {
		db.leafPages++
	} else {
		db.branchPages++
	}
	return n
}

// freeNode releases node n's page.
func (db *DB) freeNode(n *node) {
	db.retire(n)
	if n.leaf {
		db.leafPages--
		db.leafBytes -= int64(n.acct)
	} else {
		db.branchPages--
	}
}

// recount brings the leaf-bytes gauge up to date with n's size, and the
// pool's count of dirty bytes with n's heap.
func (db *DB) recount(n *node) {
	if n.mem != n.heap() {
		db.pool.charge(n)
	}
	if n.leaf {
		db.leafBytes += int64(n.size - n.acct)
		n.acct = n.size
	}
}

// writablePath copies on write every node from the root to the leaf where
// key belongs and returns the path.
func (db *DB) writablePath(key []byte) ([]pathElem, error) {
	n, err := db.rootNode()
	if err != nil {
		return nil, err
	}
	n = db.cow(n)
	db.root = n.pgno
	path := make([]pathElem, 0, db.height)
	for !n.leaf {
		i := n.childIndex(key)
		path = append(path, pathElem{n, i})
		c, err := db.child(n, i)
		if err != nil {
			return nil, err
		}
		c = db.cow(c)
		n.kids[i] = c.pgno
		n = c
	}
	return append(path, pathElem{n: n}), nil
}

// put stores value under key.
func (db *DB) put(key, value []byte) error {
	path, err := db.writablePath(key)
	if err != nil {
		return err
	}
	leaf := path[len(path)-1].n
	i, found := leaf.search(key)
	var ref ovfRef
	stored := value // copied into the leaf's cell bytes
	if len(value) > db.threshold {
		if ref, err = db.writeOverflow(value); err != nil {
			return err
		}
		stored = nil
	}
	if found {
		db.liveBytes -= int64(len(key)) + db.valueLen(leaf, i)
		_, old := leaf.value(i)
		db.releaseOverflow(old)
	} else {
		db.keys++
	}
	leaf.setLeaf(i, !found, key, stored, ref)
	db.liveBytes += int64(len(key) + len(value))
	// A key appended at the end of the rightmost leaf is a sorted load:
	// split so that the left page stays full.
	appendMode := !found && i == leaf.count()-1
	for _, pe := range path[:len(path)-1] {
		appendMode = appendMode && pe.i == len(pe.n.kids)-1
	}
	return db.fixPath(path, appendMode, false)
}

// del removes key.
func (db *DB) del(key []byte) error {
	if found, err := db.has(key); err != nil || !found {
		return err
	}
	path, err := db.writablePath(key)
	if err != nil {
		return err
	}
	leaf := path[len(path)-1].n
	i, _ := leaf.search(key)
	db.liveBytes -= int64(len(key)) + db.valueLen(leaf, i)
	_, ref := leaf.value(i)
	db.releaseOverflow(ref)
	leaf.removeLeaf(i)
	db.keys--
	return db.fixPath(path, false, true)
}

func (db *DB) valueLen(n *node, i int) int64 {
	v, ref := n.value(i)
	if ref.pg != 0 {
		return int64(ref.n)
	}
	return int64(len(v))
}

// fixPath restores the page-size invariants along path, bottom-up: a node
// over the page size is split (its parent gains a separator; a root split
// adds a level); a node under a quarter page is merged with a sibling, or
// the two share their cells evenly when they do not fit one page (only
// after a delete, so that the half-empty right page a sorted load leaves
// behind is not evened out). Finally a branch root left with one child is
// removed (the tree loses a level).
func (db *DB) fixPath(path []pathElem, appendMode, deleted bool) error {
	for lvl := len(path) - 1; lvl >= 0; lvl-- {
		n := path[lvl].n
		db.recount(n)
		switch {
		case n.size > db.ps:
			if err := db.split(path, lvl, appendMode); err != nil {
				return err
			}
		case deleted && lvl > 0 && (n.size < db.ps/4 || (!n.leaf && n.count() == 0)):
			if err := db.rebalance(path, lvl); err != nil {
				return err
			}
		}
	}
	for {
		r, err := db.rootNode()
		if err != nil {
			return err
		}
		if r.leaf || r.count() > 0 {
			return nil
		}
		db.root = r.kids[0]
		db.freeNode(r)
		db.height--
	}
}

// split splits path[lvl].n in two.
func (db *DB) split(path []pathElem, lvl int, appendMode bool) error {
	n := path[lvl].n
	cut := n.splitPoint(db.ps, appendMode)
	if cut < 0 {
		return fmt.Errorf("btree: page %d (%d bytes, %d cells) cannot be split", n.pgno, n.size, n.count())
	}
	right := db.newNode(n.leaf)
	sep := n.splitOff(cut, right)
	db.recount(n)
	db.recount(right)
	if lvl > 0 {
		p := path[lvl-1]
		p.n.insertSep(p.i, sep, right.pgno)
		return nil
	}
	root := db.newNode(false)
	root.kids = []pgid{n.pgno}
	root.insertSep(0, sep, right.pgno)
	db.recount(root)
	db.root = root.pgno
	db.height++
	return nil
}

// rebalance merges the underfull node path[lvl].n with a sibling, or
// redistributes their cells when together they exceed a page.
func (db *DB) rebalance(path []pathElem, lvl int) error {
	parent, ci := path[lvl-1].n, path[lvl-1].i
	if len(parent.kids) < 2 {
		return nil // the parent is fixed at its own level
	}
	n := path[lvl].n
	var left, right *node
	si := ci + 1 // the sibling's child index
	if ci > 0 {
		si = ci - 1
	}
	s, err := db.child(parent, si)
	if err != nil {
		return err
	}
	s = db.cow(s)
	parent.kids[si] = s.pgno
	li := min(ci, si) // separator between left and right
	if si < ci {
		left, right = s, n
	} else {
		left, right = n, s
	}
	sep := parent.key(li)
	combined := left.size + right.size - pageHeaderSize
	if !left.leaf {
		combined += branchCellSize(sep)
	}
	if combined <= db.ps {
		left.absorb(sep, right)
		db.recount(left)
		parent.removeSep(li)
		db.freeNode(right)
		return nil
	}
	// Redistribute: pool the cells in left, cut them evenly, and let right
	// (same page) take the upper part.
	left.absorb(sep, right)
	cut := left.splitPoint(db.ps, false)
	if cut < 0 {
		return fmt.Errorf("btree: pages %d and %d cannot be rebalanced", left.pgno, right.pgno)
	}
	r2 := &node{pgno: right.pgno, leaf: right.leaf, acct: right.acct}
	newSep := left.splitOff(cut, r2)
	db.pool.addDirty(r2)
	db.recount(left)
	db.recount(r2)
	parent.setSep(li, newSep)
	return nil
}

// writeOverflow stores value in a run of fresh overflow pages: the bare
// value (cellOverflowRaw), so a value of n bytes takes ceil(n/PageSize)
// pages, checked by the CRC-32C the leaf cell keeps.
func (db *DB) writeOverflow(value []byte) (ovfRef, error) {
	ref := ovfRef{n: uint32(len(value)), raw: true, sum: crc32.Checksum(value, crcTable)}
	cnt := ref.pages(db.ps)
	ref.pg = db.alloc.alloc(cnt)
	buf := make([]byte, cnt*db.ps)
	copy(buf, value)
	if db.opts.ReadOnly {
		// Replaying the log of a read-only store: the run stays in
		// memory (readPage finds it there).
		db.roOverflow[ref.pg] = buf
		db.ovfPages += int64(cnt)
		return ref, nil
	}
	if _, err := db.pages.WriteAt(buf, db.pageOffset(ref.pg)); err != nil {
		db.alloc.release(ref.pg, cnt)
		return ovfRef{}, fmt.Errorf("btree: write overflow pages %d-%d: %w", ref.pg, ref.pg+pgid(cnt)-1, err)
	}
	db.st.pagesWritten.Add(int64(cnt))
	db.ovfPages += int64(cnt)
	return ref, nil
}

// releaseOverflow frees the overflow run of ref, if any.
func (db *DB) releaseOverflow(ref ovfRef) {
	if ref.pg == 0 {
		return
	}
	cnt := ref.pages(db.ps)
	db.alloc.release(ref.pg, cnt)
	db.ovfPages -= int64(cnt)
}
