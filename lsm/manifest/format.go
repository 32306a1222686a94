package manifest

import "errors"

// The manifest format; docs/format/manifest.md specifies it byte by byte.

// FormatVersion is the version of the version-edit encoding. Every encoded
// edit starts with it, and Decode refuses any other value with an error
// wrapping ErrIncompatible.
const FormatVersion = 1

// Comparator is the name of the key order kvlab's LSM uses (base.Compare over
// bytewise user keys). The first edit of every manifest records it, and Load
// refuses a manifest that names another.
const Comparator = "kvlab.bytewise"

// NumLevels is the number of levels of the LSM tree, L0 to L6.
const NumLevels = 7

// Edit field tags (uvarints). Each field of an edit is a tag followed by the
// field's encoding; see docs/format/manifest.md.
const (
	tagFormatVersion = 1 // uvarint version
	tagComparator    = 2 // uvarint length, bytes
	tagLogNum        = 3 // uvarint
	tagNextFileNum   = 4 // uvarint
	tagLastSeq       = 5 // uvarint
	tagDeletedTable  = 6 // uvarint level, uvarint file number
	tagNewTable      = 7 // level, file number, size, smallest, largest, smallest seq, largest seq, entries
)

// Limits Decode enforces, so that damaged lengths are reported rather than
// allocated.
const (
	// maxKeyLen bounds a table's boundary key: the largest user key an engine
	// accepts (kv.MaxKeySize, 64 KiB) plus the 8-byte trailer, with room.
	maxKeyLen = 1 << 20
	// maxComparatorLen bounds the comparator name.
	maxComparatorLen = 256
	// maxSeq is the largest sequence number (56 bits, base.MaxSeqNum).
	maxSeq = 1<<56 - 1
)

// ErrIncompatible is returned when a manifest or an edit was written in a
// format version, or with a key comparator, that this package does not
// support. The data is not damaged; it needs another version of kvlab.
var ErrIncompatible = errors.New("manifest: incompatible format")
