package btree

// Test hooks.

// LeafPageOf returns the page number of the leaf where key belongs.
func (db *DB) LeafPageOf(key []byte) uint64 {
	db.tmu.RLock()
	defer db.tmu.RUnlock()
	n, err := db.lookup(key)
	if err != nil {
		return 0
	}
	return uint64(n.pgno)
}

// PageOffset returns the byte offset of page pg in the pages file.
func (db *DB) PageOffset(pg uint64) int64 { return db.pageOffset(pgid(pg)) }

// RootPage returns the root's page number.
func (db *DB) RootPage() uint64 {
	db.tmu.RLock()
	defer db.tmu.RUnlock()
	return uint64(db.root)
}

// PageCount returns the allocator's page count.
func (db *DB) PageCount() uint64 {
	db.wmu.Lock()
	defer db.wmu.Unlock()
	return uint64(db.alloc.pageCount)
}

// lookup returns the leaf where key belongs, as a node.
func (db *DB) lookup(key []byte) (*node, error) {
	n, err := db.rootNode()
	for err == nil && !n.leaf {
		n, err = db.child(n, n.childIndex(key))
	}
	return n, err
}
