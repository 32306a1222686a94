package kv

import (
	"errors"
	"fmt"
	"io"
	"testing"
)

func TestCorruptionErrorMatchesAndNamesPlace(t *testing.T) {
	err := fmt.Errorf("sstable: read block: %w", &CorruptionError{File: "000007.sst", Offset: 4096, Reason: "checksum mismatch", Err: io.ErrUnexpectedEOF})
	if !errors.Is(err, ErrCorruption) || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("errors.Is fails on %v", err)
	}
	var ce *CorruptionError
	if !errors.As(err, &ce) || ce.File != "000007.sst" || ce.Offset != 4096 {
		t.Fatalf("errors.As = %+v", ce)
	}
	want := "sstable: read block: kv: corruption in 000007.sst at offset 4096: checksum mismatch: unexpected EOF"
	if err.Error() != want {
		t.Fatalf("message %q, want %q", err.Error(), want)
	}
	if errors.Is(err, ErrNotFound) {
		t.Fatal("corruption matches ErrNotFound")
	}
	if got := Corruptf("", -1, "bad %s", "thing").Error(); got != "kv: corruption: bad thing" {
		t.Fatalf("no file/offset: %q", got)
	}
}

func TestStatsAmplificationAndSub(t *testing.T) {
	prev := Stats{UserBytesWritten: 100, UserBytesRead: 10, Ops: OpStats{Gets: 1},
		IO: map[string]IOStats{"wal": {BytesWritten: 150, BytesRead: 0}}}
	cur := Stats{UserBytesWritten: 300, UserBytesRead: 60, Ops: OpStats{Gets: 11}, BlocksTouched: 30,
		LiveBytes: 200, DiskBytes: 500, CacheHits: 3, CacheMisses: 1,
		IO: map[string]IOStats{"wal": {BytesWritten: 450}, "sstable": {BytesWritten: 250, BytesRead: 100}}}
	d := cur.Sub(prev)
	if d.UserBytesWritten != 200 || d.IO["wal"].BytesWritten != 300 || d.IO["sstable"].BytesWritten != 250 {
		t.Fatalf("Sub = %+v", d)
	}
	if got := d.WriteAmp(); got != (300.0+250)/200 {
		t.Fatalf("WriteAmp = %v", got)
	}
	if got := d.ReadAmp(); got != 100.0/50 {
		t.Fatalf("ReadAmp = %v", got)
	}
	if got := cur.BlocksPerGet(); got != 30.0/11 {
		t.Fatalf("BlocksPerGet = %v", got)
	}
	if cur.SpaceAmp() != 2.5 || cur.CacheHitRatio() != 0.75 {
		t.Fatalf("SpaceAmp %v CacheHitRatio %v", cur.SpaceAmp(), cur.CacheHitRatio())
	}
	if (Stats{}).WriteAmp() != 0 || (Stats{}).SpaceAmp() != 0 {
		t.Fatal("ratios of nothing must be 0")
	}
	if (LevelStats{BytesIn: 10, BytesWritten: 25}).WriteAmp() != 2.5 {
		t.Fatal("LevelStats.WriteAmp")
	}
	// Sub must not alias the receiver's map.
	d.IO["wal"] = IOStats{}
	if cur.IO["wal"].BytesWritten != 450 {
		t.Fatal("Sub modified the receiver's IO map")
	}
}
