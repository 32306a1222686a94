//go:build unix

package vfs

import (
	"os"
	"path/filepath"
	"syscall"
)

func lockFile(f *os.File) error {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
}

func unlockFile(f *os.File) { _ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }

func absPath(name string) (string, error) { return filepath.Abs(name) }
