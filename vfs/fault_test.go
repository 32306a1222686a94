package vfs

import (
	"errors"
	"testing"
)

func TestFaultFSAfterNAndPattern(t *testing.T) {
	mem := NewMem()
	mem.MkdirAll("/d")
	ffs := NewFaultFS(mem)
	ffs.Inject(Fault{Ops: OpWrite, Pattern: "*.log", After: 2})
	log, _ := ffs.Create("/d/000001.log", KindWAL)
	other, _ := ffs.Create("/d/000002.sst", KindSSTable)
	for i := 0; i < 2; i++ {
		if _, err := log.Write([]byte("ok")); err != nil {
			t.Fatalf("write %d before the fault: %v", i, err)
		}
	}
	if _, err := log.Write([]byte("boom")); !errors.Is(err, ErrInjected) {
		t.Fatalf("third write: %v, want ErrInjected", err)
	}
	if _, err := log.Write([]byte("again")); err != nil {
		t.Fatalf("a one-shot fault fired twice: %v", err)
	}
	if _, err := other.Write([]byte("x")); err != nil {
		t.Fatalf("a file not matching the pattern failed: %v", err)
	}
	if ffs.Fired() != 1 {
		t.Fatalf("Fired = %d", ffs.Fired())
	}
}

func TestFaultFSPersistentPartialWriteAndKind(t *testing.T) {
	mem := NewMem()
	mem.MkdirAll("/d")
	ffs := NewFaultFS(mem)
	ffs.Inject(Fault{Ops: OpWrite | OpSync, Kind: KindWAL, Partial: true, Persist: true})
	f, _ := ffs.Create("/d/wal", KindWAL)
	n, err := f.Write([]byte("abcdefgh"))
	if !errors.Is(err, ErrInjected) || n != 4 {
		t.Fatalf("partial write = %d, %v; want 4, ErrInjected", n, err)
	}
	if err := f.Sync(); !errors.Is(err, ErrInjected) {
		t.Fatalf("persistent fault stopped firing: %v", err)
	}
	if got, _ := contents(t, mem, "/d/wal"); got != "abcd" {
		t.Fatalf("file holds %q after a short write", got)
	}
	g, _ := ffs.Create("/d/table", KindSSTable)
	if _, err := g.Write([]byte("fine")); err != nil {
		t.Fatalf("another kind failed: %v", err)
	}
	ffs.Clear()
	if err := f.Sync(); err != nil {
		t.Fatalf("after Clear: %v", err)
	}
	custom := errors.New("disk full")
	ffs.Inject(Fault{Ops: OpCreate, Err: custom})
	if _, err := ffs.Create("/d/x", KindOther); !errors.Is(err, custom) {
		t.Fatalf("custom error: %v", err)
	}
}
