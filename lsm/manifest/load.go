package manifest

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/vfs"
	"github.com/kvlab/kvlab/wal"
)

// State is what Load recovers from a directory.
type State struct {
	// Version is the tree as of the last durable edit.
	Version *Version
	// LogNum: WALs numbered below it are obsolete; those at or above it
	// must be replayed.
	LogNum uint64
	// NextFileNum is the next unused file number: the last recorded value,
	// raised if needed above every table number and the manifest's own
	// number, so a file number is never handed out twice.
	NextFileNum uint64
	// LastSeq is the last sequence number in the tables: the last recorded
	// value, raised if needed to the largest table's LargestSeq.
	LastSeq uint64
	// ManifestNum is the file number of the current manifest.
	ManifestNum uint64
	// ManifestSize is its valid length: where a writer appends.
	ManifestSize int64
	// End is how the manifest log ended (EndClean or EndTornTail).
	End wal.EndInfo
	// Edits is the number of edits replayed.
	Edits int
}

// ReadCurrent reads dir's CURRENT file and returns the number of the
// manifest it names. A missing CURRENT is an error matching
// vfs.ErrNotExist (os.ErrNotExist); content that is not "MANIFEST-<n>\n" is
// corruption.
func ReadCurrent(fs vfs.FS, dir string) (uint64, error) {
	name := CurrentFileName(dir)
	data, err := vfs.ReadFile(fs, name, vfs.KindCurrent)
	if err != nil {
		return 0, fmt.Errorf("manifest: read %s: %w", name, err)
	}
	line, ok := bytes.CutSuffix(data, []byte("\n"))
	if !ok {
		return 0, kv.Corruptf(name, 0, "manifest: CURRENT %q does not end with a newline", data)
	}
	typ, num, ok := ParseFileName(string(line))
	if !ok || typ != TypeManifest {
		return 0, kv.Corruptf(name, 0, "manifest: CURRENT %q does not name a manifest", data)
	}
	return num, nil
}

// Load reads CURRENT and replays the manifest it names. When dir has no
// CURRENT (a new store) the error matches os.ErrNotExist. A torn tail of the
// manifest is tolerated: that edit was never acknowledged. Damage in the
// middle, a manifest CURRENT names that is missing, an edit that does not
// apply, or a manifest lacking its snapshot fields is an error wrapping
// kv.ErrCorruption; another format version or comparator, one wrapping
// ErrIncompatible.
func Load(fs vfs.FS, dir string) (*State, error) {
	num, err := ReadCurrent(fs, dir)
	if err != nil {
		return nil, err
	}
	name := ManifestFileName(dir, num)
	if _, err := fs.Stat(name); err != nil {
		if errors.Is(err, vfs.ErrNotExist) {
			// Not wrapped: a missing manifest is damage, not a new store.
			return nil, kv.Corruptf(name, -1, "manifest: CURRENT names a missing manifest")
		}
		return nil, fmt.Errorf("manifest: stat %s: %w", name, err)
	}
	st := &State{ManifestNum: num}
	b := newBuilder(nil)
	var hasLog, hasNext, hasSeq bool
	end, err := wal.Replay(fs, name, num, wal.ReaderOptions{Kind: vfs.KindManifest}, func(rec []byte, pos wal.Pos) error {
		var e VersionEdit
		if err := e.Decode(rec); err != nil {
			return recordError(name, pos, err)
		}
		if st.Edits == 0 && e.Comparator == "" {
			return kv.Corruptf(name, pos.Offset, "manifest: first edit does not name a comparator")
		}
		if e.Comparator != "" && e.Comparator != Comparator {
			return fmt.Errorf("manifest: %s: comparator %q, this reader uses %q: %w", name, e.Comparator, Comparator, ErrIncompatible)
		}
		if err := b.apply(&e); err != nil {
			return recordError(name, pos, err)
		}
		if e.HasLogNum {
			st.LogNum, hasLog = e.LogNum, true
		}
		if e.HasNextFileNum {
			st.NextFileNum, hasNext = e.NextFileNum, true
		}
		if e.HasLastSeq {
			st.LastSeq, hasSeq = e.LastSeq, true
		}
		st.Edits++
		return nil
	})
	if err != nil {
		return nil, err
	}
	if st.Edits == 0 {
		return nil, kv.Corruptf(name, end.Offset, "manifest: no complete edit (the snapshot written before CURRENT named it is missing)")
	}
	if !hasLog || !hasNext || !hasSeq {
		return nil, kv.Corruptf(name, -1, "manifest: missing log number (%v), next file number (%v) or last sequence (%v)", hasLog, hasNext, hasSeq)
	}
	v, err := b.finish()
	if err != nil {
		return nil, recordError(name, wal.Pos{Offset: -1}, err)
	}
	st.Version = v
	st.End = end
	st.ManifestSize = end.Offset
	st.NextFileNum = max(st.NextFileNum, num+1)
	for fileNum := range v.fileIndex() {
		st.NextFileNum = max(st.NextFileNum, fileNum+1)
	}
	for _, tables := range v.Levels {
		for _, t := range tables {
			st.LastSeq = max(st.LastSeq, t.LargestSeq)
		}
	}
	return st, nil
}

// recordError places an edit's decoding or application error at its record
// in the manifest file.
func recordError(name string, pos wal.Pos, err error) error {
	if errors.Is(err, ErrIncompatible) {
		return fmt.Errorf("manifest: %s: record at %d: %w", name, pos.Offset, err)
	}
	var ce *kv.CorruptionError
	if errors.As(err, &ce) {
		return &kv.CorruptionError{File: name, Offset: pos.Offset, Reason: ce.Reason, Err: ce.Err}
	}
	return &kv.CorruptionError{File: name, Offset: pos.Offset, Reason: "manifest: bad edit", Err: err}
}
