package btree

import (
	"fmt"
	"math/bits"
	"sync"
	"sync/atomic"

	"github.com/kvlab/kvlab/vfs"
)

// mapping reads the pages file through read-only shared memory mappings
// (Options.Mmap, when the file offers vfs.Mapper): a clean page the pool
// does not hold as a dirty node is searched in place in the mapping, in
// the OS page cache, with no system call, copy or frame (see "Buffer pool"
// in doc.go for why that is safe).
//
// The file is mapped in chunks of chunkSize bytes of address space, each
// mapped once (on first use) and never moved or unmapped before Close, so a
// reader never sees a base address change. A chunk may extend past the
// file's end: npages says how many whole pages the file holds, and no
// page beyond it is ever touched (that would raise SIGBUS).
//
// Each chunk has a bitmap of verified pages: a page's bit is set once its
// bytes in the mapping have been checked (checksum, page number, type and
// checkNodePage) or once the store wrote them from a node (markClean), and
// it is cleared before the page can change: when it becomes dirty
// (pool.addDirty), before every write to it (pagesFile.WriteAt), and when
// the file is cut below it (pagesFile.Truncate). A set bit therefore means
// that the page is clean and its mapped bytes may be read as a pageView.
type mapping struct {
	m      vfs.Mapper
	ps     int
	shift  uint          // log2(ps)
	npages atomic.Uint64 // whole pages in the file: the only ones readers touch

	mu     sync.Mutex                 // serializes the mapping of new chunks
	chunks atomic.Pointer[[]mapChunk] // grows by copy; entries never change
	failed error                      // a Map error (under mu): no more chunks
}

// mapChunk is one chunk's mapping and its verified-page bitmap.
type mapChunk struct {
	data []byte
	bits []atomic.Uint64
}

// chunkShift is log2 of the bytes one chunk maps: 1 GiB of address space
// on 64-bit systems (a 4M-key store takes two), 64 MiB on 32-bit ones.
const chunkShift = 26 + 4*(bits.UintSize/64)

const chunkSize = 1 << chunkShift

func newMapping(m vfs.Mapper, ps int, size int64) *mapping {
	mp := &mapping{m: m, ps: ps, shift: uint(bits.TrailingZeros(uint(ps)))}
	mp.npages.Store(uint64(size) >> mp.shift)
	mp.chunks.Store(&[]mapChunk{})
	return mp
}

// locate returns the chunk index of page pg and the page's index in it;
// page 0 (an invalid reference) comes out as a huge chunk index.
func (mp *mapping) locate(pg pgid) (ci, idx uint64) {
	off := uint64(pg-1) << mp.shift
	return off >> chunkShift, (off & (chunkSize - 1)) >> mp.shift
}

// verified returns page pg's bytes in the mapping when its bit is set
// (the page is clean and its mapped bytes were checked), else nil. The
// caller holds the tree's lock for reading: the hot path of every read,
// two atomic loads and no lock.
func (mp *mapping) verified(pg pgid) pageView {
	ci, idx := mp.locate(pg)
	chunks := *mp.chunks.Load()
	if ci >= uint64(len(chunks)) {
		return nil
	}
	c := &chunks[ci]
	if c.bits[idx>>6].Load()&(1<<(idx&63)) == 0 {
		return nil
	}
	off := idx << mp.shift
	return pageView(c.data[off : off+uint64(mp.ps) : off+uint64(mp.ps)])
}

// run returns the mapped bytes of cnt pages from page pg when they lie
// within the file and within one chunk, else nil (read them with ReadAt).
func (mp *mapping) run(pg pgid, cnt int) []byte {
	if pg == 0 || cnt < 1 || uint64(pg)+uint64(cnt)-1 > mp.npages.Load() {
		return nil
	}
	ci, idx := mp.locate(pg)
	n := uint64(cnt) << mp.shift
	off := idx << mp.shift
	if off+n > chunkSize {
		return nil
	}
	c := mp.chunk(ci)
	if c == nil {
		return nil
	}
	return c.data[off : off+n : off+n]
}

// chunk returns chunk ci, mapping it (and any before it) if needed; nil
// when mapping failed.
func (mp *mapping) chunk(ci uint64) *mapChunk {
	if chunks := *mp.chunks.Load(); ci < uint64(len(chunks)) {
		return &chunks[ci]
	}
	mp.mu.Lock()
	defer mp.mu.Unlock()
	chunks := *mp.chunks.Load()
	for uint64(len(chunks)) <= ci && mp.failed == nil {
		data, err := mp.m.Map(int64(len(chunks))<<chunkShift, chunkSize)
		if err != nil {
			mp.failed = fmt.Errorf("btree: map the pages file: %w", err)
			break
		}
		words := (chunkSize >> mp.shift) / 64
		chunks = append(chunks[:len(chunks):len(chunks)], mapChunk{data: data, bits: make([]atomic.Uint64, words)})
		mp.chunks.Store(&chunks)
	}
	if ci < uint64(len(chunks)) {
		return &chunks[ci]
	}
	return nil
}

// active returns 1 while the mapping serves reads, 0 when there is none
// or mapping a chunk failed (reads then use ReadAt), for Stats.
func (mp *mapping) active() float64 {
	if mp == nil {
		return 0
	}
	mp.mu.Lock()
	defer mp.mu.Unlock()
	if mp.failed != nil {
		return 0
	}
	return 1
}

