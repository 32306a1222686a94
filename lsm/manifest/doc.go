// Package manifest records the shape of kvlab's LSM tree durably: which
// tables (sstable files) make up each level, and the scalar state recovery
// needs (the oldest WAL still needed, the next file number, the last
// sequence number).
//
// # Versions and edits
//
// A Version is an immutable snapshot of the tree: NumLevels levels of
// TableMeta. L0 holds flushed memtables, possibly overlapping, newest first;
// L1 and below are sorted runs whose tables do not overlap in user keys. A
// VersionEdit is the difference between two versions — tables deleted and
// added per level — and Version.Apply builds the next version from one or
// more edits, checking the invariants (a deleted table must exist, no table
// in two places, no overlap below L0) so that a damaged or buggy edit is
// reported as corruption instead of producing a tree that returns wrong
// data. Versions share unchanged levels and TableMeta values, so readers can
// keep an old version while compactions install new ones.
//
// # The manifest file
//
// The manifest is a log of encoded edits in the wal package's record format
// (CRC-framed records in 32 KiB blocks; file kind vfs.KindManifest; log
// number = the manifest's file number). Its first record is a snapshot: one
// edit that adds every table of the version, names the key comparator and
// sets every scalar field. Each later record is one edit, appended and
// synced by Writer.Apply before the engine installs the new version, so an
// acknowledged change is durable. Every edit begins with a format version
// (FormatVersion); a reader refuses an edit of another version with
// ErrIncompatible rather than misreading it. docs/format/manifest.md
// specifies the encoding byte by byte.
//
// # CURRENT and the atomic switch
//
// The file CURRENT holds the name of the live manifest followed by a
// newline. When the manifest grows past the engine's threshold, the engine
// writes a snapshot of its version to a new manifest (Create): the new file
// is written and synced first, then CURRENT is replaced atomically — the new
// content goes to a temporary file, which is synced, renamed over CURRENT,
// and the directory synced. A crash at any step leaves CURRENT naming either
// the old manifest, still intact, or the new one, complete. Old manifests
// are deleted by the caller only after Create returns.
//
// # Recovery
//
// Load reads CURRENT and replays the manifest it names, applying every edit
// to an empty version. A torn tail (a crash while an edit was being
// appended; wal reports it as EndTornTail) is tolerated: that edit was never
// acknowledged, so dropping it loses nothing. Damage followed by valid
// records, an edit that does not decode or apply, a missing manifest, or a
// manifest without its snapshot is kv.ErrCorruption. OpenAppend continues
// the loaded manifest after its last good record. Load raises the recovered
// next file number above every number in use, so a number is never handed
// out twice even if an edit that recorded a new number was lost.
//
// # File names
//
// A store directory holds NNNNNN.sst tables, NNNNNN.log WALs,
// MANIFEST-NNNNNN manifests, CURRENT, LOCK and NNNNNN.dbtmp temporaries (at
// least six digits, more when needed). The naming functions and
// ParseFileName are shared by the engine and its tools.
package manifest
