package sstable

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
)

// footer is the fixed-size record at the end of a table
// (docs/format/sstable.md, "Footer"). Version 1 (64 bytes):
//
//	 0  index handle       offset uint64, length uint64
//	16  filter handle      offset uint64, length uint64 (0, 0 when none)
//	32  properties handle  offset uint64, length uint64
//	48  format version     uint32
//	52  CRC-32C of bytes 0..51
//	56  magic              "kvlabSST"
//
// Version 2 (80 bytes) puts the range-deletion block's handle first:
//
//	 0  range-deletion handle offset uint64, length uint64
//	16  index, filter and properties handles as above
//	64  format version     uint32
//	68  CRC-32C of bytes 0..67
//	72  magic              "kvlabSST"
//
// All integers little-endian. The version and the magic sit at the same
// distance from the end of the file in both.
type footer struct {
	rangeDel, index, filter, props blockHandle
	version                        uint32
}

// footerSize returns the size of a footer of the given version.
func footerSize(version uint32) int {
	if version >= 2 {
		return footerLenV2
	}
	return footerLen
}

// handles returns the footer's handles in their stored order.
func (f *footer) handles() []*blockHandle {
	if f.version >= 2 {
		return []*blockHandle{&f.rangeDel, &f.index, &f.filter, &f.props}
	}
	return []*blockHandle{&f.index, &f.filter, &f.props}
}

func (f *footer) encode() []byte {
	n := footerSize(f.version)
	buf := make([]byte, n)
	for i, h := range f.handles() {
		binary.LittleEndian.PutUint64(buf[16*i:], h.offset)
		binary.LittleEndian.PutUint64(buf[16*i+8:], h.length)
	}
	binary.LittleEndian.PutUint32(buf[n-footerLen+footerVersionOff:], f.version)
	crcOff := n - footerLen + footerCRCOff
	binary.LittleEndian.PutUint32(buf[crcOff:], crc32.Checksum(buf[:crcOff], crcTable))
	copy(buf[n-footerLen+footerMagicOff:], Magic)
	return buf
}

// footerError says what is wrong with a footer. unsupported marks a valid
// magic with a version this reader does not know.
type footerError struct {
	reason      string
	unsupported bool
}

// decodeFooter parses the footer at the end of buf, which holds the last
// footerLenV2 bytes of a table (or the whole table when it is shorter, but
// at least footerLen bytes): magic first, then version, then checksum, so
// that a file of another kind, a newer table and a damaged table give
// different errors.
func decodeFooter(buf []byte, verify bool) (footer, *footerError) {
	tail := buf[len(buf)-footerLen:]
	if string(tail[footerMagicOff:]) != Magic {
		return footer{}, &footerError{reason: fmt.Sprintf("bad magic %q, want %q: not a kvlab sstable or truncated", tail[footerMagicOff:], Magic)}
	}
	f := footer{version: binary.LittleEndian.Uint32(tail[footerVersionOff:])}
	if f.version < MinFormatVersion || f.version > FormatVersion {
		return footer{}, &footerError{reason: fmt.Sprintf("format version %d, this reader knows only %d to %d", f.version, MinFormatVersion, FormatVersion), unsupported: true}
	}
	n := footerSize(f.version)
	if len(buf) < n {
		return footer{}, &footerError{reason: fmt.Sprintf("file of %d bytes is shorter than the %d-byte footer of version %d", len(buf), n, f.version)}
	}
	buf = buf[len(buf)-n:]
	crcOff := n - footerLen + footerCRCOff
	if verify {
		want := binary.LittleEndian.Uint32(buf[crcOff:])
		if got := crc32.Checksum(buf[:crcOff], crcTable); got != want {
			return footer{}, &footerError{reason: fmt.Sprintf("footer checksum mismatch: stored %#08x, computed %#08x", want, got)}
		}
	}
	for i, h := range f.handles() {
		h.offset = binary.LittleEndian.Uint64(buf[16*i:])
		h.length = binary.LittleEndian.Uint64(buf[16*i+8:])
	}
	return f, nil
}
