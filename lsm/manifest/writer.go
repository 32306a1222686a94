package manifest

import (
	"errors"
	"fmt"

	"github.com/kvlab/kvlab/vfs"
	"github.com/kvlab/kvlab/wal"
)

// Writer appends edits to the current manifest, a wal-format log of
// vfs.KindManifest whose log number is the manifest's file number.
//
// Apply calls must be serialized by the caller (the engine holds its
// manifest lock); Size and Num are safe to call at any time. Errors are
// sticky, as in wal: after a failed write or sync every Apply fails, since
// an edit whose durability is unknown must not be built upon.
type Writer struct {
	fs  vfs.FS
	dir string
	num uint64
	log *wal.Writer
}

// Create writes a new manifest file numbered manifestNum holding snapshot —
// a full Version snapshot edit (Version.Snapshot) with LogNum, NextFileNum
// and LastSeq set — syncs it (and its directory entry), then atomically
// switches CURRENT to it: it writes "MANIFEST-<num>\n" to a temporary file
// (TempFileName(dir, manifestNum)), syncs it, renames it over CURRENT and
// syncs dir. Old manifests are left for the caller to delete, once Create
// has returned nil.
//
// A crash at any point leaves CURRENT naming either the old manifest,
// intact, or the new one, complete. If Create returns an error, the caller
// cannot know which of the two a restart will find: it must keep the old
// manifest and stop changing the tree (the LSM turns read-only).
//
// manifestNum must be a fresh file number: a file of that name is replaced.
func Create(fs vfs.FS, dir string, manifestNum uint64, snapshot *VersionEdit) (*Writer, error) {
	e := *snapshot
	if !e.HasLogNum || !e.HasNextFileNum || !e.HasLastSeq {
		return nil, fmt.Errorf("manifest: snapshot for MANIFEST-%06d lacks log number, next file number or last sequence", manifestNum)
	}
	if len(e.Deleted) > 0 {
		return nil, fmt.Errorf("manifest: snapshot for MANIFEST-%06d deletes tables", manifestNum)
	}
	if e.Comparator == "" {
		e.Comparator = Comparator
	} else if e.Comparator != Comparator {
		return nil, fmt.Errorf("manifest: snapshot comparator %q, want %q: %w", e.Comparator, Comparator, ErrIncompatible)
	}
	if _, err := (&Version{}).Apply(&e); err != nil {
		return nil, fmt.Errorf("manifest: invalid snapshot for MANIFEST-%06d: %w", manifestNum, err)
	}
	name := ManifestFileName(dir, manifestNum)
	log, err := wal.Create(fs, name, manifestNum, wal.Options{Kind: vfs.KindManifest})
	if err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	if _, err := log.AppendSync(e.Encode(nil)); err != nil {
		log.Close()
		fs.Remove(name) // CURRENT does not name it: garbage
		return nil, fmt.Errorf("manifest: write snapshot: %w", err)
	}
	if renamed, err := setCurrent(fs, dir, manifestNum); err != nil {
		log.Close()
		if !renamed {
			fs.Remove(name)
		}
		return nil, err
	}
	return &Writer{fs: fs, dir: dir, num: manifestNum, log: log}, nil
}

// setCurrent points CURRENT at manifest num: temporary file, sync, rename,
// sync dir. renamed reports whether the rename was attempted (after which
// CURRENT may name the new manifest).
func setCurrent(fs vfs.FS, dir string, num uint64) (renamed bool, err error) {
	tmp := TempFileName(dir, num)
	content := fmt.Sprintf("%s%06d\n", manifestPrefix, num)
	f, err := fs.Create(tmp, vfs.KindCurrent)
	if err != nil {
		return false, fmt.Errorf("manifest: create %s: %w", tmp, err)
	}
	_, err = f.Write([]byte(content))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		fs.Remove(tmp)
		return false, fmt.Errorf("manifest: write %s: %w", tmp, err)
	}
	if err := fs.Rename(tmp, CurrentFileName(dir)); err != nil {
		fs.Remove(tmp)
		return true, fmt.Errorf("manifest: rename %s to CURRENT: %w", tmp, err)
	}
	if err := fs.SyncDir(dir); err != nil {
		return true, fmt.Errorf("manifest: sync %s: %w", dir, err)
	}
	return true, nil
}

// OpenAppend continues the manifest Load found: it truncates the manifest
// to st.ManifestSize (dropping a torn tail) and appends after it.
func OpenAppend(fs vfs.FS, dir string, st *State) (*Writer, error) {
	if st.End.Offset != st.ManifestSize {
		return nil, errors.New("manifest: State.ManifestSize does not match State.End")
	}
	log, err := wal.OpenAppend(fs, ManifestFileName(dir, st.ManifestNum), st.ManifestNum, st.End, wal.Options{Kind: vfs.KindManifest})
	if err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	return &Writer{fs: fs, dir: dir, num: st.ManifestNum, log: log}, nil
}

// Apply appends the edit and syncs it: when it returns nil the edit is
// durable. It does not validate the edit; Version.Apply does, and the
// caller applies the edit to its Version before writing it.
func (w *Writer) Apply(e *VersionEdit) error {
	if _, err := w.log.AppendSync(e.Encode(nil)); err != nil {
		return fmt.Errorf("manifest: MANIFEST-%06d: %w", w.num, err)
	}
	return nil
}

// Size returns the manifest's size in bytes, for deciding when to rewrite
// it from a snapshot.
func (w *Writer) Size() int64 { return w.log.Size() }

// Num returns the manifest's file number.
func (w *Writer) Num() uint64 { return w.num }

// Close syncs and closes the manifest. Calls after Close fail with an error
// wrapping kv.ErrClosed.
func (w *Writer) Close() error {
	if err := w.log.Close(); err != nil {
		return fmt.Errorf("manifest: close MANIFEST-%06d: %w", w.num, err)
	}
	return nil
}
