package manifest

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/kvlab/kvlab/kv"
)

// DeletedTable names a table an edit removes from a level.
type DeletedTable struct {
	Level   int
	FileNum uint64
}

// NewTable is a table an edit adds to a level.
type NewTable struct {
	Level int
	Meta  *TableMeta
}

// VersionEdit is one manifest record: the change from one Version to the
// next (tables deleted and added per level) plus the scalar state that
// recovery needs. A field whose Has flag is false is not part of the edit.
type VersionEdit struct {
	// Comparator names the key order; set only in the first record of a
	// manifest (Create sets it when the snapshot leaves it empty).
	Comparator string

	// LogNum: WAL files numbered below LogNum are no longer needed (their
	// contents are in tables).
	LogNum    uint64
	HasLogNum bool

	// NextFileNum is the next file number to allocate.
	NextFileNum    uint64
	HasNextFileNum bool

	// LastSeq is the last sequence number used by a write in the tables.
	LastSeq    uint64
	HasLastSeq bool

	// Deleted lists the tables removed; Apply removes them before adding
	// Added, so one edit can move a table between levels.
	Deleted []DeletedTable
	// Added lists the tables added.
	Added []NewTable
}

// Encode appends the edit's encoding (docs/format/manifest.md) to dst and
// returns the extended slice. Fields are written in tag order; the format
// version comes first.
func (e *VersionEdit) Encode(dst []byte) []byte {
	dst = binary.AppendUvarint(dst, tagFormatVersion)
	dst = binary.AppendUvarint(dst, FormatVersion)
	if e.Comparator != "" {
		dst = binary.AppendUvarint(dst, tagComparator)
		dst = appendBytes(dst, []byte(e.Comparator))
	}
	if e.HasLogNum {
		dst = binary.AppendUvarint(dst, tagLogNum)
		dst = binary.AppendUvarint(dst, e.LogNum)
	}
	if e.HasNextFileNum {
		dst = binary.AppendUvarint(dst, tagNextFileNum)
		dst = binary.AppendUvarint(dst, e.NextFileNum)
	}
	if e.HasLastSeq {
		dst = binary.AppendUvarint(dst, tagLastSeq)
		dst = binary.AppendUvarint(dst, e.LastSeq)
	}
	for _, d := range e.Deleted {
		dst = binary.AppendUvarint(dst, tagDeletedTable)
		dst = binary.AppendUvarint(dst, uint64(d.Level))
		dst = binary.AppendUvarint(dst, d.FileNum)
	}
	for _, a := range e.Added {
		m := a.Meta
		dst = binary.AppendUvarint(dst, tagNewTable)
		dst = binary.AppendUvarint(dst, uint64(a.Level))
		dst = binary.AppendUvarint(dst, m.FileNum)
		dst = binary.AppendUvarint(dst, m.Size)
		dst = appendBytes(dst, m.Smallest)
		dst = appendBytes(dst, m.Largest)
		dst = binary.AppendUvarint(dst, m.SmallestSeq)
		dst = binary.AppendUvarint(dst, m.LargestSeq)
		dst = binary.AppendUvarint(dst, m.Entries)
	}
	return dst
}

func appendBytes(dst, b []byte) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(b)))
	return append(dst, b...)
}

// errBadEdit is the cause of every decoding failure but a version mismatch.
var errBadEdit = errors.New("manifest: bad version edit")

// Decode replaces the edit with the one encoded in src. Damaged input —
// truncated fields, an unknown tag, a repeated scalar field, a level out of
// range, an invalid table — yields an error wrapping kv.ErrCorruption; an
// edit of another format version yields one wrapping ErrIncompatible.
// Decode never panics. The decoded edit does not alias src.
func (e *VersionEdit) Decode(src []byte) error {
	*e = VersionEdit{}
	d := decoder{src: src}
	tag := d.uvarint("tag")
	if d.err == nil && tag != tagFormatVersion {
		d.fail("edit starts with tag %d, not the format version", tag)
	}
	v := d.uvarint("format version")
	if d.err != nil {
		return d.err
	}
	if v != FormatVersion {
		return fmt.Errorf("manifest: edit format version %d, this reader knows %d: %w", v, FormatVersion, ErrIncompatible)
	}
	var seen uint64 // bit per scalar tag already decoded
	for d.err == nil && len(d.src) > 0 {
		tag := d.uvarint("tag")
		if d.err != nil {
			break
		}
		switch tag {
		case tagComparator, tagLogNum, tagNextFileNum, tagLastSeq:
			if seen&(1<<tag) != 0 {
				d.fail("field %d repeated", tag)
				continue
			}
			seen |= 1 << tag
		}
		switch tag {
		case tagComparator:
			c := d.bytes("comparator", maxComparatorLen)
			if d.err == nil && len(c) == 0 {
				d.fail("empty comparator name")
			}
			e.Comparator = string(c)
		case tagLogNum:
			e.LogNum, e.HasLogNum = d.uvarint("log number"), true
		case tagNextFileNum:
			e.NextFileNum, e.HasNextFileNum = d.uvarint("next file number"), true
		case tagLastSeq:
			e.LastSeq, e.HasLastSeq = d.uvarint("last sequence number"), true
			if d.err == nil && e.LastSeq > maxSeq {
				d.fail("last sequence number %d over 56 bits", e.LastSeq)
			}
		case tagDeletedTable:
			level := d.level()
			num := d.uvarint("file number")
			if d.err == nil {
				e.Deleted = append(e.Deleted, DeletedTable{Level: level, FileNum: num})
			}
		case tagNewTable:
			level := d.level()
			m := &TableMeta{}
			m.FileNum = d.uvarint("file number")
			m.Size = d.uvarint("size")
			m.Smallest = d.bytes("smallest key", maxKeyLen)
			m.Largest = d.bytes("largest key", maxKeyLen)
			m.SmallestSeq = d.uvarint("smallest seq")
			m.LargestSeq = d.uvarint("largest seq")
			m.Entries = d.uvarint("entries")
			if d.err == nil {
				if err := m.validate(); err != nil {
					d.fail("%v", err)
				}
			}
			if d.err == nil {
				e.Added = append(e.Added, NewTable{Level: level, Meta: m})
			}
		default:
			d.fail("unknown tag %d", tag)
		}
	}
	if d.err != nil {
		*e = VersionEdit{}
	}
	return d.err
}

// decoder reads an edit's fields; the first failure sticks.
type decoder struct {
	src []byte
	off int
	err error
}

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		e := kv.Corruptf("", int64(d.off), format, args...)
		e.Err = errBadEdit
		d.err = e
	}
}

func (d *decoder) uvarint(what string) uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.src)
	if n <= 0 {
		d.fail("bad or truncated %s", what)
		return 0
	}
	d.src, d.off = d.src[n:], d.off+n
	return v
}

func (d *decoder) bytes(what string, limit uint64) []byte {
	n := d.uvarint(what + " length")
	if d.err != nil {
		return nil
	}
	if n > limit || n > uint64(len(d.src)) {
		d.fail("%s length %d exceeds %d bytes left (limit %d)", what, n, len(d.src), limit)
		return nil
	}
	b := make([]byte, n)
	copy(b, d.src)
	d.src, d.off = d.src[n:], d.off+int(n)
	return b
}

func (d *decoder) level() int {
	l := d.uvarint("level")
	if d.err == nil && l >= NumLevels {
		d.fail("level %d out of range", l)
	}
	return int(l)
}
