package sstable

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/bits-and-blooms/bloom/v3"

	"github.com/kvlab/kvlab/internal/base"
	"github.com/kvlab/kvlab/internal/rangedel"
	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/vfs"
)

// Reader reads one table. Open loads and validates the footer, the index,
// the filter and the properties and keeps them in memory; data blocks are
// read on demand, through the block cache when there is one.
//
// Every block is checked against its checksum and validated (entries,
// restart points, key order, and for a data block that its keys lie between
// its index neighbours) once, when it is read from the file. Damage is
// reported as an error matching kv.ErrCorruption that names the file and the
// block's offset; a Reader never panics on a damaged file and never returns
// data that failed a check.
//
// Get, NewIter, Stats and the other read methods are safe for concurrent
// use. Close must not race with them, and the iterators must be closed first.
type Reader struct {
	f       vfs.File
	name    string
	fileNum uint64
	cache   *Cache
	verify  bool

	index  []indexEntry // decoded index block, one entry per data block
	filter *bloom.BloomFilter
	props  Properties
	// rangeDels are the table's range tombstones (nil when none) and
	// version its format version (rangedel_block.go).
	rangeDels *rangedel.Set
	version   uint32
	size      int64

	stats  counters
	closed atomic.Bool
}

// indexEntry is a decoded index block entry.
type indexEntry struct {
	sep []byte // internal key: >= the block's last key, < the next block's first
	h   blockHandle
}

// IndexEntry describes one data block, as the index records it.
type IndexEntry struct {
	// Separator is an internal key at or after the block's last key and
	// before the next block's first key.
	Separator []byte
	// Offset and Length locate the block's stored contents (its trailer
	// follows them).
	Offset, Length uint64
}

// Open reads the table in f, whose name (for error messages) is name and
// whose file number (the block cache key) is fileNum. The Reader owns f from
// then on: Close closes it, and so does Open when it fails.
//
// A file that is too short, lacks the magic number or fails a check is
// reported with an error matching kv.ErrCorruption; a table of an unknown
// format version with one that also matches ErrUnsupportedVersion.
func Open(f vfs.File, name string, fileNum uint64, opts ReaderOptions) (*Reader, error) {
	r := &Reader{f: f, name: name, fileNum: fileNum, cache: opts.Cache, verify: !opts.skipChecksums}
	if err := r.open(); err != nil {
		f.Close()
		return nil, err
	}
	return r, nil
}

func (r *Reader) corrupt(off int64, format string, args ...any) error {
	return kv.Corruptf(r.name, off, "sstable: "+format, args...)
}

func (r *Reader) open() error {
	size, err := r.f.Size()
	if err != nil {
		return fmt.Errorf("sstable: size of %s: %w", r.name, err)
	}
	r.size = size
	if size < footerLen {
		return r.corrupt(0, "file of %d bytes is shorter than the %d-byte footer", size, footerLen)
	}
	tailLen := min(size, footerLenV2)
	buf := make([]byte, tailLen)
	if err := r.readAt(buf, uint64(size-tailLen)); err != nil {
		return err
	}
	ft, ferr := decodeFooter(buf, r.verify)
	if ferr != nil {
		ce := kv.Corruptf(r.name, size-footerLen, "sstable: %s", ferr.reason)
		if ferr.unsupported {
			ce.Err = ErrUnsupportedVersion
		}
		return ce
	}
	r.version = ft.version
	footerOff := uint64(size) - uint64(footerSize(ft.version))

	// The blocks lie back to back: data blocks, range deletions (version
	// 2, optional), filter (optional), index, properties, footer.
	inside := func(h blockHandle, end uint64) bool {
		return h.offset <= end && h.length <= end-h.offset && end-h.offset-h.length == blockTrailerLen
	}
	if !inside(ft.props, footerOff) || !inside(ft.index, ft.props.offset) {
		return r.corrupt(int64(footerOff), "footer handles out of place: index %+v, properties %+v", ft.index, ft.props)
	}
	dataEnd := ft.index.offset
	if ft.filter != (blockHandle{}) {
		if !inside(ft.filter, ft.index.offset) {
			return r.corrupt(int64(footerOff), "footer filter handle %+v out of place", ft.filter)
		}
		dataEnd = ft.filter.offset
	}
	if ft.rangeDel != (blockHandle{}) {
		if !inside(ft.rangeDel, dataEnd) {
			return r.corrupt(int64(footerOff), "footer range-deletion handle %+v out of place", ft.rangeDel)
		}
		dataEnd = ft.rangeDel.offset
	}

	if err := r.loadIndex(ft.index, dataEnd); err != nil {
		return err
	}
	if ft.filter != (blockHandle{}) {
		data, err := r.readContents(ft.filter, "filter")
		if err != nil {
			return err
		}
		if r.filter, err = decodeFilter(data); err != nil {
			return r.corrupt(int64(ft.filter.offset), "filter block: %v", err)
		}
	}
	pb, err := r.readBlock(ft.props, "properties")
	if err != nil {
		return err
	}
	if r.props, err = decodeProperties(pb); err != nil {
		return r.corrupt(int64(ft.props.offset), "properties block: %v", err)
	}
	p := &r.props
	filterSize := uint64(0)
	if r.filter != nil {
		filterSize = ft.filter.length + blockTrailerLen
	}
	if p.NumDataBlocks != uint64(len(r.index)) || p.DataSize != dataEnd ||
		p.IndexSize != ft.index.length+blockTrailerLen || p.FilterSize != filterSize ||
		(p.NumEntries == 0) != (len(r.index) == 0) {
		return r.corrupt(int64(ft.props.offset), "properties disagree with the layout: %d data blocks of %d bytes, index %d bytes, filter %d bytes",
			len(r.index), dataEnd, ft.index.length+blockTrailerLen, filterSize)
	}
	rangeDelSize := uint64(0)
	if ft.rangeDel != (blockHandle{}) {
		rangeDelSize = ft.rangeDel.length + blockTrailerLen
	}
	if p.RangeDelSize != rangeDelSize {
		return r.corrupt(int64(ft.props.offset), "properties say the range-deletion block has %d bytes, the footer %d", p.RangeDelSize, rangeDelSize)
	}
	if rangeDelSize > 0 {
		return r.loadRangeDels(ft.rangeDel)
	}
	if p.NumRangeDeletions != 0 {
		return r.corrupt(int64(ft.props.offset), "properties count %d range deletions in a table without a range-deletion block", p.NumRangeDeletions)
	}
	return nil
}

