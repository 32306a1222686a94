package wal

import (
	"encoding/binary"
	"hash/crc32"
	"math/bits"
)

// The on-disk format, specified byte by byte in docs/format/wal.md. Every
// integer is little-endian.
const (
	// FormatVersion is the format version this package writes and the only
	// one it reads.
	FormatVersion = 1

	// BlockSize is the size of the blocks a log file is divided into. Files
	// written by this package use it; readers take the block size from the
	// file header.
	BlockSize = 32 << 10

	// minBlockSize and maxBlockSize bound the block size a reader accepts
	// from a file header. Small blocks exist for tests; 65536 is the largest
	// size whose fragments' lengths fit the 2-byte length field.
	minBlockSize = 128
	maxBlockSize = 64 << 10

	// fileHeaderSize is the size of a version-1 file header, and the
	// smallest size of the header of any version.
	fileHeaderSize = 32
	// maxFileHeaderSize bounds the header length field of any version.
	maxFileHeaderSize = 4096

	// Offsets of the file header's fields. Magic, version and header length
	// keep their places in every version, and every version's header ends
	// with a masked CRC-32C of the bytes before it.
	hdrMagicOff     = 0
	hdrVersionOff   = 8
	hdrLenOff       = 10
	hdrBlockSizeOff = 12
	hdrLogNumOff    = 16
	hdrReservedOff  = 24
	hdrCRCOff       = 28

	// fragHeaderSize is the size of a fragment header: checksum (4 bytes),
	// payload length (2), type (1).
	fragHeaderSize = 7

	// crcMaskDelta is added to the rotated checksum by maskCRC.
	crcMaskDelta = 0xa282ead8
)

// magic opens every log file.
var magic = [8]byte{'k', 'v', 'l', 'a', 'b', 'W', 'A', 'L'}

// fragType is a fragment's type byte.
type fragType byte

// Fragment types. Zero is not a type: a header of zeros marks the end of
// the log.
const (
	fragFull    fragType = 1 // a whole record
	fragFirst   fragType = 2 // the first fragment of a split record
	fragMiddle  fragType = 3 // an inner fragment of a split record
	fragLast    fragType = 4 // the last fragment of a split record
	maxFragType          = fragLast
)

func (t fragType) String() string {
	switch t {
	case fragFull:
		return "FULL"
	case fragFirst:
		return "FIRST"
	case fragMiddle:
		return "MIDDLE"
	case fragLast:
		return "LAST"
	}
	return "INVALID"
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// maskCRC masks a CRC-32C as LevelDB does, so that the checksum of data
// that itself holds checksums (a log inside a record) is not degenerate.
func maskCRC(c uint32) uint32 { return (c>>15 | c<<17) + crcMaskDelta }

// crcSeeds returns, for each fragment type, the running CRC-32C of the
// checksum input before the payload: the log number (8 bytes) and the type.
func crcSeeds(logNum uint64) [maxFragType + 1]uint32 {
	var b [9]byte
	binary.LittleEndian.PutUint64(b[:8], logNum)
	var seeds [maxFragType + 1]uint32
	for t := fragFull; t <= maxFragType; t++ {
		b[8] = byte(t)
		seeds[t] = crc32.Update(0, castagnoli, b[:])
	}
	return seeds
}

// fragCRC returns the masked checksum of a fragment of type t (whose seed
// is seeds[t]) holding payload.
func fragCRC(seeds *[maxFragType + 1]uint32, t fragType, payload []byte) uint32 {
	return maskCRC(crc32.Update(seeds[t], castagnoli, payload))
}

// Pos is where a record lies in its log file.
type Pos struct {
	// Offset is the file offset of the record's first fragment header.
	Offset int64
	// End is the file offset just past the record's last fragment: the
	// log's size once the record is written.
	End int64
}

// Header is the decoded file header of a log.
type Header struct {
	// Version is the format version.
	Version uint16
	// BlockSize is the size of the file's blocks.
	BlockSize int
	// LogNum is the log number the file was created with.
	LogNum uint64
}

// appendFileHeader appends a version-1 file header.
func appendFileHeader(dst []byte, blockSize int, logNum uint64) []byte {
	var h [fileHeaderSize]byte
	copy(h[hdrMagicOff:], magic[:])
	binary.LittleEndian.PutUint16(h[hdrVersionOff:], FormatVersion)
	binary.LittleEndian.PutUint16(h[hdrLenOff:], fileHeaderSize)
	binary.LittleEndian.PutUint32(h[hdrBlockSizeOff:], uint32(blockSize))
	binary.LittleEndian.PutUint64(h[hdrLogNumOff:], logNum)
	return append(dst, appendCRC(h[:hdrCRCOff])...)
}

// validBlockSize reports whether a reader accepts n as a block size.
func validBlockSize(n int) bool {
	return n >= minBlockSize && n <= maxBlockSize && bits.OnesCount(uint(n)) == 1
}

// fillsBlock reports whether a fragment of type t ending at offset end
// within its block ends as a writer ends it: a record is split only when it
// does not fit, so FIRST and MIDDLE fragments always fill their block.
func fillsBlock(t fragType, end, blockSize int) bool {
	return end == blockSize || t == fragFull || t == fragLast
}

// appendFragment appends one fragment of type t holding payload.
func appendFragment(dst []byte, seeds *[maxFragType + 1]uint32, t fragType, payload []byte) []byte {
	var h [fragHeaderSize]byte
	binary.LittleEndian.PutUint32(h[0:4], fragCRC(seeds, t, payload))
	binary.LittleEndian.PutUint16(h[4:6], uint16(len(payload)))
	h[6] = byte(t)
	dst = append(dst, h[:]...)
	return append(dst, payload...)
}

// encodeRecord appends rec to dst as the fragments a log whose next byte is
// at file offset off holds, padding a block tail too small for a fragment
// header with zeros. It returns the extended buffer, the offset of the
// record's first fragment header and the offset just past the record.
func encodeRecord(dst []byte, seeds *[maxFragType + 1]uint32, blockSize int, off int64, rec []byte) ([]byte, int64, int64) {
	var zeros [fragHeaderSize]byte
	start := int64(-1)
	first := true
	for {
		left := blockSize - int(off%int64(blockSize))
		if left < fragHeaderSize {
			dst = append(dst, zeros[:left]...)
			off += int64(left)
			left = blockSize
		}
		if start < 0 {
			start = off
		}
		n := min(len(rec), left-fragHeaderSize)
		last := n == len(rec)
		var t fragType
		switch {
		case first && last:
			t = fragFull
		case first:
			t = fragFirst
		case last:
			t = fragLast
		default:
			t = fragMiddle
		}
		dst = appendFragment(dst, seeds, t, rec[:n])
		off += int64(fragHeaderSize + n)
		rec = rec[n:]
		first = false
		if last {
			return dst, start, off
		}
	}
}

// appendCRC appends the masked CRC-32C of b, as a header's last field.
func appendCRC(b []byte) []byte {
	return binary.LittleEndian.AppendUint32(b, maskCRC(crc32.Checksum(b, castagnoli)))
}
