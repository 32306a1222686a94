//go:build !linux

package vfs

import (
	"fmt"
	"os"
	"runtime"
)

// errNoDirect says why direct I/O is refused off Linux.
var errNoDirect = fmt.Errorf("O_DIRECT is built for Linux only, not %s", runtime.GOOS)

func openDirect(string, int) (*os.File, error) { return nil, errNoDirect }

func probeDirect(string) error { return errNoDirect }

func fileSystemType(string) string { return runtime.GOOS }