// loadIndex reads and decodes the index block and checks that its handles
// tile [0, dataEnd) in order.
func (r *Reader) loadIndex(h blockHandle, dataEnd uint64) error {
	b, err := r.readBlock(h, "index")
	if err != nil {
		return err
	}
	next := uint64(0)
	var keys []byte
	_, err = b.walk(internalKeyOrder, func(key, value []byte) error {
		bh, ok := decodeHandle(value)
		if !ok {
			return fmt.Errorf("bad block handle %x for separator %s", value, base.Format(key))
		}
		if bh.offset != next || bh.length > dataEnd-next || dataEnd-next-bh.length < blockTrailerLen {
			return fmt.Errorf("block handle {%d %d} out of place, expected offset %d below %d", bh.offset, bh.length, next, dataEnd)
		}
		next = bh.end()
		start := len(keys)
		keys = append(keys, key...)
		r.index = append(r.index, indexEntry{sep: keys[start:len(keys):len(keys)], h: bh})
		return nil
	})
	if err == nil && next != dataEnd {
		err = fmt.Errorf("data blocks end at %d, the next block starts at %d", next, dataEnd)
	}
	if err != nil {
		return r.corrupt(int64(h.offset), "index block: %v", err)
	}
	// keys may have moved while growing: point the separators at its final
	// backing array.
	off := 0
	for i := range r.index {
		n := len(r.index[i].sep)
		r.index[i].sep = keys[off : off+n : off+n]
		off += n
	}
	return nil
}

// readAt reads len(buf) bytes at off, counting them.
func (r *Reader) readAt(buf []byte, off uint64) error {
	n, err := r.f.ReadAt(buf, int64(off))
	r.stats.bytesRead.Add(int64(n))
	if n == len(buf) {
		return nil
	}
	if err == nil || err == io.EOF {
		return r.corrupt(int64(off), "file truncated: read %d of %d bytes", n, len(buf))
	}
	return fmt.Errorf("sstable: read %s at %d: %w", r.name, off, err)
}

// readContents reads the block at h, checks its trailer and returns its
// decompressed contents.
func (r *Reader) readContents(h blockHandle, what string) ([]byte, error) {
	n := int(h.length + blockTrailerLen)
	bp := getReadBuf(n)
	buf := (*bp)[:n]
	r.stats.blocksRead.Add(1)
	if err := r.readAt(buf, h.offset); err != nil {
		putReadBuf(bp)
		return nil, err
	}
	data, err := decodeContents(buf, r.verify)
	if err != nil {
		putReadBuf(bp)
		return nil, r.corrupt(int64(h.offset), "%s block: %v", what, err)
	}
	if compressionType(buf[n-blockTrailerLen]) != noCompressionType {
		putReadBuf(bp) // data is a decompressed copy
	}
	return data, nil
}

// readBufs recycles the buffers compressed blocks are read into: the
// decompressed contents are a copy, so the buffer is free once decoded.
var readBufs sync.Pool

// maxPooledReadBuf is the largest read buffer kept for reuse.
const maxPooledReadBuf = 256 << 10

func putReadBuf(bp *[]byte) {
	if cap(*bp) <= maxPooledReadBuf {
		readBufs.Put(bp)
	}
}

func getReadBuf(n int) *[]byte {
	if n <= maxPooledReadBuf {
		if bp, ok := readBufs.Get().(*[]byte); ok && cap(*bp) >= n {
			return bp
		}
		b := make([]byte, n, max(n, 8<<10))
		return &b
	}
	b := make([]byte, n)
	return &b
}

