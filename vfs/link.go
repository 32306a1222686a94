package vfs

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// Linker is implemented by file systems that can hard-link a file: the
// OS file system and the accounting wrapper around one.
type Linker interface {
	// Link makes newname a second name of the file oldname.
	Link(oldname, newname string) error
}

// Link implements Linker.
func (osFS) Link(oldname, newname string) error { return os.Link(oldname, newname) }

// Link implements Linker when the wrapped FS does; otherwise it returns an
// error wrapping errors.ErrUnsupported. A link moves no bytes: nothing is
// counted.
func (a *Accounting) Link(oldname, newname string) error {
	if l, ok := a.base.(Linker); ok {
		return l.Link(oldname, newname)
	}
	return fmt.Errorf("vfs: link %s: %w", oldname, errors.ErrUnsupported)
}

// LinkOrCopy gives newname the content of the immutable file oldname: a
// hard link when fsys can make one (and the two are on one device), a
// synced copy otherwise. The caller syncs newname's directory.
func LinkOrCopy(fsys FS, oldname, newname string, kind Kind) error {
	if l, ok := fsys.(Linker); ok && l.Link(oldname, newname) == nil {
		return nil
	}
	return Copy(fsys, oldname, newname, kind)
}

// Copy writes a copy of oldname to newname (created or truncated) and
// syncs it. The caller syncs newname's directory.
func Copy(fsys FS, oldname, newname string, kind Kind) error {
	src, err := fsys.Open(oldname, kind)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := fsys.Create(newname, kind)
	if err != nil {
		return err
	}
	buf := make([]byte, 1<<20)
	var off int64
	for {
		n, rerr := src.ReadAt(buf, off)
		if n > 0 {
			if _, err := dst.Write(buf[:n]); err != nil {
				dst.Close()
				return err
			}
			off += int64(n)
		}
		if rerr != nil && !errors.Is(rerr, io.EOF) {
			dst.Close()
			return rerr
		}
		if rerr != nil || n < len(buf) {
			break
		}
	}
	if err := dst.Sync(); err != nil {
		dst.Close()
		return err
	}
	return dst.Close()
}
