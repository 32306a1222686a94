package vfs

import (
	"io"
	"os"
)

// Kind classifies a file for I/O accounting. Engines declare the kind of
// every file they create or open; the accounting wrapper counts by kind.
type Kind string

// The kinds the kvlab engines use.
const (
	KindWAL        Kind = "wal"
	KindSSTable    Kind = "sstable"
	KindManifest   Kind = "manifest"
	KindCurrent    Kind = "current"
	KindBTreePages Kind = "btree-pages"
	KindBTreeMeta  Kind = "btree-meta"
	KindLock       Kind = "lock"
	KindTemp       Kind = "temp"
	KindOther      Kind = "other"
)

// File is an open file. It is safe to call ReadAt concurrently with other
// ReadAt calls; Write, WriteAt, Sync and Truncate must not race with each other.
type File interface {
	io.Writer
	io.ReaderAt
	io.WriterAt
	io.Closer
	// Sync makes the file's data durable.
	Sync() error
	// Size returns the file's current size.
	Size() (int64, error)
	// Truncate changes the file's size; the write offset moves to the new
	// end if it was beyond it.
	Truncate(size int64) error
}

// FS is a file system. Names are slash-separated paths; Join builds them.
// Every method is safe for concurrent use.
type FS interface {
	// Create creates or truncates the named file for reading and writing.
	Create(name string, kind Kind) (File, error)
	// Open opens an existing file for reading only.
	Open(name string, kind Kind) (File, error)
	// OpenReadWrite opens the named file for reading and writing, creating it
	// when absent, without truncating it. Its write offset is its end.
	OpenReadWrite(name string, kind Kind) (File, error)
	// Remove removes a file or an empty directory.
	Remove(name string) error
	// Rename atomically replaces newname with oldname.
	Rename(oldname, newname string) error
	// MkdirAll creates a directory and any missing parents.
	MkdirAll(dir string) error
	// List returns the names (not paths) of the entries in dir, sorted.
	List(dir string) ([]string, error)
	// Stat describes the named file.
	Stat(name string) (os.FileInfo, error)
	// SyncDir makes the creations, removals and renames of entries in dir
	// durable.
	SyncDir(dir string) error
	// Lock takes an exclusive lock on the named file, creating it if needed.
	// A second Lock of the same name, by this process or another, fails
	// with an error wrapping ErrLocked until the returned Closer is closed.
	Lock(name string) (io.Closer, error)
}

// IOStats counts the file operations of one kind. It mirrors kv.IOStats
// field for field, so that kv.IOStats(s) converts it.
type IOStats struct {
	BytesWritten int64
	BytesRead    int64
	BytesSynced  int64
	Writes       int64
	Reads        int64
	Syncs        int64
}
