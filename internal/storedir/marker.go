// Package storedir holds what the engines share about a store's directory:
// the store marker (docs/format/store.md), written when a store is created,
// and the check every Open runs before it creates, locks or changes
// anything: the directory must be empty, hold the engine's own store, or
// hold one its marker names as the engine's.
package storedir

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/vfs"
)

// FileName is the store marker's name in a store's directory.
const FileName = "KVLAB"

// tmpName is the marker being written, renamed to FileName once synced.
const tmpName = FileName + ".tmp"

// lockName is the lock file both engines take.
const lockName = "LOCK"

// magic is the marker's first line.
const magic = "kvlab store"

// maxMarkerSize bounds what Read reads: a marker is a few dozen bytes.
const maxMarkerSize = 4 << 10

// Marker is the content of a store marker.
type Marker struct {
	// Engine is the registered name of the engine whose store it is.
	Engine string
	// Format is the version of the engine's on-disk format.
	Format int
}

// encode renders m as the marker file's text.
func (m Marker) encode() []byte {
	return fmt.Appendf(nil, "%s\nengine: %s\nformat: %d\n", magic, m.Engine, m.Format)
}

// parse reads a marker's text; file names it in errors.
func parse(file string, b []byte) (Marker, error) {
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) == 0 || lines[0] != magic {
		return Marker{}, kv.Corruptf(file, 0, "store marker does not begin with %q", magic)
	}
	var m Marker
	for _, l := range lines[1:] {
		k, v, ok := strings.Cut(l, ": ")
		if !ok {
			return Marker{}, kv.Corruptf(file, 0, "store marker line %q is not KEY: VALUE", l)
		}
		switch k {
		case "engine":
			m.Engine = v
		case "format":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return Marker{}, kv.Corruptf(file, 0, "store marker format %q is not a positive integer", v)
			}
			m.Format = n
		}
		// Other keys are for later versions: ignored.
	}
	if m.Engine == "" || m.Format == 0 {
		return Marker{}, kv.Corruptf(file, 0, "store marker lacks the engine or the format")
	}
	return m, nil
}

// Read returns dir's marker; found is false when there is none. A marker
// that cannot be parsed is an error wrapping kv.ErrCorruption.
func Read(fsys vfs.FS, dir string) (m Marker, found bool, err error) {
	name := vfs.Join(dir, FileName)
	f, err := fsys.Open(name, vfs.KindOther)
	if errors.Is(err, vfs.ErrNotExist) {
		return Marker{}, false, nil
	}
	if err != nil {
		return Marker{}, false, fmt.Errorf("read store marker: %w", err)
	}
	defer f.Close()
	size, err := f.Size()
	if err != nil {
		return Marker{}, false, fmt.Errorf("read store marker: %w", err)
	}
	if size > maxMarkerSize {
		return Marker{}, false, kv.Corruptf(name, 0, "store marker is %d bytes, more than %d", size, maxMarkerSize)
	}
	buf := make([]byte, size)
	if n, err := f.ReadAt(buf, 0); n != len(buf) {
		return Marker{}, false, fmt.Errorf("read store marker: %w", err)
	}
	m, err = parse(name, buf)
	return m, err == nil, err
}

// Write writes dir's marker durably: to a temporary file, synced, renamed
// into place, and the directory synced. A crash leaves no marker or the
// whole one.
func Write(fsys vfs.FS, dir string, m Marker) error {
	tmp := vfs.Join(dir, tmpName)
	f, err := fsys.Create(tmp, vfs.KindOther)
	if err != nil {
		return fmt.Errorf("write store marker: %w", err)
	}
	_, err = f.Write(m.encode())
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = fsys.Rename(tmp, vfs.Join(dir, FileName))
	}
	if err == nil {
		err = fsys.SyncDir(dir)
	}
	if err != nil {
		return fmt.Errorf("write store marker: %w", err)
	}
	return nil
}
