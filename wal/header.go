package wal

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"

	"github.com/kvlab/kvlab/kv"
)

// ErrUnsupportedVersion is returned when a log file's header names a format
// version this package cannot read (a file written by a newer kvlab). The
// header's checksum was valid, so the file is not damaged.
var ErrUnsupportedVersion = errors.New("wal: unsupported format version")

// ReadHeader reads and checks the file header of the log in r, which holds
// size bytes; name is used in errors. It reports a header damaged or
// missing in a way a crash cannot explain with an error wrapping
// kv.ErrCorruption, a newer format with one wrapping ErrUnsupportedVersion,
// and a header a crash cut short (a file shorter than a header, or all
// zeros) with one wrapping io.ErrUnexpectedEOF: such a log holds no records.
//
// ReadHeader does not check the log number: a Reader does. Tools that do not
// know a file's log number read it here first.
func ReadHeader(r io.ReaderAt, size int64, name string) (Header, error) {
	h, torn, err := readHeader(r, size, name)
	if err == nil && torn {
		err = fmt.Errorf("wal: %s: no complete file header (cut short at creation): %w", name, io.ErrUnexpectedEOF)
	}
	return h, err
}

// readHeader is ReadHeader with a torn header reported as torn rather than
// as an error.
func readHeader(r io.ReaderAt, size int64, name string) (h Header, torn bool, err error) {
	buf := make([]byte, min(size, maxFileHeaderSize))
	if err := readFull(r, buf, 0, name); err != nil {
		return Header{}, false, err
	}
	if size < fileHeaderSize {
		// A crash between creating the file and syncing its header.
		n := min(len(buf), len(magic))
		if isZero(buf) || bytes.Equal(buf[:n], magic[:n]) {
			return Header{}, true, nil
		}
		return Header{}, false, kv.Corruptf(name, 0, "wal: not a kvlab log file (bad magic)")
	}
	if isZero(buf[:fileHeaderSize]) {
		// Zero-filled (preallocated) space before the header was written.
		zero, err := zeroFrom(r, fileHeaderSize, size, name)
		if err != nil {
			return Header{}, false, err
		}
		if zero {
			return Header{}, true, nil
		}
		return Header{}, false, kv.Corruptf(name, 0, "wal: zeroed file header before non-zero data")
	}
	if !bytes.Equal(buf[hdrMagicOff:hdrMagicOff+len(magic)], magic[:]) {
		return Header{}, false, kv.Corruptf(name, 0, "wal: not a kvlab log file (bad magic)")
	}
	hl := int(binary.LittleEndian.Uint16(buf[hdrLenOff:]))
	if hl < fileHeaderSize || hl > len(buf) {
		return Header{}, false, kv.Corruptf(name, hdrLenOff, "wal: bad file header length %d (file size %d)", hl, size)
	}
	want := binary.LittleEndian.Uint32(buf[hl-4:])
	if got := maskCRC(crc32.Checksum(buf[:hl-4], castagnoli)); got != want {
		return Header{}, false, kv.Corruptf(name, 0, "wal: file header checksum mismatch (stored %#08x, computed %#08x)", want, got)
	}
	h.Version = binary.LittleEndian.Uint16(buf[hdrVersionOff:])
	if h.Version != FormatVersion {
		return Header{}, false, fmt.Errorf("wal: %s: format version %d, this build reads only version %d: %w",
			name, h.Version, FormatVersion, ErrUnsupportedVersion)
	}
	if hl != fileHeaderSize {
		return Header{}, false, kv.Corruptf(name, hdrLenOff, "wal: version 1 header length %d, want %d", hl, fileHeaderSize)
	}
	h.BlockSize = int(binary.LittleEndian.Uint32(buf[hdrBlockSizeOff:]))
	if !validBlockSize(h.BlockSize) {
		return Header{}, false, kv.Corruptf(name, hdrBlockSizeOff, "wal: bad block size %d", h.BlockSize)
	}
	if binary.LittleEndian.Uint32(buf[hdrReservedOff:]) != 0 {
		return Header{}, false, kv.Corruptf(name, hdrReservedOff, "wal: reserved header field is not zero")
	}
	h.LogNum = binary.LittleEndian.Uint64(buf[hdrLogNumOff:])
	return h, false, nil
}

// readFull reads len(p) bytes at off, which the caller knows exist.
func readFull(r io.ReaderAt, p []byte, off int64, name string) error {
	n, err := r.ReadAt(p, off)
	if n == len(p) {
		return nil
	}
	if err == nil || err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("wal: read %s at %d: %w", name, off, err)
}

func isZero(p []byte) bool {
	for _, b := range p {
		if b != 0 {
			return false
		}
	}
	return true
}

// zeroFrom reports whether bytes [off, size) of r are all zero.
func zeroFrom(r io.ReaderAt, off, size int64, name string) (bool, error) {
	buf := make([]byte, min(size-off, 64<<10))
	for off < size {
		p := buf[:min(int64(len(buf)), size-off)]
		if err := readFull(r, p, off, name); err != nil {
			return false, err
		}
		if !isZero(p) {
			return false, nil
		}
		off += int64(len(p))
	}
	return true, nil
}
