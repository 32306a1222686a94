package vfs

import (
	"errors"
	"io/fs"
)

var (
	// ErrLocked is returned by FS.Lock when another holder has the lock.
	ErrLocked = errors.New("vfs: locked by another process or handle")
	// ErrInjected is returned by operations a FaultFS was told to fail. It
	// stands for an I/O error such as EIO or ENOSPC.
	ErrInjected = errors.New("vfs: injected I/O error")
	// ErrClosed is returned by operations on a closed File.
	ErrClosed = fs.ErrClosed
	// ErrNotExist is matched by errors about missing files, from every FS.
	ErrNotExist = fs.ErrNotExist
	// ErrExist is matched by errors about files that already exist.
	ErrExist = fs.ErrExist
)
