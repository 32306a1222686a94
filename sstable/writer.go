package sstable

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"slices"

	"github.com/golang/snappy"

	"github.com/kvlab/kvlab/internal/base"
	"github.com/kvlab/kvlab/vfs"
)

// maxEntrySize bounds an entry's key plus value, so that every block's
// offsets fit the 32-bit restart array. It is far above kv's key and value
// limits.
const maxEntrySize = 1 << 30

// errFinished is returned by Add and Finish after Finish.
var errFinished = errors.New("sstable: writer already finished")

// Meta describes a table the Writer finished.
type Meta struct {
	// FileSize is the table's size in bytes.
	FileSize uint64
	// Properties are the table's properties, as stored in it.
	Properties Properties
}

// Writer builds a table from internal keys added in increasing order.
//
// Finished blocks are gathered in a buffer and written to the file in large
// writes; Finish writes the rest, the meta blocks and the footer, and syncs
// the file. The Writer never closes the file: the caller does, after Finish
// (or after an error, when it should also remove the file).
//
// Errors stick: after a write error every method returns it. A Writer is not
// safe for concurrent use.
type Writer struct {
	f    vfs.File
	opts WriterOptions

	buf    []byte // finished blocks not yet written to f
	offset uint64 // file offset of the end of buf

	data, index  blockWriter
	pending      bool        // a data block was flushed; its index entry waits for the next key
	pendingBlock blockHandle // that block
	lastKey      []byte
	filter       *filterBuilder
	rd           rangeDelWriter // range tombstones (rangedel_block.go)
	props        Properties
	sepBuf       []byte
	handleBuf    []byte
	cbuf         []byte // compression output

	err      error
	finished bool
}

// NewWriter returns a Writer that writes a table to f, which should be
// empty. Option values out of range take their defaults (see WriterOptions).
func NewWriter(f vfs.File, opts WriterOptions) *Writer {
	opts = opts.resolve()
	w := &Writer{f: f, opts: opts}
	w.data.init(opts.RestartInterval)
	w.index.init(1)
	if opts.BloomBitsPerKey > 0 {
		w.filter = &filterBuilder{bitsPerKey: opts.BloomBitsPerKey}
	}
	w.props.Compression = opts.Compression
	w.props.BlockSize = uint64(opts.BlockSize)
	w.props.RestartInterval = uint64(opts.RestartInterval)
	w.props.BloomBitsPerKey = uint64(opts.BloomBitsPerKey)
	return w
}

// Add appends an entry. ikey must be a valid internal key (see
// internal/base) sorting strictly after the previous one by base.Compare.
// Add copies what it keeps: the caller may reuse ikey and value.
//
// An invalid or out-of-order key is refused with an error that leaves the
// Writer usable; an I/O error sticks.
func (w *Writer) Add(ikey, value []byte) error {
	if w.err != nil {
		return w.err
	}
	if w.finished {
		return errFinished
	}
	ukey, seq, kind, ok := base.Parse(ikey)
	if !ok {
		return fmt.Errorf("sstable: Add: invalid internal key %x", ikey)
	}
	if w.props.NumEntries > 0 && base.Compare(w.lastKey, ikey) >= 0 {
		return fmt.Errorf("sstable: Add: key %s is not after the previous key %s", base.Format(ikey), base.Format(w.lastKey))
	}
	if len(ikey)+len(value) > maxEntrySize {
		return fmt.Errorf("sstable: Add: entry of %d bytes exceeds the limit of %d", len(ikey)+len(value), maxEntrySize)
	}
	if w.pending {
		w.sepBuf = appendSeparator(w.sepBuf[:0], w.lastKey, ikey)
		w.addIndexEntry(w.sepBuf)
	}
	if w.filter != nil && (w.props.NumEntries == 0 || !bytes.Equal(ukey, base.UserKey(w.lastKey))) {
		w.filter.add(ukey)
	}
	w.data.add(ikey, value)

	p := &w.props
	if p.NumEntries == 0 {
		p.SmallestKey = slices.Clone(ikey)
		p.SmallestSeq, p.LargestSeq = seq, seq
	}
	p.NumEntries++
	if kind == base.KindDelete {
		p.NumDeletions++
	}
	p.RawKeySize += uint64(len(ikey))
	p.RawValueSize += uint64(len(value))
	p.SmallestSeq = min(p.SmallestSeq, seq)
	p.LargestSeq = max(p.LargestSeq, seq)
	w.lastKey = append(w.lastKey[:0], ikey...)

	if w.data.estimatedSize() >= w.opts.BlockSize {
		return w.flushDataBlock()
	}
	return nil
}

