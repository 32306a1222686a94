package btree

import (
	"bytes"
	"fmt"
	"io"

	"github.com/kvlab/kvlab/kv"
)

// Check implements kv.Checker. It verifies the last checkpoint as it is on
// disk (call Flush first to include recent writes): both meta pages,
// every page's checksum and self-reference, key order within each page and
// against the separators of its ancestors, that every branch has at least
// one separator, that all leaves are at the same depth, that overflow runs
// hold the lengths their cells claim, and that every page below the page
// count is exactly one of reachable, overflow, free-list or free (no leak,
// no double use). The counters of the meta page (keys, live bytes, page
// counts by type, height) must match what the walk found.
//
// The first damage is returned as a *kv.CorruptionError whose offset is the
// damaged page's and whose reason names its page number. Check reads the
// files directly, bypassing the buffer pool, and blocks writers meanwhile.
func (db *DB) Check(w io.Writer) error {
	db.wmu.Lock()
	defer db.wmu.Unlock()
	if db.closed.Load() {
		return kv.ErrClosed
	}
	db.waitCheckpointLocked() // its meta page may be half written
	if db.closed.Load() {
		return kv.ErrClosed
	}
	m, found, _, err := db.readMeta()
	if err != nil {
		return err
	}
	if !found {
		return kv.Corruptf(db.metaName(), 0, "btree: no valid meta page")
	}
	c := &checker{db: db, m: m, owner: map[pgid]string{}, buf: make([]byte, db.ps), leafDepth: -1}
	fmt.Fprintf(w, "btree: checkpoint %d, page size %d, %d pages, root %d, height %d, log %d\n",
		m.checkpoint, m.pageSize, m.pageCount-1, m.root, m.height, m.walNum)
	if err := c.walk(m.root, 1, nil, nil, 0); err != nil {
		return err
	}
	if err := c.walkFreelist(); err != nil {
		return err
	}
	for pg := pgid(1); uint64(pg) < m.pageCount; pg++ {
		if _, ok := c.owner[pg]; !ok {
			return db.corrupt(pg, pageErrorf(pg, "page is leaked: neither reachable nor free"))
		}
	}
	for _, f := range []struct {
		name      string
		got, want uint64
	}{
		{"keys", c.keys, m.keys},
		{"live bytes", c.live, m.liveBytes},
		{"leaf pages", c.leaves, m.leafPages},
		{"branch pages", c.branches, m.branchPages},
		{"overflow pages", c.overflow, m.overflowPages},
		{"leaf bytes", c.leafBytes, m.leafBytes},
		{"height", uint64(c.leafDepth), uint64(m.height)},
	} {
		if f.got != f.want {
			return kv.Corruptf(db.metaName(), int64(m.checkpoint%2)*metaSlotSize,
				"btree: meta page of checkpoint %d says %d %s, the tree holds %d", m.checkpoint, f.want, f.name, f.got)
		}
	}
	fmt.Fprintf(w, "btree: ok: %d keys (%d bytes), %d leaf, %d branch, %d overflow, %d free-list and %d free pages\n",
		c.keys, c.live, c.leaves, c.branches, c.overflow, c.flPages, c.free)
	return nil
}

func (db *DB) metaName() string { return db.dir + "/" + metaFileName }

type checker struct {
	db                                 *DB
	m                                  meta
	owner                              map[pgid]string
	buf                                []byte
	leafDepth                          int
	keys, live, leaves, branches       uint64
	overflow, leafBytes, flPages, free uint64
}

// claim records that page pg is used as kind, failing on a second use or
// a page number outside the file.
func (c *checker) claim(pg pgid, kind string, from pgid) error {
	if pg == 0 || uint64(pg) >= c.m.pageCount {
		return c.db.corrupt(from, pageErrorf(from, "refers to %s page %d outside the file (%d pages)", kind, pg, c.m.pageCount-1))
	}
	if prev, ok := c.owner[pg]; ok {
		return c.db.corrupt(pg, pageErrorf(pg, "page is used twice: as %s and as %s (reference from page %d)", prev, kind, from))
	}
	c.owner[pg] = kind
	return nil
}

// walk checks the subtree at pg, whose keys must lie in [lo, hi) (nil:
// unbounded).
func (c *checker) walk(pg pgid, depth int, lo, hi []byte, from pgid) error {
	db := c.db
	if err := c.claim(pg, "tree", from); err != nil {
		return err
	}
	buf := make([]byte, db.ps)
	if err := db.readPage(pg, buf); err != nil {
		return err
	}
	n, err := decodeNode(buf, pg)
	if err != nil {
		return db.corrupt(pg, err)
	}
	for i := range n.count() {
		k := n.key(i)
		if i > 0 && bytes.Compare(n.key(i-1), k) >= 0 {
			return db.corrupt(pg, pageErrorf(pg, "keys %d and %d out of order", i-1, i))
		}
		if (lo != nil && bytes.Compare(k, lo) < 0) || (hi != nil && bytes.Compare(k, hi) >= 0) {
			return db.corrupt(pg, pageErrorf(pg, "key %d lies outside the range its parent's separators give", i))
		}
	}
	if n.leaf {
		if c.leafDepth < 0 {
			c.leafDepth = depth
		} else if depth != c.leafDepth {
			return db.corrupt(pg, pageErrorf(pg, "leaf at depth %d, others at %d: the tree is not balanced", depth, c.leafDepth))
		}
		c.leaves++
		c.leafBytes += uint64(n.size)
		for i := range n.count() {
			c.keys++
			c.live += uint64(len(n.key(i))) + uint64(db.valueLen(n, i))
			if _, ref := n.value(i); ref.pg != 0 {
				if err := c.checkOverflow(n, i); err != nil {
					return err
				}
			}
		}
		return nil
	}
	c.branches++
	if n.count() == 0 {
		return db.corrupt(pg, pageErrorf(pg, "branch page has no separator"))
	}
	for i, kid := range n.kids {
		clo, chi := lo, hi
		if i > 0 {
			clo = n.key(i - 1)
		}
		if i < n.count() {
			chi = n.key(i)
		}
		if err := c.walk(kid, depth+1, clo, chi, pg); err != nil {
			return err
		}
	}
	return nil
}

func (c *checker) checkOverflow(n *node, i int) error {
	_, ref := n.value(i)
	cnt := ref.pages(c.db.ps)
	for j := range cnt {
		if err := c.claim(ref.pg+pgid(j), "overflow", n.pgno); err != nil {
			return err
		}
	}
	if _, err := c.db.readValue(n, i); err != nil {
		return err
	}
	c.overflow += uint64(cnt)
	return nil
}

func (c *checker) walkFreelist() error {
	from := pgid(0)
	for pg := c.m.freelist; pg != 0; {
		if err := c.claim(pg, "free-list", from); err != nil {
			return err
		}
		if err := c.db.readPage(pg, c.buf); err != nil {
			return err
		}
		ids, next, err := decodeFreelist(c.buf, pg)
		if err != nil {
			return c.db.corrupt(pg, err)
		}
		c.flPages++
		for _, id := range ids {
			if err := c.claim(id, "free", pg); err != nil {
				return err
			}
			c.free++
		}
		from, pg = pg, next
	}
	return nil
}
