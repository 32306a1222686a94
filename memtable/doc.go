// Package memtable is the LSM's in-memory sorted table: a skiplist of
// internal keys (user key + sequence number + kind, see internal/base) and
// their values, written by one goroutine and read by many without locks.
//
// # Arena
//
// Entries live in an arena: large chunks of memory (up to DefaultChunkSize
// each, see WithChunkSize) holding the skiplist's nodes, keys and values.
// Adding an entry bumps an offset and copies the key and value in; it
// allocates no Go object, and the arena holds no Go pointers, so the garbage
// collector neither allocates per entry nor scans the table. Nodes refer to
// each other by 32-bit arena addresses. When a chunk is full the arena
// allocates another (the first ones are small, so a small memtable stays
// small); an entry larger than a chunk gets a chunk of its own. The table
// grows until its 4 GiB address space is exhausted, when Add returns
// ErrFull; in practice the LSM rotates memtables far earlier, at the size
// ApproximateSize reports. Memory is freed all at once when the Memtable is
// no longer referenced.
//
// The layout serves the search, which is bound by cache misses: a link holds
// the next node's address and 4 bytes of its key (just past the prefix the
// first keys inserted share), so most steps that stop at a node need not
// read it; the towers branch by 2, so that few steps move onto new nodes; values are kept apart from nodes, and
// nodes taller than one level apart from the others, so that the upper levels
// of the list are dense in memory (see node.go).
//
// # Concurrency
//
// Writes (Add, ApplyBatch) are serialised by the caller: the skiplist has a
// single writer. Readers (Get, Iter, Len, ApproximateSize) take no lock. A
// node is written in full — value, header, key and its own links — before it
// is published by atomic stores into its predecessors' links, level 0 first;
// readers follow links with atomic loads. A reader therefore never sees a
// partial node, and the Go memory model orders the node's plain-written bytes
// before any reader that reached it.
//
// # Order and versions
//
// Entries sort by base.Compare: user key ascending, then sequence number
// descending. Nothing is ever overwritten or removed: each Add of a key adds
// a version, and a delete adds a tombstone (base.KindDelete). Get returns the
// newest version visible at a sequence number; Iter walks every version.
//
// # Range tombstones
//
// A DeleteRange in a batch (ApplyBatch, or AddRangeDel) is one record
// (start, end, sequence number) kept beside the skiplist, outside the arena,
// in a slice the single writer appends to and publishes atomically
// (rangedel.go). RangeDels returns them fragmented (internal/rangedel),
// rebuilt when a tombstone was added since the last call. The memtable
// itself applies no tombstone to Get or Iter: the LSM's readers combine
// them with the entries of every source.
package memtable
