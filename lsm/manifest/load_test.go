package manifest

import (
	"errors"
	"os"
	"slices"
	"testing"

	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/vfs"
	"github.com/kvlab/kvlab/wal"
)

const testDir = "db"

func newTestFS(t *testing.T) *vfs.MemFS {
	t.Helper()
	fs := vfs.NewMem()
	if err := fs.MkdirAll(testDir); err != nil {
		t.Fatal(err)
	}
	return fs
}

// snapshotOf returns v's snapshot with the scalar fields set.
func snapshotOf(v *Version, logNum, next, seq uint64) *VersionEdit {
	e := v.Snapshot()
	e.LogNum, e.HasLogNum = logNum, true
	e.NextFileNum, e.HasNextFileNum = next, true
	e.LastSeq, e.HasLastSeq = seq, true
	return e
}

// wantState is what a test expects Load to find.
type wantState struct {
	v                    *Version
	logNum, nextNum, seq uint64
	manifestNum          uint64
}

func sameVersion(a, b *Version) bool {
	for l := range NumLevels {
		if !slices.EqualFunc(a.Levels[l], b.Levels[l], func(x, y *TableMeta) bool {
			return x.FileNum == y.FileNum && x.Size == y.Size && string(x.Smallest) == string(y.Smallest) &&
				string(x.Largest) == string(y.Largest) && x.SmallestSeq == y.SmallestSeq &&
				x.LargestSeq == y.LargestSeq && x.Entries == y.Entries
		}) {
			return false
		}
	}
	return true
}

func (w wantState) matches(st *State) bool {
	return sameVersion(w.v, st.Version) && st.LogNum == w.logNum && st.NextFileNum == w.nextNum &&
		st.LastSeq == w.seq && st.ManifestNum == w.manifestNum
}

func TestCreateApplyLoad(t *testing.T) {
	fs := newTestFS(t)
	if _, err := Load(fs, testDir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("Load of an empty dir: %v, want ErrNotExist", err)
	}
	w, err := Create(fs, testDir, 1, snapshotOf(&Version{}, 2, 3, 0))
	if err != nil {
		t.Fatal(err)
	}
	if w.Num() != 1 || w.Size() <= 0 {
		t.Fatalf("Num %d Size %d", w.Num(), w.Size())
	}
	v := &Version{}
	edits := []*VersionEdit{
		{Added: []NewTable{{Level: 0, Meta: table(3, "a", "m", 1, 10)}}, LogNum: 4, HasLogNum: true, NextFileNum: 5, HasNextFileNum: true, LastSeq: 10, HasLastSeq: true},
		{Added: []NewTable{{Level: 0, Meta: table(5, "c", "z", 11, 20)}}, LastSeq: 20, HasLastSeq: true},
		{Deleted: []DeletedTable{{0, 3}, {0, 5}}, Added: []NewTable{{Level: 1, Meta: table(6, "a", "k", 1, 20)}, {Level: 1, Meta: table(7, "l", "z", 1, 20)}}, NextFileNum: 8, HasNextFileNum: true},
	}
	for _, e := range edits {
		if v, err = v.Apply(e); err != nil {
			t.Fatal(err)
		}
		if err := w.Apply(e); err != nil {
			t.Fatal(err)
		}
	}
	size := w.Size()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Apply(edits[0]); !errors.Is(err, kv.ErrClosed) {
		t.Fatalf("Apply after Close: %v", err)
	}
	st, err := Load(fs, testDir)
	if err != nil {
		t.Fatal(err)
	}
	want := wantState{v: v, logNum: 4, nextNum: 8, seq: 20, manifestNum: 1}
	if !want.matches(st) || st.ManifestSize != size || st.End.Reason != wal.EndClean || st.Edits != 4 {
		t.Fatalf("loaded %+v\n%s", st, st.Version)
	}

	// Append after recovery, then load again.
	w, err = OpenAppend(fs, testDir, st)
	if err != nil {
		t.Fatal(err)
	}
	e := &VersionEdit{Deleted: []DeletedTable{{1, 6}}, Added: []NewTable{{Level: 2, Meta: table(6, "a", "k", 1, 20)}}}
	if err := w.Apply(e); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if v, err = v.Apply(e); err != nil {
		t.Fatal(err)
	}
	st, err = Load(fs, testDir)
	if err != nil {
		t.Fatal(err)
	}
	want.v = v
	if !want.matches(st) {
		t.Fatalf("after append: %+v\n%s", st, st.Version)
	}

	// Rewrite from a snapshot into manifest 9.
	w, err = Create(fs, testDir, 9, snapshotOf(st.Version, st.LogNum, 10, st.LastSeq))
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	st, err = Load(fs, testDir)
	if err != nil {
		t.Fatal(err)
	}
	want.nextNum, want.manifestNum = 10, 9
	if !want.matches(st) || st.Edits != 1 {
		t.Fatalf("after rewrite: %+v\n%s", st, st.Version)
	}
	names, _ := fs.List(testDir)
	if !slices.Equal(names, []string{"CURRENT", "MANIFEST-000001", "MANIFEST-000009"}) {
		t.Fatalf("directory holds %v", names)
	}
}

