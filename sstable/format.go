package sstable

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
)

// The constants of the SSTable format. docs/format/sstable.md specifies every
// structure byte by byte; keep the two in step.

// FormatVersion is the newest table format version: this package writes it
// for a table holding range tombstones (version 2 adds the range-deletion
// block), and version 1, byte for byte as before, for every other table.
// It reads both.
const FormatVersion uint32 = 2

// MinFormatVersion is the oldest table format version this package reads.
const MinFormatVersion uint32 = 1

// Magic is the last eight bytes of every table: the ASCII string "kvlabSST".
const Magic = "kvlabSST"

const (
	// footerLen is the fixed size of the footer at the end of the file:
	// three fixed-width block handles (48 bytes), the format version
	// (4), a CRC-32C of the preceding 52 bytes (4) and the magic (8).
	footerLen = 64
	// footerLenV2 is the size of a version 2 footer: the range-deletion
	// block's handle (16 bytes) before a version 1 footer's fields.
	footerLenV2 = 80
	// footerVersionOff and footerMagicOff locate the version and the magic
	// inside the last footerLen bytes of the file. Both stay at the same distance from the end of the
	// file in every future version, so that a reader can always tell an
	// unknown version from damage.
	footerVersionOff = 48
	footerCRCOff     = 52
	footerMagicOff   = 56

	// blockTrailerLen is the size of the trailer after every block's stored
	// contents: a compression type byte and a CRC-32C.
	blockTrailerLen = 5

	// maxHandleVarintLen bounds an encoded block handle (two uvarints).
	maxHandleVarintLen = 2 * binary.MaxVarintLen64

	// maxSnappyRatio bounds the decompressed size of a snappy block relative
	// to its stored size: no valid snappy stream expands by more (a 3-byte
	// copy element yields at most 64 bytes). Anything claiming more is
	// corrupt, and the bound keeps a damaged length from allocating
	// gigabytes.
	maxSnappyRatio = 32

	// writeBufferSize is how many bytes of finished blocks the writer
	// gathers before it writes them to the file in one call.
	writeBufferSize = 256 << 10
)

// compressionType is the first byte of a block trailer.
type compressionType byte

const (
	noCompressionType     compressionType = 0
	snappyCompressionType compressionType = 1
)

// Defaults of WriterOptions.
const (
	DefaultBlockSize       = 4096
	DefaultRestartInterval = 16
	DefaultBloomBitsPerKey = 10
)

// ErrUnsupportedVersion is matched (with errors.Is) by the error Open returns
// for a table whose footer carries a format version this reader does not
// know. The same error also matches kv.ErrCorruption: to this reader the file
// is unreadable either way, and a damaged version field looks the same.
var ErrUnsupportedVersion = errors.New("sstable: unsupported format version")

// crcTable is the Castagnoli polynomial table used for every checksum.
var crcTable = crc32.MakeTable(crc32.Castagnoli)

// blockHandle locates a block's stored contents in the file. length excludes
// the block trailer.
type blockHandle struct {
	offset, length uint64
}

// end returns the offset just past the block's trailer.
func (h blockHandle) end() uint64 { return h.offset + h.length + blockTrailerLen }

// appendHandle appends the varint encoding of h (index block values).
func appendHandle(dst []byte, h blockHandle) []byte {
	dst = binary.AppendUvarint(dst, h.offset)
	return binary.AppendUvarint(dst, h.length)
}

// decodeHandle decodes a varint block handle that must fill src exactly.
func decodeHandle(src []byte) (blockHandle, bool) {
	off, n := binary.Uvarint(src)
	if n <= 0 {
		return blockHandle{}, false
	}
	length, m := binary.Uvarint(src[n:])
	if m <= 0 || n+m != len(src) {
		return blockHandle{}, false
	}
	return blockHandle{offset: off, length: length}, true
}
