package lsm

import (
	"encoding/binary"
	"errors"
	"io"
	"testing"

	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/lsm/manifest"
	"github.com/kvlab/kvlab/vfs"
	"github.com/kvlab/kvlab/wal"
)

// FuzzWALRecords feeds arbitrary WAL record payloads (the decoder of
// docs/format/lsm.md: a sequence number and a batch repr) to recovery.
// Open must never panic: it recovers (and the store then passes Check) or
// fails with kv.ErrCorruption.
func FuzzWALRecords(f *testing.F) {
	var b kv.Batch
	b.Put([]byte("a"), []byte("1"))
	b.Delete([]byte("b"))
	good := binary.LittleEndian.AppendUint64(nil, 1)
	good = append(good, b.Repr()...)
	f.Add(good, []byte{})
	f.Add(good[:7], good)
	f.Add(append(binary.LittleEndian.AppendUint64(nil, 1<<60), b.Repr()...), []byte{})
	f.Add(good, append(binary.LittleEndian.AppendUint64(nil, 1), 0xff, 0xff, 0xff, 0xff))
	f.Fuzz(func(t *testing.T, rec1, rec2 []byte) {
		fs := vfs.NewMem()
		o := tinyOptions()
		db, err := Open(fs, "/db", o)
		if err != nil {
			t.Fatal(err)
		}
		num := db.mem.logNum
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		w, err := wal.Create(fs, manifest.LogFileName("/db", num), num, wal.Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range [][]byte{rec1, rec2} {
			if _, err := w.Append(r); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		db, err = Open(fs, "/db", o)
		if err != nil {
			if !errors.Is(err, kv.ErrCorruption) {
				t.Fatalf("recovery failed with %v, want success or ErrCorruption", err)
			}
			return
		}
		defer db.Close()
		if err := db.Check(io.Discard); err != nil {
			t.Fatalf("Check after recovery: %v", err)
		}
		it, _ := db.NewIterator(kv.IterOptions{})
		for ok := it.First(); ok; ok = it.Next() {
		}
		if err := it.Close(); err != nil {
			t.Fatalf("scan after recovery: %v", err)
		}
	})
}
