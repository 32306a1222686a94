package vfs

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestOSLockRefusesSecondOpener takes the lock here, then has a child
// process (this test binary again) try it.
func TestOSLockRefusesSecondOpener(t *testing.T) {
	if path := os.Getenv("VFS_LOCK_CHILD"); path != "" {
		_, err := Default.Lock(path)
		if errors.Is(err, ErrLocked) {
			os.Exit(3)
		}
		if err != nil {
			os.Exit(4)
		}
		os.Exit(0)
	}
	dir := t.TempDir()
	name := filepath.Join(dir, "LOCK")
	l, err := Default.Lock(name)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Default.Lock(name); !errors.Is(err, ErrLocked) {
		t.Fatalf("second Lock in the same process: %v, want ErrLocked", err)
	}
	child := func() int {
		cmd := exec.Command(os.Args[0], "-test.run=^TestOSLockRefusesSecondOpener$")
		cmd.Env = append(os.Environ(), "VFS_LOCK_CHILD="+name)
		err := cmd.Run()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0
	}
	if code := child(); code != 3 {
		t.Fatalf("another process locking a held lock exited %d, want 3 (ErrLocked)", code)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if code := child(); code != 0 {
		t.Fatalf("another process locking a released lock exited %d, want 0", code)
	}
}

func TestOSFileSemantics(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "f")
	f, err := Default.Create(name, KindOther)
	if err != nil {
		t.Fatal(err)
	}
	write(t, f, "hello")
	if err := f.Sync(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	g, err := Default.OpenReadWrite(name, KindOther)
	if err != nil {
		t.Fatal(err)
	}
	write(t, g, " world")
	if err := g.Truncate(8); err != nil {
		t.Fatal(err)
	}
	write(t, g, "!")
	g.Close()
	if got, _ := contents(t, Default, name); got != "hello wo!" {
		t.Fatalf("file holds %q", got)
	}
	if err := Default.SyncDir(dir); err != nil {
		t.Fatal(err)
	}
	if err := WriteFileAtomic(Default, filepath.Join(dir, "CURRENT"), []byte("x"), KindCurrent); err != nil {
		t.Fatal(err)
	}
	names, _ := Default.List(dir)
	if strings.Join(names, ",") != "CURRENT,f" {
		t.Fatalf("List = %v", names)
	}
	if _, err := Default.Open(filepath.Join(dir, "nope"), KindOther); !errors.Is(err, ErrNotExist) {
		t.Fatalf("Open missing: %v", err)
	}
}
