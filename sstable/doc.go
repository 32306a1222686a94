// Package sstable reads and writes sorted string tables: the immutable,
// sorted files of the LSM engine. A table maps internal keys (user key +
// sequence number + kind, see internal/base) to values; the LSM builds one
// from a memtable or a compaction with a Writer and reads it with a Reader.
//
// # Format in brief
//
// docs/format/sstable.md specifies the format byte by byte; format.go holds
// its constants. A table is a sequence of blocks followed by a fixed-size
// footer:
//
//	data block 0 … data block n-1 | range-deletion block | filter block | index block | properties block | footer
//
// Every block is stored as its contents — snappy-compressed when that saves
// at least 12.5 % — followed by a 5-byte trailer: the compression type and a
// CRC-32C (Castagnoli) of the stored contents and the type byte.
//
// Data, index and properties blocks share one layout (LevelDB's): entries
// whose keys share a prefix with the previous key (shared length, unshared
// length and value length as uvarints, then the unshared key bytes and the
// value), and every RestartInterval entries a restart point that stores its
// key whole; the block ends with the restart points' offsets and their
// count, as little-endian uint32s. A reader binary-searches the restart
// points and decodes forward from one.
//
// The index block has one entry per data block: a short separator key (an
// internal key at or after the block's last key and before the next block's
// first) mapped to the block's handle (offset and length, uvarints). The
// filter block is a Bloom filter over the table's distinct user keys
// (github.com/bits-and-blooms/bloom/v3, in its binary encoding). The
// properties block maps names to values (counts, sizes, smallest and largest
// keys and sequence numbers, the writer's options). The 64-byte footer holds
// the handles of the index, filter and properties blocks, the format version
// (1), a CRC-32C of the footer, and the magic "kvlabSST". A reader refuses a
// version it does not know.
//
// Format version 2 adds the range-deletion block, written only for a table
// holding range tombstones (Writer.AddRangeDel): fragments, one entry per
// fragment and sequence number, keyed by the start key with a kind-15
// trailer, the end key as value (rangedel_block.go). Its 80-byte footer puts
// the block's handle before version 1's fields. Tables without range
// tombstones are still written as version 1; the Reader reads both and
// keeps a table's fragments in memory (Reader.RangeDels).
//
// # Reading
//
// Open checks the footer and loads the index, the filter and the properties
// into memory. Get consults the filter first, then binary-searches the index
// and the one data block (rarely two) that can hold the key. Iter is a
// two-level iterator: an index position and a block iterator, correct in
// both directions and across direction changes.
//
// Data blocks are fetched through a Cache shared by all the tables of an
// engine, keyed by (file number, block offset) and bounded in bytes. A block
// is checked once, when it is read from the file: its CRC-32C checksum, then
// its restart array; every entry is decoded with bounds checks as it is read,
// so a malformed entry stops the read with an error. (Without checksums — the
// fuzz test's mode — a block's whole structure is validated on load: varints,
// restart points, key order, and that its keys lie between the separators of
// its index entry and the one before. With checksums that walk would cost a
// tenth of a random read and only guard against a writer bug or a CRC
// collision.) Damage is reported with an error matching kv.ErrCorruption
// naming the file and the block's offset; a damaged table never causes a
// panic.
//
// # Accounting
//
// A Reader counts blocks and bytes read from the file, cache hits and
// misses, Bloom filter checks, negatives and false positives, and data blocks
// touched per Get (Stats); a Cache counts its own hits, misses and
// evictions (CacheStats). Properties carry the raw key and value sizes and
// the block sizes that the amplification report needs.
package sstable