// readBlock reads the block at h and checks its restart array.
func (r *Reader) readBlock(h blockHandle, what string) (*block, error) {
	data, err := r.readContents(h, what)
	if err != nil {
		return nil, err
	}
	b, err := parseBlock(data)
	if err != nil {
		return nil, r.corrupt(int64(h.offset), "%s block: %v", what, err)
	}
	return b, nil
}

// dataBlock returns data block i, from the cache or from the file; a block
// read from the file is checked (its checksum, and its restart array) and
// then cached.
func (r *Reader) dataBlock(i int) (*block, error) {
	h := r.index[i].h
	if r.cache.enabled() {
		if b := r.cache.get(r.fileNum, h.offset); b != nil {
			r.stats.cacheHits.Add(1)
			return b, nil
		}
	}
	r.stats.cacheMisses.Add(1)
	if r.closed.Load() {
		return nil, fmt.Errorf("sstable: %s: %w", r.name, kv.ErrClosed)
	}
	b, err := r.readBlock(h, "data")
	if err != nil {
		return nil, err
	}
	if !r.verify {
		// Without checksums nothing vouches for the block: check its
		// whole structure before anyone iterates it.
		if err := r.validateDataBlock(i, b); err != nil {
			return nil, err
		}
	}
	if r.cache.enabled() {
		r.cache.insert(r.fileNum, h.offset, b)
	}
	return b, nil
}

// validateDataBlock checks every entry of data block i: varints, restart
// points, key order, and that its keys lie between the separators of its
// index entry and the one before.
func (r *Reader) validateDataBlock(i int, b *block) error {
	h := r.index[i].h
	first := true
	last, err := b.walk(internalKeyOrder, func(key, _ []byte) error {
		if first && i > 0 && base.Compare(key, r.index[i-1].sep) <= 0 {
			return fmt.Errorf("first key %s not after the previous separator %s", base.Format(key), base.Format(r.index[i-1].sep))
		}
		first = false
		return nil
	})
	if err == nil && first {
		err = fmt.Errorf("empty data block")
	}
	if err == nil && base.Compare(last, r.index[i].sep) > 0 {
		err = fmt.Errorf("last key %s after the separator %s", base.Format(last), base.Format(r.index[i].sep))
	}
	if err != nil {
		return r.corrupt(int64(h.offset), "data block %d: %v", i, err)
	}
	return nil
}

// searchIndex returns the first data block whose separator is >= ikey:
// the only block that can hold the first entry >= ikey, or len(index).
func (r *Reader) searchIndex(ikey []byte) int {
	return sort.Search(len(r.index), func(i int) bool { return base.Compare(r.index[i].sep, ikey) >= 0 })
}

// MayContain reports whether the table may hold the user key: false only
// when the Bloom filter rules it out; true when there is no filter. It
// reads no block and counts nothing.
func (r *Reader) MayContain(ukey []byte) bool {
	return r.filter == nil || r.filter.Test(ukey)
}

// Properties returns the table's properties. Their key slices are shared:
// do not modify them.
func (r *Reader) Properties() Properties { return r.props }

// Index returns a copy of the index: one entry per data block, in order.
func (r *Reader) Index() []IndexEntry {
	out := make([]IndexEntry, len(r.index))
	for i, e := range r.index {
		out[i] = IndexEntry{Separator: slices.Clone(e.sep), Offset: e.h.offset, Length: e.h.length}
	}
	return out
}

// FilterParams returns the Bloom filter's number of bits and of hash
// functions; both 0 when the table has no filter.
func (r *Reader) FilterParams() (bits, hashes uint64) {
	if r.filter == nil {
		return 0, 0
	}
	return uint64(r.filter.Cap()), uint64(r.filter.K())
}

// IndexMemory returns the bytes the reader holds for its decoded index:
// the separators and, per data block, an entry of a slice header and a
// block handle.
func (r *Reader) IndexMemory() int64 {
	n := int64(cap(r.index)) * int64(unsafe.Sizeof(indexEntry{}))
	for i := range r.index {
		n += int64(len(r.index[i].sep)) // the separators share one array (loadIndex)
	}
	return n
}

// FilterMemory returns the bytes of the reader's Bloom filter, 0 without
// one.
func (r *Reader) FilterMemory() int64 {
	if r.filter == nil {
		return 0
	}
	return int64(r.filter.Cap()+7) / 8
}

// FileNum returns the file number the reader was opened with.
func (r *Reader) FileNum() uint64 { return r.fileNum }

// Size returns the table file's size in bytes.
func (r *Reader) Size() int64 { return r.size }

// Stats returns the reader's counters.
func (r *Reader) Stats() Stats { return r.stats.snapshot() }

// Close closes the file. Blocks of the table stay in the cache (a reader
// may open the file again); call Cache.Evict when the file is deleted.
// Closing twice returns nil.
func (r *Reader) Close() error {
	if r.closed.Swap(true) {
		return nil
	}
	return r.f.Close()
}