func TestLoadRaisesNextFileNumAndLastSeq(t *testing.T) {
	fs := newTestFS(t)
	w, err := Create(fs, testDir, 7, snapshotOf(&Version{}, 1, 2, 3))
	if err != nil {
		t.Fatal(err)
	}
	// An edit that adds table 20 without recording a next file number or
	// its sequence numbers.
	if err := w.Apply(&VersionEdit{Added: []NewTable{{Level: 0, Meta: table(20, "a", "b", 4, 50)}}}); err != nil {
		t.Fatal(err)
	}
	w.Close()
	st, err := Load(fs, testDir)
	if err != nil {
		t.Fatal(err)
	}
	if st.NextFileNum != 21 || st.LastSeq != 50 {
		t.Fatalf("NextFileNum %d LastSeq %d, want 21 50", st.NextFileNum, st.LastSeq)
	}
	// Without tables, the manifest's own number counts.
	fs = newTestFS(t)
	w, _ = Create(fs, testDir, 7, snapshotOf(&Version{}, 1, 2, 3))
	w.Close()
	if st, err = Load(fs, testDir); err != nil || st.NextFileNum != 8 {
		t.Fatalf("NextFileNum %d (%v), want 8", st.NextFileNum, err)
	}
}

func TestCreateRejectsBadSnapshots(t *testing.T) {
	fs := newTestFS(t)
	cases := map[string]*VersionEdit{
		"no scalars": (&Version{}).Snapshot(),
		"deletes": func() *VersionEdit {
			e := snapshotOf(&Version{}, 1, 2, 3)
			e.Deleted = []DeletedTable{{1, 1}}
			return e
		}(),
		"other comparator": func() *VersionEdit { e := snapshotOf(&Version{}, 1, 2, 3); e.Comparator = "x"; return e }(),
		"overlap": func() *VersionEdit {
			e := snapshotOf(&Version{}, 1, 2, 3)
			e.Added = []NewTable{{1, table(1, "a", "c", 1, 1)}, {1, table(2, "b", "d", 1, 1)}}
			return e
		}(),
	}
	for name, e := range cases {
		if _, err := Create(fs, testDir, 1, e); err == nil {
			t.Errorf("%s: Create succeeded", name)
		}
	}
	if names, _ := fs.List(testDir); len(names) != 0 {
		t.Fatalf("failed Creates left %v", names)
	}
}

func TestLoadBadCurrent(t *testing.T) {
	for name, content := range map[string]string{
		"empty":        "",
		"no newline":   "MANIFEST-000001",
		"not manifest": "000001.log\n",
		"garbage":      "\x00\x01hello\n",
	} {
		fs := newTestFS(t)
		if err := vfs.WriteFileAtomic(fs, CurrentFileName(testDir), []byte(content), vfs.KindCurrent); err != nil {
			t.Fatal(err)
		}
		if _, err := Load(fs, testDir); !errors.Is(err, kv.ErrCorruption) {
			t.Errorf("%s: Load = %v, want corruption", name, err)
		}
	}
	// CURRENT naming a missing manifest is corruption, not a new store.
	fs := newTestFS(t)
	vfs.WriteFileAtomic(fs, CurrentFileName(testDir), []byte("MANIFEST-000004\n"), vfs.KindCurrent)
	_, err := Load(fs, testDir)
	if !errors.Is(err, kv.ErrCorruption) || errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing manifest: Load = %v, want corruption only", err)
	}
}

// writeRaw writes a manifest of raw records and points CURRENT at it.
func writeRaw(t *testing.T, fs vfs.FS, num uint64, recs ...[]byte) {
	t.Helper()
	w, err := wal.Create(fs, ManifestFileName(testDir, num), num, wal.Options{Kind: vfs.KindManifest})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if _, err := w.Append(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := setCurrent(fs, testDir, num); err != nil {
		t.Fatal(err)
	}
}

func TestLoadRejectsBadManifests(t *testing.T) {
	snap := snapshotOf(&Version{}, 1, 2, 3).Encode(nil)
	noComp := snapshotOf(&Version{}, 1, 2, 3)
	noComp.Comparator = ""
	otherComp := snapshotOf(&Version{}, 1, 2, 3)
	otherComp.Comparator = "other"
	badDelete := (&VersionEdit{Deleted: []DeletedTable{{2, 99}}}).Encode(nil)
	cases := map[string]struct {
		recs [][]byte
		want error
	}{
		"no records":        {nil, kv.ErrCorruption},
		"no comparator":     {[][]byte{noComp.Encode(nil)}, kv.ErrCorruption},
		"no scalars":        {[][]byte{(&Version{}).Snapshot().Encode(nil)}, kv.ErrCorruption},
		"undecodable edit":  {[][]byte{snap, {0xff}}, kv.ErrCorruption},
		"edit not applying": {[][]byte{snap, badDelete}, kv.ErrCorruption},
		"other comparator":  {[][]byte{otherComp.Encode(nil)}, ErrIncompatible},
		"newer version":     {[][]byte{snap, {tagFormatVersion, FormatVersion + 1}}, ErrIncompatible},
	}
	for name, c := range cases {
		fs := newTestFS(t)
		writeRaw(t, fs, 1, c.recs...)
		_, err := Load(fs, testDir)
		if !errors.Is(err, c.want) {
			t.Errorf("%s: Load = %v, want %v", name, err, c.want)
		}
		var ce *kv.CorruptionError
		if errors.As(err, &ce) && ce.File != ManifestFileName(testDir, 1) {
			t.Errorf("%s: corruption names file %q", name, ce.File)
		}
	}
}

func TestOpenAppendChecksState(t *testing.T) {
	fs := newTestFS(t)
	w, _ := Create(fs, testDir, 1, snapshotOf(&Version{}, 1, 2, 3))
	w.Close()
	st, err := Load(fs, testDir)
	if err != nil {
		t.Fatal(err)
	}
	bad := *st
	bad.ManifestSize++
	if _, err := OpenAppend(fs, testDir, &bad); err == nil {
		t.Fatal("OpenAppend accepted a size that does not match End")
	}
}
