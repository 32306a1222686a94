package vfs

import (
	"fmt"
	"io"
	"path"
)

// Join joins path elements with slashes.
func Join(elem ...string) string { return path.Join(elem...) }

// Base returns the last element of name.
func Base(name string) string { return path.Base(name) }

// Dir returns all but the last element of name.
func Dir(name string) string { return path.Dir(name) }

// ReadFile reads the whole named file.
func ReadFile(fs FS, name string, kind Kind) ([]byte, error) {
	f, err := fs.Open(name, kind)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	size, err := f.Size()
	if err != nil {
		return nil, err
	}
	buf := make([]byte, size)
	if _, err := f.ReadAt(buf, 0); err != nil && err != io.EOF {
		return nil, fmt.Errorf("vfs: read %s: %w", name, err)
	}
	return buf, nil
}

// WriteFileAtomic replaces the named file with data so that after a crash
// the name holds either the old or the new contents, never a mix: it writes
// a temporary file, syncs it, renames it over name and syncs the directory.
func WriteFileAtomic(fs FS, name string, data []byte, kind Kind) error {
	tmp := name + ".tmp"
	f, err := fs.Create(tmp, kind)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := fs.Rename(tmp, name); err != nil {
		return err
	}
	return fs.SyncDir(Dir(name))
}

// DirSize returns the total size of the regular files directly in dir.
func DirSize(fs FS, dir string) (int64, error) {
	names, err := fs.List(dir)
	if err != nil {
		return 0, err
	}
	var total int64
	for _, n := range names {
		fi, err := fs.Stat(Join(dir, n))
		if err != nil {
			continue // removed concurrently
		}
		if fi.Mode().IsRegular() {
			total += fi.Size()
		}
	}
	return total, nil
}
