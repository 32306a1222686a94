package btree

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
)

// The meta file holds two slots of metaSlotSize bytes; checkpoint c is
// written to slot c%2, so the previous checkpoint's meta stays intact until
// the new one is durable.
const (
	metaMagic = "KVLBTREE"
	// formatVersion is the version checkpoints write: 2 since bare
	// overflow runs (cellOverflowRaw), which version 1 readers cannot
	// read. Version 1 stores are read; their next checkpoint upgrades them.
	formatVersion    = 2
	minFormatVersion = 1
	metaSlotSize     = 512
	metaSize         = 116 // encoded bytes, checksum included
)

// meta is the root record of a checkpoint.
type meta struct {
	version       uint32 // format version; 0 means formatVersion
	pageSize      uint32
	checkpoint    uint64 // checkpoint id, counting from 1; slot = id % 2
	root          pgid   // root page (a leaf when the tree has one level)
	height        uint32 // levels, 1 for a lone leaf
	freelist      pgid   // first free-list page, 0 when none
	pageCount     uint64 // pages 1..pageCount-1 are in use or free
	walNum        uint64 // the log holding writes made after this checkpoint
	keys          uint64 // keys stored
	liveBytes     uint64 // bytes of keys and values stored
	leafPages     uint64
	branchPages   uint64
	overflowPages uint64
	leafBytes     uint64 // encoded bytes of all leaf pages (for the fill factor)
}

// encode returns the meta record, checksum last.
func (m *meta) encode() []byte {
	b := make([]byte, metaSize)
	copy(b, metaMagic)
	le := binary.LittleEndian
	v := m.version
	if v == 0 {
		v = formatVersion
	}
	le.PutUint32(b[8:], v)
	le.PutUint32(b[12:], m.pageSize)
	le.PutUint64(b[16:], m.checkpoint)
	le.PutUint64(b[24:], uint64(m.root))
	le.PutUint32(b[32:], m.height)
	// b[36:40] reserved, zero
	le.PutUint64(b[40:], uint64(m.freelist))
	le.PutUint64(b[48:], m.pageCount)
	le.PutUint64(b[56:], m.walNum)
	le.PutUint64(b[64:], m.keys)
	le.PutUint64(b[72:], m.liveBytes)
	le.PutUint64(b[80:], m.leafPages)
	le.PutUint64(b[88:], m.branchPages)
	le.PutUint64(b[96:], m.overflowPages)
	le.PutUint64(b[104:], m.leafBytes)
	le.PutUint32(b[112:], crc32.Checksum(b[:112], crcTable))
	return b
}

// metaError says why a meta slot is not usable. newer is set for an
// intact meta page of a newer format version.
type metaError struct {
	reason string
	newer  bool
}

func (e *metaError) Error() string { return "meta: " + e.reason }

// decodeMeta decodes and validates one meta slot.
func decodeMeta(b []byte) (meta, error) {
	var m meta
	if len(b) < metaSize {
		return m, &metaError{reason: "short slot"}
	}
	le := binary.LittleEndian
	if got, want := le.Uint32(b[112:]), crc32.Checksum(b[:112], crcTable); got != want {
		return m, &metaError{reason: "checksum mismatch"}
	}
	if string(b[:8]) != metaMagic {
		return m, &metaError{reason: "bad magic"}
	}
	if v := le.Uint32(b[8:]); v < minFormatVersion || v > formatVersion {
		return m, &metaError{reason: "unsupported format version " + itoa(uint64(v)), newer: v > formatVersion}
	} else {
		m.version = v
	}
	if le.Uint32(b[36:]) != 0 {
		return m, &metaError{reason: "reserved field is not zero"}
	}
	m.pageSize = le.Uint32(b[12:])
	m.checkpoint = le.Uint64(b[16:])
	m.root = pgid(le.Uint64(b[24:]))
	m.height = le.Uint32(b[32:])
	m.freelist = pgid(le.Uint64(b[40:]))
	m.pageCount = le.Uint64(b[48:])
	m.walNum = le.Uint64(b[56:])
	m.keys = le.Uint64(b[64:])
	m.liveBytes = le.Uint64(b[72:])
	m.leafPages = le.Uint64(b[80:])
	m.branchPages = le.Uint64(b[88:])
	m.overflowPages = le.Uint64(b[96:])
	m.leafBytes = le.Uint64(b[104:])
	ps := int(m.pageSize)
	switch {
	case ps < MinPageSize || ps > MaxPageSize || ps&(ps-1) != 0:
		return m, &metaError{reason: "bad page size " + itoa(uint64(ps))}
	case m.checkpoint == 0:
		return m, &metaError{reason: "checkpoint id 0"}
	case m.root == 0 || uint64(m.root) >= m.pageCount:
		return m, &metaError{reason: "root page " + itoa(uint64(m.root)) + " outside the file"}
	case uint64(m.freelist) >= m.pageCount:
		return m, &metaError{reason: "free-list page outside the file"}
	case m.height == 0 || m.height > 64:
		return m, &metaError{reason: "bad height " + itoa(uint64(m.height))}
	}
	return m, nil
}

func itoa(x uint64) string {
	if x == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for x > 0 {
		i--
		b[i] = byte('0' + x%10)
		x /= 10
	}
	return string(b[i:])
}

// readMetaSlots reads and decodes both meta slots of the meta file r. A
// slot's error says why it is not usable: empty, damaged, or holding a
// checkpoint that belongs in the other slot (checkpoint c goes to slot c%2).
// The returned error is an I/O error reading the file.
func readMetaSlots(r io.ReaderAt) (slots [2]meta, errs [2]error, err error) {
	buf := make([]byte, 2*metaSlotSize)
	n, err := r.ReadAt(buf, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return slots, errs, fmt.Errorf("btree: read meta: %w", err)
	}
	buf = buf[:n]
	for slot := range 2 {
		lo := slot * metaSlotSize
		if lo >= len(buf) {
			errs[slot] = &metaError{reason: "empty slot"}
			continue
		}
		m, err := decodeMeta(buf[lo:min(len(buf), lo+metaSlotSize)])
		if err == nil && m.checkpoint%2 != uint64(slot) {
			err = &metaError{reason: "checkpoint " + itoa(m.checkpoint) + " in slot " + itoa(uint64(slot))}
		}
		slots[slot], errs[slot] = m, err
	}
	return slots, errs, nil
}

// newestMeta returns the valid slot with the highest checkpoint id.
func newestMeta(slots [2]meta, errs [2]error) (best meta, found bool) {
	for i, m := range slots {
		if errs[i] == nil && (!found || m.checkpoint > best.checkpoint) {
			best, found = m, true
		}
	}
	return best, found
}
