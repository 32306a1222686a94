// Package base holds the internal key encoding shared by the memtable, the
// sstable and the lsm packages: a user key followed by an 8-byte trailer that
// packs a 56-bit sequence number and a one-byte kind.
//
// Internal keys sort by user key ascending, then by trailer descending, so
// that the newest version of a user key comes first. The encoding is part of
// the SSTable format (docs/format/sstable.md).
package base
