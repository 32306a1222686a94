package vfs

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"os"
	"runtime"
	"testing"
)

// TestMapperSeesWrites maps an OS file (through Accounting) past its end,
// writes pages at random offsets with WriteAt and checks that the mapping
// shows every write at once, and that reads through it are counted.
func TestMapperSeesWrites(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("Mapper is offered on Linux only")
	}
	acct := NewAccounting(Default)
	f, err := acct.Create(Join(t.TempDir(), "f"), KindBTreePages)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, ok := AsMapper(f)
	if !ok {
		t.Fatal("Accounting over the OS file system offers no Mapper")
	}
	const ps, pages = 4096, 64
	b, err := m.Map(0, ps*pages*4) // reserved past the file's end
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := m.Unmap(b); err != nil {
			t.Error(err)
		}
	}()
	seed := rand.Uint64()
	r := rand.New(rand.NewPCG(seed, 2))
	model := make([]byte, ps*pages)
	if err := f.Truncate(int64(len(model))); err != nil {
		t.Fatal(err)
	}
	for range 200 {
		off := r.IntN(len(model) - 100)
		p := make([]byte, 1+r.IntN(100))
		for i := range p {
			p[i] = byte(r.Uint32())
		}
		if _, err := f.WriteAt(p, int64(off)); err != nil {
			t.Fatal(err)
		}
		copy(model[off:], p)
		if !bytes.Equal(b[off:off+len(p)], p) {
			t.Fatalf("seed %d: the mapping does not show a write at %d", seed, off)
		}
	}
	if !bytes.Equal(b[:len(model)], model) {
		t.Fatalf("seed %d: the mapping differs from the writes", seed)
	}
	before := acct.Stats()[KindBTreePages]
	m.CountMappedRead(ps)
	after := acct.Stats()[KindBTreePages]
	if after.BytesRead-before.BytesRead != ps || after.Reads-before.Reads != 1 {
		t.Fatalf("a mapped read of %d bytes counted %+v -> %+v", ps, before, after)
	}
}

// TestMapperOfferedOnlyByOSFiles checks that the wrappers which model or
// fake a device (device models, fault injection, memory) keep the ReadAt
// path: they do not offer Mapper, even around OS files.
func TestMapperOfferedOnlyByOSFiles(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		fs   FS
		dir  string
	}{
		{"mem", NewMem(), "/d"},
		{"device", NewDevice(Default, DeviceSSD), dir},
		{"fault", NewFaultFS(Default), dir},
		{"accounting-mem", NewAccounting(NewMem()), "/d"},
		{"accounting-device", NewAccounting(NewDevice(Default, DeviceHDD)), dir},
	} {
		if err := tc.fs.MkdirAll(tc.dir); err != nil {
			t.Fatal(err)
		}
		f, err := tc.fs.Create(Join(tc.dir, "f-"+tc.name), KindOther)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := AsMapper(f); ok {
			t.Errorf("%s: offers Mapper", tc.name)
		}
		f.Close()
	}
	if d, err := NewDirect(dir); err == nil {
		f, err := d.Create(Join(dir, "f-direct"), KindOther)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := AsMapper(f); ok {
			t.Error("direct: offers Mapper")
		}
		f.Close()
	} else if !errors.Is(err, ErrDirectUnsupported) {
		t.Fatal(err)
	}
	f, err := Default.Create(Join(dir, "f-os"), KindOther)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, ok := AsMapper(f); ok != (runtime.GOOS == "linux") {
		t.Errorf("os on %s: offers Mapper: %v", runtime.GOOS, ok)
	}
	_ = os.Remove(Join(dir, "f-os"))
}
