package vfs

import (
	"fmt"
	"io"
	"os"
	"slices"
	"sync"
)

// Default is the operating system's file system.
var Default FS = NewOS()

// NewOS returns the operating system's file system. Its Lock uses flock(2)
// where available, so a lock is held against other processes as well as
// against other handles in this process.
func NewOS() FS { return osFS{} }

type osFS struct{}

var _ FS = osFS{}

type osFile struct {
	*os.File
}

var _ File = osFile{}

func (osFS) Create(name string, _ Kind) (File, error) {
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, err
	}
	return osFile{f}, nil
}

func (osFS) Open(name string, _ Kind) (File, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	return osFile{f}, nil
}

func (osFS) OpenReadWrite(name string, _ Kind) (File, error) {
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	if _, err := f.Seek(0, io.SeekEnd); err != nil {
		f.Close()
		return nil, err
	}
	return osFile{f}, nil
}

func (osFS) Remove(name string) error             { return os.Remove(name) }
func (osFS) Rename(oldname, newname string) error { return os.Rename(oldname, newname) }
func (osFS) MkdirAll(dir string) error            { return os.MkdirAll(dir, 0o755) }
func (osFS) Stat(name string) (os.FileInfo, error) {
	return os.Stat(name)
}

func (osFS) List(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(ents))
	for i, e := range ents {
		names[i] = e.Name()
	}
	slices.Sort(names)
	return names, nil
}

func (osFS) SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("vfs: sync dir %s: %w", dir, err)
	}
	return nil
}

// heldLocks remembers the lock files this process holds, so that a second
// Lock in the same process fails even on systems where flock is per process.
var heldLocks sync.Map

func (osFS) Lock(name string) (io.Closer, error) {
	abs, err := absPath(name)
	if err != nil {
		return nil, err
	}
	if _, loaded := heldLocks.LoadOrStore(abs, true); loaded {
		return nil, fmt.Errorf("vfs: lock %s: %w (held by this process)", name, ErrLocked)
	}
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		heldLocks.Delete(abs)
		return nil, err
	}
	if err := lockFile(f); err != nil {
		f.Close()
		heldLocks.Delete(abs)
		return nil, fmt.Errorf("vfs: lock %s: %w: %v", name, ErrLocked, err)
	}
	return &osLock{f: f, abs: abs}, nil
}

type osLock struct {
	once sync.Once
	f    *os.File
	abs  string
}

func (l *osLock) Close() error {
	err := ErrClosed
	l.once.Do(func() {
		unlockFile(l.f)
		err = l.f.Close()
		heldLocks.Delete(l.abs)
	})
	return err
}

func (f osFile) Size() (int64, error) {
	fi, err := f.File.Stat()
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}

func (f osFile) Truncate(size int64) error {
	if err := f.File.Truncate(size); err != nil {
		return err
	}
	pos, err := f.File.Seek(0, io.SeekCurrent)
	if err != nil {
		return err
	}
	if pos > size {
		_, err = f.File.Seek(size, io.SeekStart)
	}
	return err
}

func (f osFile) Sync() error { return datasync(f.File) }
