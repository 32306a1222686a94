package wal_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/vfs"
	"github.com/kvlab/kvlab/wal"
)

// fuzzLogNum is the log number of the fuzzed logs.
const fuzzLogNum = 1

// FuzzReader reads arbitrary bytes as log 1, with and without SkipCorrupt.
// It must not panic, must fail only with corruption or an unknown version,
// and every record it returns must be exactly what a writer would have put
// at the record's position: no record is ever made of damaged bytes. Its
// seed corpus, testdata/fuzz/FuzzReader, comes from TestWriteFuzzSeeds.
func FuzzReader(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, skip := range []bool{false, true} {
			r, err := wal.NewReader(bytes.NewReader(data), int64(len(data)), "fuzz", fuzzLogNum, wal.ReaderOptions{SkipCorrupt: skip})
			if err != nil {
				if !errors.Is(err, kv.ErrCorruption) && !errors.Is(err, wal.ErrUnsupportedVersion) {
					t.Fatalf("NewReader: unexpected error %v", err)
				}
				continue
			}
			bs := r.Header().BlockSize
			prevEnd := int64(0)
			for {
				rec, err := r.Next()
				if err != nil {
					end := r.End()
					switch {
					case errors.Is(err, io.EOF):
						if end.Reason != wal.EndClean && end.Reason != wal.EndTornTail {
							t.Fatalf("io.EOF with end %+v", end)
						}
					case errors.Is(err, kv.ErrCorruption):
						if skip || end.Reason != wal.EndCorrupt {
							t.Fatalf("corruption %v with skip=%v, end %+v", err, skip, end)
						}
					default:
						t.Fatalf("unexpected error %v", err)
					}
					if end.Offset < prevEnd || end.Offset > int64(len(data)) {
						t.Fatalf("end offset %d outside [%d, %d]", end.Offset, prevEnd, len(data))
					}
					break
				}
				p := r.Pos()
				if p.Offset < prevEnd || p.End > int64(len(data)) || p.Offset >= p.End {
					t.Fatalf("record at %v after one ending at %d in %d bytes", p, prevEnd, len(data))
				}
				if want := wal.EncodeAt(bs, fuzzLogNum, p.Offset, rec); !bytes.Equal(data[p.Offset:p.End], want) {
					t.Fatalf("record at %v (%d bytes) is not what a writer puts there", p, len(rec))
				}
				if r.Fragments() != fragmentsSpanned(p, bs) {
					t.Fatalf("record at %v: %d fragments", p, r.Fragments())
				}
				prevEnd = p.End
			}
		}
	})
}

// fuzzSeeds returns valid and damaged logs in the smallest block size.
func fuzzSeeds(t testing.TB) [][]byte {
	fs := vfs.NewMem()
	recs := [][]byte{[]byte("hello"), {}, bytes.Repeat([]byte("ab"), 150), []byte("a record"),
		bytes.Repeat([]byte{0xff}, 60), []byte("last")}
	writeLog(t, fs, "log", fuzzLogNum, wal.MinBlockSize, recs)
	valid, _ := vfs.ReadFile(fs, "log", vfs.KindWAL)
	writeLog(t, fs, "empty", fuzzLogNum, wal.MinBlockSize, nil)
	empty, _ := vfs.ReadFile(fs, "empty", vfs.KindWAL)

	flipped := bytes.Clone(valid)
	flipped[wal.FileHeaderSize+wal.FragHeaderSize+1] ^= 4
	zeroedBlock := bytes.Clone(valid)
	clear(zeroedBlock[wal.MinBlockSize : 2*wal.MinBlockSize])
	zeroTail := append(bytes.Clone(valid), make([]byte, 100)...)
	return [][]byte{valid, empty, valid[:len(valid)-3], valid[:wal.MinBlockSize+20], flipped, zeroedBlock, zeroTail, valid[:20]}
}

// TestWriteFuzzSeeds writes the seed corpus of FuzzReader to
// testdata/fuzz/FuzzReader when WAL_WRITE_FUZZ_SEEDS is set.
func TestWriteFuzzSeeds(t *testing.T) {
	if os.Getenv("WAL_WRITE_FUZZ_SEEDS") == "" {
		t.Skip("set WAL_WRITE_FUZZ_SEEDS=1 to rewrite testdata/fuzz/FuzzReader")
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzReader")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	names := []string{"valid", "empty", "torn-tail", "torn-block", "bit-flip", "zeroed-block", "zero-tail", "torn-header"}
	for i, s := range fuzzSeeds(t) {
		body := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", s)
		if err := os.WriteFile(filepath.Join(dir, names[i]), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
