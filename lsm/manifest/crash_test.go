package manifest

import (
	"errors"
	"testing"

	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/vfs"
	"github.com/kvlab/kvlab/wal"
)

// oldStore writes manifest 1 with a snapshot and a few edits and returns
// the state it holds.
func oldStore(t *testing.T) (*vfs.MemFS, wantState) {
	t.Helper()
	fs := newTestFS(t)
	w, err := Create(fs, testDir, 1, snapshotOf(&Version{}, 2, 3, 0))
	if err != nil {
		t.Fatal(err)
	}
	v := &Version{}
	for i := range 5 {
		num := uint64(3 + i)
		e := &VersionEdit{Added: []NewTable{{Level: i % 3, Meta: table(num, ukey(10*i), ukey(10*i+5), uint64(10*i+1), uint64(10*i+9))}},
			NextFileNum: num + 1, HasNextFileNum: true, LastSeq: uint64(10*i + 9), HasLastSeq: true}
		if v, err = v.Apply(e); err != nil {
			t.Fatal(err)
		}
		if err := w.Apply(e); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return fs, wantState{v: v, logNum: 2, nextNum: 8, seq: 49, manifestNum: 1}
}

// crashFS returns a FaultFS over a copy of fs on which every mutating
// operation from the (after+1)-th on fails (optionally tearing the failing
// write), as if the machine stopped there.
func crashFS(fs *vfs.MemFS, after int, partial bool) (*vfs.MemFS, *vfs.FaultFS) {
	base := fs.Clone()
	ff := vfs.NewFaultFS(base)
	ff.Inject(vfs.Fault{Ops: vfs.OpMutating, After: after, Persist: true, Partial: partial})
	return base, ff
}

// TestCrashDuringCreate stops the machine at every mutating step of Create
// (manifest create, write, sync, dir sync; temp create, write, sync,
// rename, dir sync), with and without a torn write and with a random part of
// the unsynced data kept, and checks that Load finds the old state or the new
// one, never an error.
func TestCrashDuringCreate(t *testing.T) {
	fs, old := oldStore(t)
	r, seed := newRand(t)
	newV, err := old.v.Apply(&VersionEdit{Deleted: []DeletedTable{{0, 3}}, Added: []NewTable{{Level: 6, Meta: table(3, ukey(0), ukey(5), 1, 9)}}})
	if err != nil {
		t.Fatal(err)
	}
	neu := wantState{v: newV, logNum: 2, nextNum: 20, seq: 49, manifestNum: 9}
	sawOld, sawNew := false, false
	for after := 0; ; after++ {
		completed := false
		for _, partial := range []bool{false, true} {
			base, ff := crashFS(fs, after, partial)
			w, err := Create(ff, testDir, 9, snapshotOf(newV, 2, 20, 49))
			if err == nil {
				w.Close()
				completed = ff.Fired() == 0
			}
			for _, keep := range []bool{false, true} {
				var o vfs.CrashOptions
				if keep {
					o.Rand = r
				}
				crashed := base.CrashClone(o)
				st, err := Load(crashed, testDir)
				if err != nil {
					t.Fatalf("seed %d: crash after %d mutating ops (partial %v, keep %v): Load: %v", seed, after, partial, keep, err)
				}
				switch {
				case old.matches(st):
					sawOld = true
				case neu.matches(st):
					sawNew = true
				default:
					t.Fatalf("seed %d: crash after %d ops: loaded neither state: %+v\n%s", seed, after, st, st.Version)
				}
				// The recovered store accepts a new edit.
				w, err := OpenAppend(crashed, testDir, st)
				if err != nil {
					t.Fatalf("seed %d: crash after %d ops: OpenAppend: %v", seed, after, err)
				}
				if err := w.Apply(&VersionEdit{LastSeq: 60, HasLastSeq: true}); err != nil {
					t.Fatal(err)
				}
				w.Close()
				if st2, err := Load(crashed, testDir); err != nil || st2.LastSeq != 60 {
					t.Fatalf("seed %d: crash after %d ops: reload: %v, %+v", seed, after, err, st2)
				}
			}
		}
		if completed {
			if !sawOld || !sawNew {
				t.Fatalf("seed %d: saw old %v new %v", seed, sawOld, sawNew)
			}
			t.Logf("Create completed after %d mutating operations", after)
			if after < 8 {
				t.Fatalf("Create completed in %d mutating operations; expected at least 8 steps", after)
			}
			return
		}
		if after > 100 {
			t.Fatal("Create never completed")
		}
	}
}

// TestCrashDuringApply stops the machine at every mutating step of
// Writer.Apply: Load finds the state before or after the edit, and after a
// successful Apply always the new one.
func TestCrashDuringApply(t *testing.T) {
	fs, old := oldStore(t)
	r, seed := newRand(t)
	st, err := Load(fs, testDir)
	if err != nil {
		t.Fatal(err)
	}
	e := &VersionEdit{Deleted: []DeletedTable{{1, 4}}, LastSeq: 99, HasLastSeq: true}
	newV, err := old.v.Apply(e)
	if err != nil {
		t.Fatal(err)
	}
	neu := old
	neu.v, neu.seq = newV, 99
	for after := 0; after < 20; after++ {
		for _, partial := range []bool{false, true} {
			base, ff := crashFS(fs, after, partial)
			w, err := OpenAppend(ff, testDir, st)
			applied := false
			if err == nil {
				applied = w.Apply(e) == nil
			}
			crashed := base.CrashClone(vfs.CrashOptions{Rand: r})
			got, err := Load(crashed, testDir)
			if err != nil {
				t.Fatalf("seed %d: crash after %d ops: %v", seed, after, err)
			}
			if !(old.matches(got) && !applied) && !neu.matches(got) {
				t.Fatalf("seed %d: crash after %d ops (applied %v): loaded %+v", seed, after, applied, got)
			}
		}
	}
}

func TestTornTailTolerated(t *testing.T) {
	fs, old := oldStore(t)
	name := ManifestFileName(testDir, 1)
	before, err := vfs.ReadFile(fs, name, vfs.KindManifest)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := Load(fs, testDir)
	w, _ := OpenAppend(fs, testDir, st)
	e := &VersionEdit{Added: []NewTable{{Level: 5, Meta: table(50, "x", "y", 1, 2)}}, NextFileNum: 51, HasNextFileNum: true}
	if err := w.Apply(e); err != nil {
		t.Fatal(err)
	}
	w.Close()
	full, _ := vfs.ReadFile(fs, name, vfs.KindManifest)
	for cut := len(before); cut < len(full); cut++ {
		c := fs.Clone()
		f, err := c.OpenReadWrite(name, vfs.KindManifest)
		if err != nil {
			t.Fatal(err)
		}
		f.Truncate(int64(cut))
		f.Close()
		got, err := Load(c, testDir)
		if err != nil {
			t.Fatalf("cut at %d: %v", cut, err)
		}
		if !old.matches(got) || got.ManifestSize != int64(len(before)) {
			t.Fatalf("cut at %d: loaded %+v", cut, got)
		}
		if cut > len(before) && got.End.Reason != wal.EndTornTail {
			t.Fatalf("cut at %d: end %v, want torn tail", cut, got.End.Reason)
		}
		// Appending after the torn tail drops it.
		w, err := OpenAppend(c, testDir, got)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Apply(e); err != nil {
			t.Fatal(err)
		}
		w.Close()
		got, err = Load(c, testDir)
		if err != nil || got.NextFileNum != 51 || got.Version.NumFiles(5) != 1 {
			t.Fatalf("cut at %d: after re-append: %v %+v", cut, err, got)
		}
	}
}

func TestCorruptionInMiddleDetected(t *testing.T) {
	fs, _ := oldStore(t)
	name := ManifestFileName(testDir, 1)
	data, _ := vfs.ReadFile(fs, name, vfs.KindManifest)
	r, seed := newRand(t)
	// Records after the 32-byte wal header; damage any byte except in the
	// last record, which a torn tail may explain.
	st, _ := Load(fs, testDir)
	var lastStart int64
	wal.Replay(fs, name, 1, wal.ReaderOptions{Kind: vfs.KindManifest}, func(_ []byte, p wal.Pos) error {
		lastStart = p.Offset
		return nil
	})
	if st.ManifestSize != int64(len(data)) {
		t.Fatalf("size %d vs file %d", st.ManifestSize, len(data))
	}
	for i := range 200 {
		off := 32 + r.IntN(int(lastStart)-32)
		c := fs.Clone()
		f, _ := c.OpenReadWrite(name, vfs.KindManifest)
		f.WriteAt([]byte{data[off] ^ byte(1+r.IntN(255))}, int64(off))
		f.Close()
		_, err := Load(c, testDir)
		if !errors.Is(err, kv.ErrCorruption) {
			t.Fatalf("seed %d try %d: flipped byte %d: Load = %v, want corruption", seed, i, off, err)
		}
	}
}
