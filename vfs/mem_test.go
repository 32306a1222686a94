package vfs

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"testing"
)

func write(t *testing.T, f File, s string) {
	t.Helper()
	if _, err := f.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
}

func contents(t *testing.T, fs FS, name string) (string, bool) {
	t.Helper()
	b, err := ReadFile(fs, name, KindOther)
	if errors.Is(err, ErrNotExist) {
		return "", false
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(b), true
}

func TestCrashCloneKeepsOnlySyncedData(t *testing.T) {
	fs := NewMem()
	if err := fs.MkdirAll("/d"); err != nil {
		t.Fatal(err)
	}
	f, _ := fs.Create("/d/a", KindOther)
	write(t, f, "synced")
	if err := f.Sync(); err != nil {
		t.Fatal(err)
	}
	write(t, f, "+unsynced")
	if err := fs.SyncDir("/d"); err != nil {
		t.Fatal(err)
	}
	c := fs.CrashClone(CrashOptions{})
	if got, ok := contents(t, c, "/d/a"); !ok || got != "synced" {
		t.Fatalf("crash clone holds %q (exists %v), want only the synced %q", got, ok, "synced")
	}
	// The live FS still sees everything.
	if got, _ := contents(t, fs, "/d/a"); got != "synced+unsynced" {
		t.Fatalf("live FS holds %q", got)
	}
}

func TestCrashCloneDirectoryEntriesNeedSyncDir(t *testing.T) {
	fs := NewMem()
	fs.MkdirAll("/d")
	f, _ := fs.Create("/d/new", KindOther)
	write(t, f, "data")
	f.Sync() // data synced, but the name is not
	if _, ok := contents(t, fs.CrashClone(CrashOptions{}), "/d/new"); ok {
		t.Fatal("a file whose directory was never synced survived the crash")
	}
	fs.SyncDir("/d")
	if got, ok := contents(t, fs.CrashClone(CrashOptions{}), "/d/new"); !ok || got != "data" {
		t.Fatalf("after SyncDir the file holds %q (exists %v)", got, ok)
	}

	// Rename: the old name survives until the directory is synced.
	if err := fs.Rename("/d/new", "/d/renamed"); err != nil {
		t.Fatal(err)
	}
	c := fs.CrashClone(CrashOptions{})
	if _, ok := contents(t, c, "/d/renamed"); ok {
		t.Fatal("an unsynced rename survived the crash")
	}
	if got, ok := contents(t, c, "/d/new"); !ok || got != "data" {
		t.Fatal("the old name of an unsynced rename was lost")
	}
	fs.SyncDir("/d")
	c = fs.CrashClone(CrashOptions{})
	if _, ok := contents(t, c, "/d/new"); ok {
		t.Fatal("the old name survived a synced rename")
	}
	if got, _ := contents(t, c, "/d/renamed"); got != "data" {
		t.Fatalf("renamed file holds %q", got)
	}

	// Remove: the file comes back unless the directory is synced.
	fs.Remove("/d/renamed")
	if _, ok := contents(t, fs.CrashClone(CrashOptions{}), "/d/renamed"); !ok {
		t.Fatal("an unsynced remove survived the crash")
	}
	fs.SyncDir("/d")
	if _, ok := contents(t, fs.CrashClone(CrashOptions{}), "/d/renamed"); ok {
		t.Fatal("a synced remove was undone by the crash")
	}
}

func TestCrashCloneOverwritesAndTruncates(t *testing.T) {
	fs := NewMem()
	fs.MkdirAll("/d")
	f, _ := fs.Create("/d/f", KindOther)
	write(t, f, "0123456789")
	f.Sync()
	fs.SyncDir("/d")
	f.WriteAt([]byte("XX"), 2) // unsynced overwrite in the synced region
	f.Truncate(5)              // unsynced truncate
	r := rand.New(rand.NewPCG(1, 2))
	if got, _ := contents(t, fs.CrashClone(CrashOptions{Rand: r}), "/d/f"); got != "0123456789" {
		t.Fatalf("crash clone holds %q, want the synced %q", got, "0123456789")
	}
	f.Sync()
	if got, _ := contents(t, fs.CrashClone(CrashOptions{}), "/d/f"); got != "01XX4" {
		t.Fatalf("after Sync the clone holds %q", got)
	}
	// Extending after a truncate reads zeros, not the old bytes.
	f.Truncate(7)
	if got, _ := contents(t, fs, "/d/f"); got != "01XX4\x00\x00" {
		t.Fatalf("extended file holds %q", got)
	}
}

func TestCrashCloneKeepsAPrefixOfUnsyncedAppends(t *testing.T) {
	seed := rand.Uint64()
	r := rand.New(rand.NewPCG(seed, 0))
	fs := NewMem()
	fs.MkdirAll("/d")
	f, _ := fs.Create("/d/log", KindWAL)
	write(t, f, "synced.")
	f.Sync()
	fs.SyncDir("/d")
	tail := "abcdefghijklmnopqrstuvwxyz"
	write(t, f, tail)
	lengths := map[int]bool{}
	for range 200 {
		got, _ := contents(t, fs.CrashClone(CrashOptions{Rand: r}), "/d/log")
		if len(got) < 7 || got[:7] != "synced." || got[7:] != tail[:len(got)-7] {
			t.Fatalf("seed %d: crash clone holds %q: not synced data plus a prefix of the appends", seed, got)
		}
		lengths[len(got)] = true
	}
	if len(lengths) < 5 {
		t.Fatalf("seed %d: only %d distinct prefix lengths in 200 crashes", seed, len(lengths))
	}
}

func TestCrashCloneIsIndependent(t *testing.T) {
	fs := NewMem()
	fs.MkdirAll("/d")
	f, _ := fs.Create("/d/f", KindOther)
	write(t, f, "abc")
	f.Sync()
	fs.SyncDir("/d")
	c := fs.CrashClone(CrashOptions{})
	g, _ := c.OpenReadWrite("/d/f", KindOther)
	write(t, g, "def")
	if got, _ := contents(t, fs, "/d/f"); got != "abc" {
		t.Fatalf("writing the clone changed the original: %q", got)
	}
	write(t, f, "123")
	if got, _ := contents(t, c, "/d/f"); got != "abcdef" {
		t.Fatalf("writing the original changed the clone: %q", got)
	}
}

func TestMemFileSemantics(t *testing.T) {
	fs := NewMem()
	if _, err := fs.Create("/missing/f", KindOther); !errors.Is(err, ErrNotExist) {
		t.Fatalf("Create in a missing directory: %v", err)
	}
	if _, err := fs.Open("/nope", KindOther); !errors.Is(err, ErrNotExist) {
		t.Fatalf("Open of a missing file: %v", err)
	}
	fs.MkdirAll("/a/b")
	f, _ := fs.Create("/a/b/f", KindOther)
	write(t, f, "hello")
	f.Close()
	if _, err := f.Write([]byte("x")); !errors.Is(err, ErrClosed) {
		t.Fatalf("Write after Close: %v", err)
	}
	g, _ := fs.OpenReadWrite("/a/b/f", KindOther)
	write(t, g, " world") // appends at the end
	buf := make([]byte, 20)
	n, err := g.ReadAt(buf, 0)
	if err != io.EOF || string(buf[:n]) != "hello world" {
		t.Fatalf("ReadAt = %q, %v", buf[:n], err)
	}
	r, _ := fs.Open("/a/b/f", KindOther)
	if _, err := r.Write([]byte("x")); err == nil {
		t.Fatal("Write to a read-only file succeeded")
	}
	names, _ := fs.List("/a")
	if len(names) != 1 || names[0] != "b" {
		t.Fatalf("List(/a) = %v", names)
	}
	if err := fs.Remove("/a/b"); err == nil {
		t.Fatal("removed a non-empty directory")
	}
	if fi, err := fs.Stat("/a/b/f"); err != nil || fi.Size() != 11 {
		t.Fatalf("Stat = %v, %v", fi, err)
	}
	if !bytes.Equal(buf[:5], []byte("hello")) {
		t.Fatal("buffer")
	}
}

func TestMemLock(t *testing.T) {
	fs := NewMem()
	fs.MkdirAll("/d")
	l, err := fs.Lock("/d/LOCK")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fs.Lock("/d/LOCK"); !errors.Is(err, ErrLocked) {
		t.Fatalf("second Lock: %v, want ErrLocked", err)
	}
	// A crash releases locks.
	if l2, err := fs.CrashClone(CrashOptions{}).Lock("/d/LOCK"); err != nil {
		t.Fatalf("Lock on a crash clone: %v", err)
	} else {
		l2.Close()
	}
	l.Close()
	l3, err := fs.Lock("/d/LOCK")
	if err != nil {
		t.Fatalf("Lock after release: %v", err)
	}
	l3.Close()
}
