package kvtest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/vfs"
)

// ReadOnly declares that the engine has a read-only mode, opened by
// openRO, and that open accepts a MustExist-style refusal nowhere: the
// suite then checks that a read-only Open of a store (cleanly closed, or
// as another process would find it while the engine is writing, its logs
// not yet checkpointed or flushed) sees every write, refuses writes with
// kv.ErrReadOnly, and leaves every file byte-identical with its
// modification time unchanged and creates none.
func ReadOnly(openRO OpenFunc) Option { return func(c *config) { c.openRO = openRO } }

// fileState is a directory's files: content and modification time.
type fileState map[string]string

// readFiles records every file in dir on fs.
func readFiles(t *testing.T, fs vfs.FS, dir string) fileState {
	t.Helper()
	names, err := fs.List(dir)
	if err != nil {
		t.Fatal(err)
	}
	st := fileState{}
	for _, n := range names {
		name := vfs.Join(dir, n)
		fi, err := fs.Stat(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := fs.Open(name, vfs.KindOther)
		if err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, fi.Size())
		if _, err := f.ReadAt(buf, 0); err != nil && len(buf) > 0 {
			t.Fatal(err)
		}
		f.Close()
		st[n] = fi.ModTime().Format(time.RFC3339Nano) + " " + string(buf)
	}
	return st
}

// sameFiles reports how after differs from before, or "".
func (before fileState) diff(after fileState) string {
	for n, v := range before {
		if w, ok := after[n]; !ok {
			return n + " was removed"
		} else if w != v {
			return n + " changed (bytes or modification time)"
		}
	}
	for n := range after {
		if _, ok := before[n]; !ok {
			return n + " was created"
		}
	}
	return ""
}

func (s *suite) testReadOnly(t *testing.T) {
	r, seed := newRand(t)
	check := func(t *testing.T, fs vfs.FS, dir string, m model, ctx string) {
		before := readFiles(t, fs, dir)
		db, err := s.cfg.openRO(fs, dir)
		if err != nil {
			t.Fatalf("%s: read-only open: %v", ctx, err)
		}
		checkDB(t, db, m, nil, ctx)
		var b kv.Batch
		b.Put([]byte("ro-key"), []byte("v"))
		for what, err := range map[string]error{
			"Put":    db.Put([]byte("ro-key"), []byte("v")),
			"Delete": db.Delete([]byte("ro-key")),
			"Write":  db.Write(&b, kv.WriteOptions{Sync: true}),
		} {
			if !errors.Is(err, kv.ErrReadOnly) {
				t.Fatalf("%s: %s on a read-only store = %v, want kv.ErrReadOnly", ctx, what, err)
			}
		}
		if _, err := db.Get([]byte("ro-key")); !errors.Is(err, kv.ErrNotFound) && m["ro-key"] == "" {
			t.Fatalf("%s: a refused write is visible: %v", ctx, err)
		}
		if err := db.Close(); err != nil {
			t.Fatalf("%s: Close of a read-only store: %v", ctx, err)
		}
		if d := before.diff(readFiles(t, fs, dir)); d != "" {
			t.Fatalf("%s: read-only open, reads and Close changed the store: %s", ctx, d)
		}
		// The store opens read-write as before.
		db, err = s.open(fs, dir)
		if err != nil {
			t.Fatalf("%s: read-write open after the read-only one: %v", ctx, err)
		}
		checkDB(t, db, m, nil, ctx+", reopened read-write")
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("closed", func(t *testing.T) {
		dir := t.TempDir()
		db, err := s.open(vfs.Default, dir)
		if err != nil {
			t.Fatal(err)
		}
		m := fill(t, db, r, budget(2000), model{})
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		check(t, vfs.Default, dir, m, fmt.Sprintf("seed %d, closed store", seed))
	})
	t.Run("live", func(t *testing.T) {
		// What another process finds while the engine writes: its logs
		// hold writes that no flush or checkpoint has reached.
		fs := vfs.NewMem()
		db, err := s.open(fs, "/db")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		m := model{}
		for round := range 3 {
			fill(t, db, r, budget(1500), m)
			if err := db.Sync(); err != nil {
				t.Fatal(err)
			}
			check(t, fs.Clone(), "/db", m.clone(), fmt.Sprintf("seed %d, live store, round %d", seed, round))
		}
	})
	t.Run("missing", func(t *testing.T) {
		fs := vfs.NewMem()
		if db, err := s.cfg.openRO(fs, "/none"); !errors.Is(err, kv.ErrNoStore) {
			if db != nil {
				db.Close()
			}
			t.Fatalf("read-only open of a missing store = %v, want kv.ErrNoStore", err)
		}
		if names, _ := fs.List("/"); len(names) != 0 {
			t.Fatalf("read-only open of a missing store created %v", names)
		}
	})
}
