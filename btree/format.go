package btree

import (
	"encoding/binary"
	"hash/crc32"
)

// The on-disk format; docs/format/btree.md is its byte-level specification.
// Every multi-byte integer is little-endian.

// pgid is a page number. Page n lives at byte offset (n-1)*pageSize of the
// pages file; 0 means "no page".
type pgid uint64

// Page types (byte 0 of every page).
const (
	pageLeaf     = 1
	pageBranch   = 2
	pageOverflow = 3
	pageFreelist = 4
)

// Page header layout (pageHeaderSize bytes at the start of every page).
const (
	offType     = 0  // u8 page type
	offCount    = 2  // u16 cells (leaf, branch) or 0
	offChecksum = 4  // u32 CRC-32C of bytes [0,4) then [8,page size): the page without this field
	offPgno     = 8  // u64 the page's own number
	offLink     = 16 // u64 branch: rightmost child; freelist: next page
	offAux      = 24 // u32 leaf, branch: cell area start; overflow: bytes used; freelist: entries
	offReserved = 28 // u32 zero

	pageHeaderSize = 32
	slotSize       = 2
)

// Leaf cell flags.
const (
	cellInline   = 0 // the value follows the key
	cellOverflow = 1 // an overflow reference (u64 first page) follows the key
	// cellOverflowRaw: an overflow reference (u64 first page, u32 CRC-32C
	// of the value) follows the key; the run holds the bare value, with no
	// page headers, so a value of n bytes takes ceil(n/PageSize) pages.
	cellOverflowRaw = 2
)

// Limits on the page size.
const (
	MinPageSize = 1 << 10
	MaxPageSize = 64 << 10
)

// File names inside the store's directory.
const (
	pagesFileName = "btree.pages"
	metaFileName  = "btree.meta"
	lockFileName  = "LOCK"
	walPrefix     = "wal-"
	walSuffix     = ".log"
)

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// pageChecksum returns the CRC-32C of page p, skipping its checksum field.
func pageChecksum(p []byte) uint32 {
	c := crc32.Update(0, crcTable, p[:offChecksum])
	return crc32.Update(c, crcTable, p[offChecksum+4:])
}

// sealPage stores the page's checksum.
func sealPage(p []byte) {
	binary.LittleEndian.PutUint32(p[offChecksum:], pageChecksum(p))
}

// maxKeySize returns the largest key a store with page size ps accepts: a
// quarter of the usable page, less the cell overhead, so that a branch page
// always holds at least three separators and a leaf at least two cells.
func maxKeySize(ps int) int { return (ps-pageHeaderSize)/4 - 16 }

// maxInlineValue returns the largest overflow threshold a page size allows:
// two leaf cells holding a key of maxKeySize and an inline value of this
// size always fit one page.
func maxInlineValue(ps int) int { return (ps - pageHeaderSize) / 4 }

// overflowCapacity is the value bytes one overflow page holds.
func overflowCapacity(ps int) int { return ps - pageHeaderSize }

// freelistCapacity is the page numbers one free-list page holds.
func freelistCapacity(ps int) int { return (ps - pageHeaderSize) / 8 }

func uvarintLen(x uint64) int {
	n := 1
	for x >= 0x80 {
		x >>= 7
		n++
	}
	return n
}
