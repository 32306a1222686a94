package vfs

import (
	"io"
	"os"
	"sync"
	"sync/atomic"
)

// Accounting wraps an FS and counts bytes and operations by file Kind: the
// source of every engine's amplification figures. Counting is lock-free on
// the read and write paths.
type Accounting struct {
	base FS
	mu   sync.Mutex
	by   map[Kind]*counters
}

type counters struct {
	bytesWritten, bytesRead, bytesSynced atomic.Int64
	writes, reads, syncs                 atomic.Int64
}

var _ FS = (*Accounting)(nil)

// NewAccounting wraps base.
func NewAccounting(base FS) *Accounting {
	return &Accounting{base: base, by: map[Kind]*counters{}}
}

func (a *Accounting) counters(k Kind) *counters {
	a.mu.Lock()
	defer a.mu.Unlock()
	c := a.by[k]
	if c == nil {
		c = &counters{}
		a.by[k] = c
	}
	return c
}

// Stats returns the counts so far, by kind.
func (a *Accounting) Stats() map[Kind]IOStats {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make(map[Kind]IOStats, len(a.by))
	for k, c := range a.by {
		out[k] = IOStats{
			BytesWritten: c.bytesWritten.Load(),
			BytesRead:    c.bytesRead.Load(),
			BytesSynced:  c.bytesSynced.Load(),
			Writes:       c.writes.Load(),
			Reads:        c.reads.Load(),
			Syncs:        c.syncs.Load(),
		}
	}
	return out
}

// Total returns the counts so far summed over every kind.
func (a *Accounting) Total() IOStats {
	var t IOStats
	for _, s := range a.Stats() {
		t.BytesWritten += s.BytesWritten
		t.BytesRead += s.BytesRead
		t.BytesSynced += s.BytesSynced
		t.Writes += s.Writes
		t.Reads += s.Reads
		t.Syncs += s.Syncs
	}
	return t
}

func (a *Accounting) wrap(f File, err error, kind Kind) (File, error) {
	if err != nil {
		return nil, err
	}
	af := &accFile{File: f, c: a.counters(kind)}
	if m, ok := f.(Mapper); ok {
		return &accMapFile{accFile: af, m: m}, nil
	}
	return af, nil
}

// Create implements FS.
func (a *Accounting) Create(name string, kind Kind) (File, error) {
	f, err := a.base.Create(name, kind)
	return a.wrap(f, err, kind)
}

// Open implements FS.
func (a *Accounting) Open(name string, kind Kind) (File, error) {
	f, err := a.base.Open(name, kind)
	return a.wrap(f, err, kind)
}

// OpenReadWrite implements FS.
func (a *Accounting) OpenReadWrite(name string, kind Kind) (File, error) {
	f, err := a.base.OpenReadWrite(name, kind)
	return a.wrap(f, err, kind)
}

// Remove implements FS.
func (a *Accounting) Remove(name string) error { return a.base.Remove(name) }

// Rename implements FS.
func (a *Accounting) Rename(oldname, newname string) error { return a.base.Rename(oldname, newname) }

// MkdirAll implements FS.
func (a *Accounting) MkdirAll(dir string) error { return a.base.MkdirAll(dir) }

// List implements FS.
func (a *Accounting) List(dir string) ([]string, error) { return a.base.List(dir) }

// Stat implements FS.
func (a *Accounting) Stat(name string) (os.FileInfo, error) { return a.base.Stat(name) }

// SyncDir implements FS.
func (a *Accounting) SyncDir(dir string) error { return a.base.SyncDir(dir) }

// Lock implements FS.
func (a *Accounting) Lock(name string) (io.Closer, error) { return a.base.Lock(name) }

type accFile struct {
	File
	c       *counters
	unsyncd atomic.Int64
}

func (f *accFile) Write(p []byte) (int, error) {
	n, err := f.File.Write(p)
	f.wrote(n)
	return n, err
}

func (f *accFile) WriteAt(p []byte, off int64) (int, error) {
	n, err := f.File.WriteAt(p, off)
	f.wrote(n)
	return n, err
}

func (f *accFile) wrote(n int) {
	f.c.writes.Add(1)
	f.c.bytesWritten.Add(int64(n))
	f.unsyncd.Add(int64(n))
}

func (f *accFile) ReadAt(p []byte, off int64) (int, error) {
	n, err := f.File.ReadAt(p, off)
	f.c.reads.Add(1)
	f.c.bytesRead.Add(int64(n))
	return n, err
}

func (f *accFile) Sync() error {
	err := f.File.Sync()
	f.c.syncs.Add(1)
	if err == nil {
		f.c.bytesSynced.Add(f.unsyncd.Swap(0))
	}
	return err
}

// accMapFile is an accFile over a file that offers Mapper: it forwards the
// mapping and counts the reads made through it (CountMappedRead) as reads
// of that many bytes.
type accMapFile struct {
	*accFile
	m Mapper
}

var _ Mapper = (*accMapFile)(nil)

func (f *accMapFile) Map(off int64, length int) ([]byte, error) { return f.m.Map(off, length) }

func (f *accMapFile) Unmap(b []byte) error { return f.m.Unmap(b) }

func (f *accMapFile) CountMappedRead(n int) {
	f.c.reads.Add(1)
	f.c.bytesRead.Add(int64(n))
	f.m.CountMappedRead(n)
}