// EstimatedSize returns about how large the file would be if Finish were
// called now: what has been written or buffered, the open data block, and
// estimates of the index, filter and properties blocks. The LSM compares it
// with its target file size to decide where to cut a table.
func (w *Writer) EstimatedSize() uint64 {
	n := w.offset // buffered bytes included
	if !w.data.empty() {
		// The open block will shrink as much as the previous ones did.
		open := uint64(w.data.estimatedSize())
		if w.props.RawDataSize > 0 {
			stored := w.props.DataSize - w.props.NumDataBlocks*blockTrailerLen
			open = open * stored / w.props.RawDataSize
		}
		n += open + blockTrailerLen
	}
	n += uint64(w.index.estimatedSize() + blockTrailerLen)
	if w.pending || !w.data.empty() {
		n += uint64(len(w.lastKey) + maxHandleVarintLen + 3)
	}
	if w.filter != nil {
		n += uint64(w.filter.estimatedSize())
	}
	n += w.rangeDelEstimate()
	return n + 512 + footerLen // properties block, footer
}

func (w *Writer) addIndexEntry(sep []byte) {
	w.handleBuf = appendHandle(w.handleBuf[:0], w.pendingBlock)
	w.index.add(sep, w.handleBuf)
	w.pending = false
}

func (w *Writer) flushDataBlock() error {
	contents := w.data.finish()
	h, err := w.writeBlock(contents, true)
	if err != nil {
		return err
	}
	w.props.NumDataBlocks++
	w.props.RawDataSize += uint64(len(contents))
	w.props.DataSize += h.length + blockTrailerLen
	w.pendingBlock, w.pending = h, true
	w.data.reset()
	return nil
}

// writeBlock appends a block — contents, compressed when allowed and worth
// it, then the trailer — to the write buffer and returns its handle.
func (w *Writer) writeBlock(contents []byte, compressible bool) (blockHandle, error) {
	typ := noCompressionType
	stored := contents
	if compressible && w.opts.Compression == SnappyCompression {
		w.cbuf = snappy.Encode(w.cbuf[:cap(w.cbuf)], contents)
		if len(w.cbuf) <= len(contents)-len(contents)/8 {
			stored, typ = w.cbuf, snappyCompressionType
		}
	}
	h := blockHandle{offset: w.offset, length: uint64(len(stored))}
	w.buf = append(w.buf, stored...)
	w.buf = append(w.buf, byte(typ))
	crc := crc32.Update(crc32.Checksum(stored, crcTable), crcTable, []byte{byte(typ)})
	w.buf = binary.LittleEndian.AppendUint32(w.buf, crc)
	w.offset = h.end()
	if len(w.buf) >= writeBufferSize {
		return h, w.flushBuffer()
	}
	return h, nil
}

func (w *Writer) flushBuffer() error {
	if len(w.buf) == 0 {
		return nil
	}
	if _, err := w.f.Write(w.buf); err != nil {
		w.err = fmt.Errorf("sstable: write: %w", err)
		return w.err
	}
	w.buf = w.buf[:0]
	return nil
}

// Finish writes the last data block, the range-deletion, filter, index and
// properties blocks and the footer, syncs the file and returns the table's Meta. The
// Writer cannot be used afterwards. A table with no entry is valid.
func (w *Writer) Finish() (Meta, error) {
	if w.err != nil {
		return Meta{}, w.err
	}
	if w.finished {
		return Meta{}, errFinished
	}
	w.finished = true
	if !w.data.empty() {
		if err := w.flushDataBlock(); err != nil {
			return Meta{}, err
		}
	}
	if w.pending {
		w.sepBuf = appendSuccessor(w.sepBuf[:0], w.lastKey)
		w.addIndexEntry(w.sepBuf)
	}
	ft := footer{version: 1}
	if err := w.finishRangeDels(&ft); err != nil {
		return Meta{}, err
	}
	if w.filter != nil && w.filter.count() > 0 {
		h, err := w.writeBlock(w.filter.build(), false)
		if err != nil {
			return Meta{}, err
		}
		ft.filter = h
		w.props.FilterSize = h.length + blockTrailerLen
		w.props.FilterKeys = uint64(w.filter.count())
		w.filter = nil // free the keys
	}
	h, err := w.writeBlock(w.index.finish(), true)
	if err != nil {
		return Meta{}, err
	}
	ft.index = h
	w.props.IndexSize = h.length + blockTrailerLen
	if w.props.NumEntries > 0 {
		w.props.LargestKey = slices.Clone(w.lastKey)
	}
	var pw blockWriter
	pw.init(1)
	if ft.props, err = w.writeBlock(w.props.encode(&pw), true); err != nil {
		return Meta{}, err
	}
	fb := ft.encode()
	w.buf = append(w.buf, fb...)
	w.offset += uint64(len(fb))
	if err := w.flushBuffer(); err != nil {
		return Meta{}, err
	}
	if err := w.f.Sync(); err != nil {
		w.err = fmt.Errorf("sstable: sync: %w", err)
		return Meta{}, w.err
	}
	return Meta{FileSize: w.offset, Properties: w.props}, nil
}
