// Package wal is kvlab's write-ahead log: the durability layer of both
// engines. The LSM logs every batch before it enters the memtable (one log
// file per memtable); the B+tree logs every batch between checkpoints.
//
// # Format
//
// A log file is a sequence of fixed-size blocks (32 KiB), LevelDB style. The
// first block opens with a file header (magic, format version, block size and
// the caller's log number). A record is stored as one or more fragments that
// never cross a block boundary; each fragment has a 7-byte header holding a
// CRC-32C checksum, a length and a type (FULL, or FIRST, MIDDLE..., LAST).
// The checksum input starts with the log number, so stale bytes of another
// log can never read as valid records. The byte-level specification is
// docs/format/wal.md; format.go holds its constants.
//
// # Writing and group commit
//
// A Writer buffers appended records in memory and writes the buffer to the
// file with one Write when it fills, when a record must be made durable, or
// on Flush and Close. A full buffer is written by a short-lived goroutine
// while appends continue into a spare one, so that Append does not wait on
// the write (Pebble's LogWriter flushes from a goroutine for the same
// reason). AppendSync (and Sync) return only once the record is on stable
// storage. Concurrent callers share fsyncs: the first waiter whose record is
// not yet durable becomes the leader, takes everything buffered so far,
// writes and syncs it while the others keep appending, then wakes every
// waiter its sync covered; one of those left over leads the next round.
// Errors are sticky: once a write or sync has failed,
// every later call fails, because acknowledging data after a failed fsync is
// unsafe.
//
// # Reading and recovery
//
// A Reader returns the records in order and, at the end, explains why the
// log ended (End): cleanly, at a torn tail (a crash interrupted the last
// write: the damage reaches to the end of the file, with no valid fragment
// after it), or at corruption (damage followed by valid fragments, which is
// an error wrapping kv.ErrCorruption, or is skipped block by block with
// ReaderOptions.SkipCorrupt). After recovery, OpenAppend truncates the file
// to the end of its last good record and appends after it.
//
// Replay is the usual recovery loop in one call.
package wal
