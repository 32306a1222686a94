package sstable

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
)

// footer is the fixed-size record at the end of a table
// (docs/format/sstable.md, "Footer"):
//
//	 0  index handle       offset uint64, length uint64
//	16  filter handle      offset uint64, length uint64 (0, 0 when none)
//	32  properties handle  offset uint64, length uint64
//	48  format version     uint32
//	52  CRC-32C of bytes 0..51
//	56  magic              "kvlabSST"
//
// All integers little-endian.
type footer struct {
	index, filter, props blockHandle
	version              uint32
}

func (f *footer) encode() []byte {
	buf := make([]byte, footerLen)
	for i, h := range []blockHandle{f.index, f.filter, f.props} {
		binary.LittleEndian.PutUint64(buf[16*i:], h.offset)
		binary.LittleEndian.PutUint64(buf[16*i+8:], h.length)
	}
	binary.LittleEndian.PutUint32(buf[footerVersionOff:], f.version)
	binary.LittleEndian.PutUint32(buf[footerCRCOff:], crc32.Checksum(buf[:footerCRCOff], crcTable))
	copy(buf[footerMagicOff:], Magic)
	return buf
}

// footerError says what is wrong with a footer. unsupported marks a valid
// magic with a version this reader does not know.
type footerError struct {
	reason      string
	unsupported bool
}

// decodeFooter parses the last footerLen bytes of a table: magic first, then
// version, then checksum, so that a file of another kind, a newer table and
// a damaged table give different errors.
func decodeFooter(buf []byte, verify bool) (footer, *footerError) {
	if string(buf[footerMagicOff:]) != Magic {
		return footer{}, &footerError{reason: fmt.Sprintf("bad magic %q, want %q: not a kvlab sstable or truncated", buf[footerMagicOff:], Magic)}
	}
	f := footer{version: binary.LittleEndian.Uint32(buf[footerVersionOff:])}
	if f.version != FormatVersion {
		return footer{}, &footerError{reason: fmt.Sprintf("format version %d, this reader knows only %d", f.version, FormatVersion), unsupported: true}
	}
	if verify {
		want := binary.LittleEndian.Uint32(buf[footerCRCOff:])
		if got := crc32.Checksum(buf[:footerCRCOff], crcTable); got != want {
			return footer{}, &footerError{reason: fmt.Sprintf("footer checksum mismatch: stored %#08x, computed %#08x", want, got)}
		}
	}
	hs := []*blockHandle{&f.index, &f.filter, &f.props}
	for i, h := range hs {
		h.offset = binary.LittleEndian.Uint64(buf[16*i:])
		h.length = binary.LittleEndian.Uint64(buf[16*i+8:])
	}
	return f, nil
}
