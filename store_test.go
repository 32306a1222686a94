package kvlab

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kvlab/kvlab/btree"
	"github.com/kvlab/kvlab/internal/storedir"
	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/lsm"
	"github.com/kvlab/kvlab/vfs"
)

// persistentEngines are the engines whose stores the marker tests cover.
var persistentEngines = []string{"lsm", "btree"}

// dirState is a directory's files with their bytes and modification times.
type dirState map[string]string

// snapshotDir records every file under dir: content and mtime.
func snapshotDir(t *testing.T, dir string) dirState {
	t.Helper()
	st := dirState{}
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if fi.IsDir() {
			st[rel+"/"] = fi.ModTime().Format(time.RFC3339Nano)
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		st[rel] = fi.ModTime().Format(time.RFC3339Nano) + " " + string(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// sameDir fails the test unless dir is as before says.
func sameDir(t *testing.T, what string, before, after dirState) {
	t.Helper()
	for n, v := range before {
		if w, ok := after[n]; !ok {
			t.Errorf("%s: %s was removed", what, n)
		} else if w != v {
			t.Errorf("%s: %s changed (bytes or mtime)", what, n)
		}
	}
	for n := range after {
		if _, ok := before[n]; !ok {
			t.Errorf("%s: %s was created", what, n)
		}
	}
}

// makeStore creates a store of engine in a new directory holding a=1.
func makeStore(t *testing.T, engine string) string {
	t.Helper()
	dir := t.TempDir()
	db, err := Open(engine, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Put([]byte("a"), []byte("1")); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestOpenWritesMarkerAndDetectNamesEngine(t *testing.T) {
	format := map[string]int{lsm.Name: lsm.FormatVersion, btree.Name: btree.FormatVersion}
	for _, e := range persistentEngines {
		dir := makeStore(t, e)
		m, found, err := storedir.Read(osFS(), dir)
		if err != nil || !found || m.Engine != e || m.Format != format[e] || m.Format == 0 {
			t.Fatalf("%s: marker %+v found=%v err=%v", e, m, found, err)
		}
		if got, err := Detect(dir); err != nil || got != e {
			t.Fatalf("Detect(%s store) = %q, %v", e, got, err)
		}
	}
	if _, err := Detect(t.TempDir()); !errors.Is(err, kv.ErrNoStore) {
		t.Fatalf("Detect(empty) = %v, want kv.ErrNoStore", err)
	}
	if _, err := Detect(filepath.Join(t.TempDir(), "missing")); !errors.Is(err, kv.ErrNoStore) {
		t.Fatalf("Detect(missing) = %v, want kv.ErrNoStore", err)
	}
}

func TestOpenRefusesForeignStore(t *testing.T) {
	for _, e := range persistentEngines {
		dir := makeStore(t, e)
		other := "btree"
		if e == "btree" {
			other = "lsm"
		}
		before := snapshotDir(t, dir)
		db, err := Open(other, dir, Options{})
		if !errors.Is(err, kv.ErrForeignStore) || !strings.Contains(err.Error(), article(e)+" store") {
			t.Fatalf("Open(%s, %s store) = %v, want kv.ErrForeignStore naming %s", other, e, err, e)
		}
		if db != nil {
			t.Fatalf("Open failed but returned a non-nil kv.Engine %#v", db)
		}
		sameDir(t, "Open of a foreign store", before, snapshotDir(t, dir))
		// Without its marker the store is still recognised by its files.
		os.Remove(filepath.Join(dir, storedir.FileName))
		before = snapshotDir(t, dir)
		if _, err := Open(other, dir, Options{}); !errors.Is(err, kv.ErrForeignStore) || !strings.Contains(err.Error(), article(e)+" store") {
			t.Fatalf("Open(%s, unmarked %s store) = %v", other, e, err)
		}
		sameDir(t, "Open of an unmarked foreign store", before, snapshotDir(t, dir))
	}
}

func TestOpenRefusesNonStoreDirectory(t *testing.T) {
	for _, e := range persistentEngines {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module x\n"), 0o644)
		os.Mkdir(filepath.Join(dir, "pkg"), 0o755)
		before := snapshotDir(t, dir)
		_, err := Open(e, dir, Options{})
		if !errors.Is(err, kv.ErrForeignStore) || !strings.Contains(err.Error(), "go.mod") {
			t.Fatalf("Open(%s, module dir) = %v, want kv.ErrForeignStore naming go.mod", e, err)
		}
		sameDir(t, "Open of a non-store directory", before, snapshotDir(t, dir))
		if _, err := Detect(dir); !errors.Is(err, kv.ErrForeignStore) {
			t.Fatalf("Detect(module dir) = %v, want kv.ErrForeignStore", err)
		}
	}
}

func TestOpenRefusesNewerFormat(t *testing.T) {
	for _, e := range persistentEngines {
		dir := makeStore(t, e)
		os.WriteFile(filepath.Join(dir, storedir.FileName), []byte("kvlab store\nengine: "+e+"\nformat: 99\n"), 0o644)
		before := snapshotDir(t, dir)
		if _, err := Open(e, dir, Options{}); !errors.Is(err, kv.ErrUnsupportedVersion) {
			t.Fatalf("Open(%s, format 99) = %v, want kv.ErrUnsupportedVersion", e, err)
		}
		sameDir(t, "Open of a newer store", before, snapshotDir(t, dir))
	}
}

func TestOpenAdoptsStoreWithoutMarker(t *testing.T) {
	for _, e := range persistentEngines {
		dir := makeStore(t, e)
		os.Remove(filepath.Join(dir, storedir.FileName)) // as made before markers
		if got, err := Detect(dir); err != nil || got != e {
			t.Fatalf("Detect(unmarked %s) = %q, %v", e, got, err)
		}
		// A read-only open leaves it as it is.
		before := snapshotDir(t, dir)
		db, err := Open(e, dir, Options{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		if v, err := db.Get([]byte("a")); err != nil || string(v) != "1" {
			t.Fatalf("%s: read-only Get = %q, %v", e, v, err)
		}
		db.Close()
		sameDir(t, "read-only Open of an unmarked store", before, snapshotDir(t, dir))
		// A read-write open keeps the data and writes the marker.
		db, err = Open(e, dir, Options{MustExist: true})
		if err != nil {
			t.Fatal(err)
		}
		if v, err := db.Get([]byte("a")); err != nil || string(v) != "1" {
			t.Fatalf("%s: Get after adoption = %q, %v", e, v, err)
		}
		db.Close()
		if m, found, err := storedir.Read(osFS(), dir); !found || err != nil || m.Engine != e {
			t.Fatalf("%s: marker after adoption: %+v %v %v", e, m, found, err)
		}
	}
}

func TestOpenMustExist(t *testing.T) {
	for _, e := range persistentEngines {
		for _, dir := range []string{t.TempDir(), filepath.Join(t.TempDir(), "missing")} {
			for _, o := range []Options{{MustExist: true}, {ReadOnly: true}} {
				db, err := Open(e, dir, o)
				if !errors.Is(err, kv.ErrNoStore) || db != nil {
					t.Fatalf("Open(%s, %s, %+v) = %v, %v; want nil, kv.ErrNoStore", e, dir, o, db, err)
				}
				if names, _ := os.ReadDir(dir); len(names) != 0 {
					t.Fatalf("Open(%s, %+v) of an empty directory left %v", e, o, names)
				}
			}
		}
	}
	if _, err := Open("memory", "", Options{MustExist: true}); !errors.Is(err, kv.ErrNoStore) {
		t.Fatalf("Open(memory, MustExist) = %v, want kv.ErrNoStore", err)
	}
}

func TestOpenFailureReturnsNilInterface(t *testing.T) {
	dir := makeStore(t, "lsm")
	db, err := Open("btree", dir, Options{})
	if err == nil || db != nil {
		t.Fatalf("Open = %#v, %v; want a nil kv.Engine and an error", db, err)
	}
}

// osFS is the FS the tests' stores live on.
func osFS() vfs.FS { return vfs.Default }

// article is "an lsm", "a btree", as the errors say.
func article(engine string) string {
	if engine == "lsm" {
		return "an lsm"
	}
	return "a " + engine
}

func TestMustExistRefusesMarkerOnly(t *testing.T) {
	for _, e := range persistentEngines {
		dir := t.TempDir()
		if err := storedir.Write(osFS(), dir, storedir.Marker{Engine: e, Format: 1}); err != nil {
			t.Fatal(err)
		}
		for _, o := range []Options{{MustExist: true}, {ReadOnly: true}} {
			if _, err := Open(e, dir, o); !errors.Is(err, kv.ErrNoStore) {
				t.Fatalf("Open(%s, marker only, %+v) = %v, want kv.ErrNoStore", e, o, err)
			}
		}
		db, err := Open(e, dir, Options{}) // a creation that was interrupted is finished
		if err != nil {
			t.Fatal(err)
		}
		db.Close()
	}
}
