// Package kv is the contract every kvlab engine implements: the Engine and
// Iterator interfaces, atomic write batches, the error values callers test with
// errors.Is, and the Stats that account for every byte an engine moves.
//
// # Keys and values
//
// Keys are arbitrary byte strings compared with bytes.Compare. The empty key
// is a valid key and sorts before every other key. A key longer than
// MaxKeySize is rejected with ErrKeyTooLarge; an engine may impose a smaller
// limit (the B+tree's depends on its page size) and documents it.
//
// A value may be nil or empty; the two are the same value: Get returns a
// non-nil, zero-length slice for either. A value longer than MaxValueSize is
// rejected with ErrValueTooLarge.
//
// Slices passed to Put, Delete and Batch are not retained: the caller may
// reuse them as soon as the call returns. The slice Get returns belongs to the
// caller. The slices an Iterator returns are valid only until the iterator is
// next positioned or closed.
//
// # Range deletes
//
// Batch.DeleteRange(start, end) removes every key k with start <= k < end,
// atomically with the rest of its batch and in batch order: a key written
// after it, in the same batch or later, stands. The LSM records a range
// tombstone (one record, whatever the range covers); the B+tree removes the
// keys leaf by leaf; the memory engine deletes them. Engines without range
// deletes (some peers) refuse the whole batch with ErrNotSupported.
//
// # Snapshots
//
// Engines implementing Snapshotter (lsm, btree, memory) pin a point-in-time
// view with NewSnapshot: its Gets and iterators see exactly the writes
// acknowledged before the call, whatever is written, flushed, compacted or
// checkpointed afterwards, until it is closed. An open snapshot keeps the
// engine from reclaiming what it can see (the LSM keeps old versions
// through compactions; the B+tree does not reuse the pages of the version
// it pins), so long-lived snapshots cost space.
//
// # Durability
//
// A write acknowledged with WriteOptions{Sync: true} is on stable storage when
// the call returns and survives a crash. A write without Sync is durable after
// a later successful Sync, a later synced write (writes become durable in the
// order they were acknowledged), or Close. Every engine logs writes in order,
// so after a crash the store holds a prefix of the acknowledged writes that
// includes at least every synced one; a batch is never half applied.
//
// # Damaged files
//
// Damage that a crash cannot cause — flipped bytes, zeroed ranges, files cut
// short after a clean Close — is reported, never silently dropped: Open fails
// with an error wrapping ErrCorruption that names the damaged file, or reads
// of the damaged data fail with ErrCorruption, and Checker.Check reports it.
// An engine never recreates or deletes data because a file it needed was
// unreadable; an intact file of a newer format version is
// ErrUnsupportedVersion.
//
// The one loss that is not reported is the torn tail of the newest
// write-ahead log of a store that crashed (docs/format/wal.md): a record
// damaged at the very end of that log, with nothing valid after it, reads as
// the write a crash interrupted. Damage there costs the writes of the
// damaged records and of nothing before them: at most the writes acknowledged
// without Sync since the last synced write, or, if the damage also reaches
// synced records, those records' writes (the store then holds a prefix of the
// acknowledged writes, still never a half-applied batch). A cleanly closed
// store has no such tail: the LSM flushes its memtables on Close and leaves
// its newest log empty, and the B+tree checkpoints on Close and leaves its
// log empty, so damage found in a log after a clean Close costs nothing or
// is reported. Only the newest log may end torn: damage at the end of an
// older log, or a gap in the sequence of records from one log to the next,
// is ErrCorruption.
//
// # Concurrency
//
// Every Engine is safe for concurrent use by many goroutines. An Iterator is
// not: each goroutine should use its own. Writes that happen while an
// iterator is open never make it skip, repeat or misorder a key that exists
// throughout the iteration; whether the iterator sees those newer writes is
// engine-defined and documented by the engine (the LSM and memory engines
// iterate over a point-in-time snapshot and never see them).
//
// # Errors
//
// Errors are matched with errors.Is: ErrNotFound, ErrClosed, ErrCorruption
// (a *CorruptionError names the file and offset), ErrKeyTooLarge,
// ErrValueTooLarge, ErrReadOnly (the store was opened read-only, or the
// engine hit an I/O error it cannot recover from and refuses further writes
// rather than acknowledge what it cannot keep; Close then returns it too),
// ErrUnsupportedVersion, ErrNoStore (Open with MustExist or ReadOnly of a
// directory without a store), ErrForeignStore (Open of a directory holding
// another engine's store or files the engine does not make), ErrNilBatch
// (Write of a nil *Batch), ErrInvalidRange (a DeleteRange whose start is
// after its end) and ErrNotSupported (an operation the engine does not
// implement, such as a DeleteRange on a peer without range deletes).
//
// One vocabulary serves every engine. An error that says no more than a
// sentinel is the sentinel itself: Get of an absent key returns ErrNotFound,
// reading "kv: not found", and every call after Close ErrClosed, "kv:
// closed", from every engine. Context is added by wrapping, as "ENGINE: OP
// TARGET: cause" ("lsm: open /data/db: ... kv: not this engine's store:
// ..."), never as a bare package prefix glued to a sentinel ("lsm: kv: not
// found").
package kv
