//go:build !unix

package vfs

import (
	"os"
	"path/filepath"
)

// Without flock the process-wide table in os.go is the only guard.
func lockFile(*os.File) error { return nil }

func unlockFile(*os.File) {}

func absPath(name string) (string, error) { return filepath.Abs(name) }
