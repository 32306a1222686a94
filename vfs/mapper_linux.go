//go:build linux

package vfs

import (
	"fmt"
	"syscall"
)

var _ Mapper = osFile{}

// Map implements Mapper: mmap(2) with PROT_READ and MAP_SHARED, advised
// MADV_RANDOM (no read-ahead around each page touched, as bbolt advises).
func (f osFile) Map(off int64, length int) ([]byte, error) {
	rc, err := f.File.SyscallConn()
	if err != nil {
		return nil, fmt.Errorf("vfs: map %s: %w", f.Name(), err)
	}
	var b []byte
	var merr error
	if err := rc.Control(func(fd uintptr) {
		b, merr = syscall.Mmap(int(fd), off, length, syscall.PROT_READ, syscall.MAP_SHARED)
	}); err != nil {
		return nil, fmt.Errorf("vfs: map %s: %w", f.Name(), err)
	}
	if merr != nil {
		return nil, fmt.Errorf("vfs: map %s (%d bytes at %d): %w", f.Name(), length, off, merr)
	}
	_ = syscall.Madvise(b, syscall.MADV_RANDOM) // advice only
	return b, nil
}

// Unmap implements Mapper.
func (f osFile) Unmap(b []byte) error {
	if err := syscall.Munmap(b); err != nil {
		return fmt.Errorf("vfs: unmap %s: %w", f.Name(), err)
	}
	return nil
}

// CountMappedRead implements Mapper: the operating system's file counts
// nothing.
func (osFile) CountMappedRead(int) {}
