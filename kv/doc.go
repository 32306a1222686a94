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
// # Durability
//
// A write acknowledged with WriteOptions{Sync: true} is on stable storage when
// the call returns and survives a crash. A write without Sync is durable after
// a later successful Sync, a later synced write (writes become durable in the
// order they were acknowledged), or Close. Every engine logs writes in order,
// so after a crash the store holds a prefix of the acknowledged writes that
// includes at least every synced one; a batch is never half applied.
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
// Errors are wrapped with context and matched with errors.Is: ErrNotFound,
// ErrClosed, ErrCorruption (a *CorruptionError names the file and offset),
// ErrKeyTooLarge, ErrValueTooLarge and ErrReadOnly (the engine hit an I/O error
// it cannot recover from and refuses further writes rather than acknowledge
// what it cannot keep).
package kv