// setVerified sets page pg's bit, if its chunk is mapped.
func (mp *mapping) setVerified(pg pgid) {
	ci, idx := mp.locate(pg)
	if chunks := *mp.chunks.Load(); ci < uint64(len(chunks)) {
		chunks[ci].bits[idx>>6].Or(1 << (idx & 63))
	}
}

// forget clears the bits of pages [pg, pg+cnt): their bytes are about to
// change or go. A nil mapping forgets nothing.
func (mp *mapping) forget(pg pgid, cnt uint64) {
	if mp == nil || pg == 0 {
		return
	}
	chunks := *mp.chunks.Load()
	for end := uint64(pg) + cnt; uint64(pg) < end; pg++ {
		ci, idx := mp.locate(pg)
		if ci >= uint64(len(chunks)) {
			return
		}
		if w := &chunks[ci].bits[idx>>6]; w.Load()&(1<<(idx&63)) != 0 {
			w.And(^(1 << (idx & 63)))
		}
	}
}

// close unmaps every chunk. The caller makes sure no reader can reach
// them any more (the store is closed).
func (mp *mapping) close() {
	mp.mu.Lock()
	defer mp.mu.Unlock()
	for _, c := range *mp.chunks.Load() {
		_ = mp.m.Unmap(c.data)
	}
	mp.chunks.Store(&[]mapChunk{})
	mp.failed = fmt.Errorf("btree: the pages file is closed")
}

// pagesFile is the pages file as the store writes it: every write and
// truncation goes through here, so that the mapping's verified bits and
// page count follow the file (the one central place).
type pagesFile struct {
	vfs.File
	db *DB
}

// WriteAt clears the bits of the pages written before writing them, and
// counts the pages the file then holds.
func (f *pagesFile) WriteAt(p []byte, off int64) (int, error) {
	mp := f.db.mapped
	if mp == nil {
		return f.File.WriteAt(p, off)
	}
	if len(p) > 0 {
		first, last := uint64(off)>>mp.shift, uint64(off+int64(len(p))-1)>>mp.shift
		mp.forget(pgid(first)+1, last-first+1)
	}
	n, err := f.File.WriteAt(p, off)
	// A background checkpoint's writes may run beside write-back's or an
	// overflow run's: raise the count, never lower it. (Truncate runs
	// under wmu after the checkpoint's writes, so no write races it.)
	end := uint64(off+int64(n)) >> mp.shift
	for old := mp.npages.Load(); end > old && !mp.npages.CompareAndSwap(old, end); old = mp.npages.Load() {
	}
	return n, err
}

// Truncate cuts the file with the tree's write lock held, when it is
// mapped: no reader can then touch a page as it goes (a damaged branch
// pointing past the new end finds it beyond npages and reads with ReadAt,
// which reports it as corrupt, instead of faulting). The caller must not
// hold the tree's lock (completeLocked holds only wmu; create runs in Open).
func (f *pagesFile) Truncate(size int64) error {
	mp := f.db.mapped
	if mp == nil {
		return f.File.Truncate(size)
	}
	f.db.tmu.Lock()
	defer f.db.tmu.Unlock()
	end := uint64(size) >> mp.shift
	if old := mp.npages.Load(); end < old {
		mp.npages.Store(end)
		mp.forget(pgid(end)+1, old-end)
	}
	err := f.File.Truncate(size)
	if err == nil {
		mp.npages.Store(end)
	}
	return err
}

// initMapping wraps the pages file so that its writes maintain the
// mapping, and starts the mapping when Options.Mmap asks for it and the
// file offers one. Called once the page size is known, before any page is
// read.
func (db *DB) initMapping() error {
	if _, ok := db.pages.(*pagesFile); !ok {
		db.pages = &pagesFile{File: db.pages, db: db}
	}
	if !db.opts.Mmap {
		return nil
	}
	m, ok := vfs.AsMapper(db.pages.(*pagesFile).File)
	if !ok {
		return nil
	}
	size, err := db.pages.Size()
	if err != nil {
		return fmt.Errorf("btree: open: %w", err)
	}
	db.mapped = newMapping(m, db.ps, size)
	db.pool.mapped = db.mapped
	return nil
}

// mapView returns page pg from the mapping, verified (checksum, page
// number, type, structure) and its bit set, counting it as a page read:
// the first read of a page through the mapping since it was written or
// the store opened. ok is false when the page cannot be read through the
// mapping (beyond the file's end, or the mapping failed): read it with
// ReadAt. The caller holds the tree's lock for reading and has found that
// the pool holds no dirty node of the page.
func (db *DB) mapView(pg pgid) (v pageView, ok bool, err error) {
	mp := db.mapped
	b := mp.run(pg, 1)
	if b == nil {
		return nil, false, nil
	}
	if err := verifyPage(b, pg, pageLeaf, pageBranch); err != nil {
		return nil, true, db.corrupt(pg, err)
	}
	if _, err := checkNodePage(b, pg); err != nil {
		return nil, true, db.corrupt(pg, err)
	}
	mp.setVerified(pg)
	db.st.pagesRead.Add(1)
	db.pool.misses.Add(1)
	mp.m.CountMappedRead(db.ps)
	return pageView(b), true, nil
}
