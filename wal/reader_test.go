package wal_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/vfs"
	"github.com/kvlab/kvlab/wal"
)

const smallBS = 256

// smallLog returns a log of a few KB in 256-byte blocks: records of 0 to
// 600 bytes, several spanning blocks.
func smallLog(t testing.TB, seed uint64, logNum uint64) (data []byte, recs [][]byte, pos []wal.Pos) {
	t.Helper()
	rng := newRand(seed)
	for i := range 14 {
		n := rng.IntN(600)
		if i%4 == 0 {
			n = rng.IntN(4)
		}
		recs = append(recs, record(rng, i, n))
	}
	fs := vfs.NewMem()
	pos = writeLog(t, fs, "log", logNum, smallBS, recs)
	data, err := vfs.ReadFile(fs, "log", vfs.KindWAL)
	if err != nil {
		t.Fatal(err)
	}
	return data, recs, pos
}

// TestTruncation cuts a log at every offset: the reader must return
// exactly the records that end before the cut, with io.EOF, and say whether
// the cut fell between records (clean) or inside one (torn tail); a writer
// reopened there must append after them.
func TestTruncation(t *testing.T) {
	seed := testSeed(t)
	data, recs, pos := smallLog(t, seed, 2)
	for cut := 0; cut <= len(data); cut++ {
		res := readBytes(data[:cut], "log", 2, wal.ReaderOptions{})
		n := 0
		for n < len(pos) && pos[n].End <= int64(cut) {
			n++
		}
		if res.err != nil || len(res.recs) != n {
			t.Fatalf("seed %d: cut at %d: read %d records (err %v), want %d", seed, cut, len(res.recs), res.err, n)
		}
		checkPrefix(t, "truncated log", seed, res.recs, recs)
		want := wal.EndInfo{Reason: wal.EndTornTail, FileSize: int64(cut)}
		if cut >= wal.FileHeaderSize {
			want.Offset = wal.FileHeaderSize
			if n > 0 {
				want.Offset = pos[n-1].End
			}
			// A cut between records, or inside the zero padding the
			// writer leaves at a block's end, is a clean end.
			if n == len(pos) || int64(cut) <= pos[n].Offset || allZero(data[want.Offset:cut]) {
				want.Reason = wal.EndClean
			}
		}
		if res.end.Reason != want.Reason || res.end.Offset != want.Offset || res.end.FileSize != want.FileSize {
			t.Fatalf("seed %d: cut at %d: end %+v, want %+v", seed, cut, res.end, want)
		}

		// Reopen and append after the cut.
		fs := vfs.NewMem()
		if err := vfs.WriteFileAtomic(fs, "log", data[:cut], vfs.KindWAL); err != nil {
			t.Fatal(err)
		}
		w, err := wal.OpenAppend(fs, "log", 2, res.end, blockOpts(smallBS))
		if err != nil {
			t.Fatalf("seed %d: cut at %d: OpenAppend: %v", seed, cut, err)
		}
		more := [][]byte{[]byte("after the cut"), bytes.Repeat([]byte{'m'}, 300)}
		for _, r := range more {
			if _, err := w.Append(r); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		res2 := readFS(t, fs, "log", 2, wal.ReaderOptions{})
		all := append(append([][]byte{}, recs[:n]...), more...)
		if res2.err != nil || len(res2.recs) != len(all) || res2.end.Reason != wal.EndClean {
			t.Fatalf("seed %d: cut at %d, reopened: read %d records (err %v, end %+v), want %d", seed, cut, len(res2.recs), res2.err, res2.end, len(all))
		}
		checkPrefix(t, "reopened log", seed, res2.recs, all)
	}
}

// TestBitFlips flips every bit of a small log. Each read must return a
// prefix of the records and then io.EOF or a corruption error, never a
// wrong record; only the last record may vanish without an error (a flip
// there looks like a torn write). With SkipCorrupt, every record returned
// must be the one written at its position.
func TestBitFlips(t *testing.T) {
	seed := testSeed(t)
	data, recs, pos := smallLog(t, seed, 3)
	byOffset := map[int64][]byte{}
	for i, p := range pos {
		byOffset[p.Offset] = recs[i]
	}
	last := pos[len(pos)-1]
	buf := make([]byte, len(data))
	for bit := range len(data) * 8 {
		copy(buf, data)
		off := bit / 8
		buf[off] ^= 1 << (bit % 8)

		res := readBytes(buf, "log", 3, wal.ReaderOptions{})
		checkPrefix(t, "flipped log", seed, res.recs, recs)
		switch {
		case res.err != nil:
			var ce *kv.CorruptionError
			if !errors.As(res.err, &ce) || ce.File != "log" || ce.Offset < 0 || ce.Offset >= int64(len(buf)) {
				t.Fatalf("seed %d: bit %d: error %v, want a *kv.CorruptionError naming the file and an offset", seed, bit, res.err)
			}
		case len(res.recs) == len(recs):
		case len(res.recs) == len(recs)-1 && int64(off) >= last.Offset && int64(off) < last.End:
			if res.end.Reason != wal.EndTornTail {
				t.Fatalf("seed %d: bit %d: lost the last record but end is %+v", seed, bit, res.end)
			}
		default:
			t.Fatalf("seed %d: bit %d (byte %d): silently read only %d of %d records", seed, bit, off, len(res.recs), len(recs))
		}

		res = readBytes(buf, "log", 3, wal.ReaderOptions{SkipCorrupt: true})
		for i, r := range res.recs {
			if want, ok := byOffset[res.pos[i].Offset]; !ok || !bytes.Equal(r, want) {
				t.Fatalf("seed %d: bit %d, skipping: record at %v is not the one written there", seed, bit, res.pos[i])
			}
		}
		if res.err != nil && !errors.Is(res.err, kv.ErrCorruption) {
			t.Fatalf("seed %d: bit %d, skipping: %v", seed, bit, res.err)
		}
	}
}

// TestTornLastRecord damages the last record: a torn tail, not corruption.
func TestTornLastRecord(t *testing.T) {
	data, recs, pos := smallLog(t, 7, 1)
	last := pos[len(pos)-1]
	data[last.End-1] ^= 0x40
	res := readBytes(data, "log", 1, wal.ReaderOptions{})
	if res.err != nil || len(res.recs) != len(recs)-1 || res.end.Reason != wal.EndTornTail || res.end.Offset != pos[len(pos)-2].End {
		t.Fatalf("read %d of %d records, err %v, end %+v; want a torn tail at %d", len(res.recs), len(recs), res.err, res.end, pos[len(pos)-2].End)
	}
}

// TestMidLogCorruption damages a record in the middle of a multi-block log:
// an error naming the offset, or with SkipCorrupt the other records.
func TestMidLogCorruption(t *testing.T) {
	seed := testSeed(t)
	rng := newRand(seed)
	var recs [][]byte
	for i := range 200 {
		recs = append(recs, record(rng, i, 8+rng.IntN(100)))
	}
	fs := vfs.NewMem()
	pos := writeLog(t, fs, "log", 8, smallBS, recs)
	data, _ := vfs.ReadFile(fs, "log", vfs.KindWAL)
	victim := 40
	data[pos[victim].Offset+1] ^= 1 // its first fragment's checksum

	res := readBytes(data, "log", 8, wal.ReaderOptions{})
	var ce *kv.CorruptionError
	if !errors.As(res.err, &ce) || ce.Offset != pos[victim].Offset {
		t.Fatalf("seed %d: err %v, want corruption at %d", seed, res.err, pos[victim].Offset)
	}
	if len(res.recs) != victim || res.end.Reason != wal.EndCorrupt || res.end.Offset != pos[victim-1].End {
		t.Fatalf("seed %d: read %d records, end %+v; want %d, corrupt after %d", seed, len(res.recs), res.end, victim, pos[victim-1].End)
	}
	checkPrefix(t, "corrupt log", seed, res.recs, recs)

	res = readBytes(data, "log", 8, wal.ReaderOptions{SkipCorrupt: true})
	if res.err != nil || res.end.DroppedRecords < 1 || res.end.DroppedBytes <= 0 || len(res.end.Corruptions) != 1 {
		t.Fatalf("seed %d: skipping: err %v, end %+v", seed, res.err, res.end)
	}
	blockEnd := pos[victim].Offset - pos[victim].Offset%smallBS + smallBS
	j := 0
	for i, p := range pos {
		lost := p.End > pos[victim].Offset && p.Offset < blockEnd
		if lost {
			continue
		}
		if j >= len(res.recs) || res.pos[j] != p || !bytes.Equal(res.recs[j], recs[i]) {
			t.Fatalf("seed %d: skipping: record %d at %v missing or wrong", seed, i, p)
		}
		j++
	}
	if j != len(res.recs) {
		t.Fatalf("seed %d: skipping: read %d records, want %d", seed, len(res.recs), j)
	}
}

// TestZeros: zeros after the last record (preallocated space) end the log
// cleanly; a zeroed block in the middle is corruption.
func TestZeros(t *testing.T) {
	data, recs, _ := smallLog(t, 11, 1)
	padded := append(bytes.Clone(data), make([]byte, 3000)...)
	res := readBytes(padded, "log", 1, wal.ReaderOptions{})
	if res.err != nil || len(res.recs) != len(recs) || res.end.Reason != wal.EndClean || res.end.Offset != int64(len(data)) {
		t.Fatalf("zero tail: read %d of %d records, err %v, end %+v", len(res.recs), len(recs), res.err, res.end)
	}
	fs := vfs.NewMem()
	if err := vfs.WriteFileAtomic(fs, "log", padded, vfs.KindWAL); err != nil {
		t.Fatal(err)
	}
	w, err := wal.OpenAppend(fs, "log", 1, res.end, wal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.AppendSync([]byte("after zeros")); err != nil {
		t.Fatal(err)
	}
	w.Close()
	if res := readFS(t, fs, "log", 1, wal.ReaderOptions{}); res.err != nil || len(res.recs) != len(recs)+1 {
		t.Fatalf("appended after zeros: read %d records, err %v", len(res.recs), res.err)
	}

	zeroed := bytes.Clone(data)
	clear(zeroed[smallBS : 2*smallBS])
	res = readBytes(zeroed, "log", 1, wal.ReaderOptions{})
	if !errors.Is(res.err, kv.ErrCorruption) {
		t.Fatalf("zeroed block: err %v (end %+v), want corruption", res.err, res.end)
	}
	checkPrefix(t, "zeroed block", 0, res.recs, recs)
	if n := len(res.recs); n > 0 && res.pos[n-1].End > smallBS {
		t.Fatalf("zeroed block: read a record ending at %d", res.pos[n-1].End)
	}
}

// TestStaleLogNumber: a file with another log number is refused, and stale
// fragments of an older log left in a reused file are never read.
func TestStaleLogNumber(t *testing.T) {
	data, _, _ := smallLog(t, 5, 7)
	if res := readBytes(data, "log", 8, wal.ReaderOptions{}); !errors.Is(res.err, kv.ErrCorruption) {
		t.Fatalf("log 7 read as log 8: err %v, want corruption", res.err)
	}

	// Log 8 written over the start of log 7's file, without truncating it.
	fs := vfs.NewMem()
	newRecs := [][]byte{[]byte("new 1"), bytes.Repeat([]byte{'n'}, 400), []byte("new 3")}
	writeLog(t, fs, "log", 8, smallBS, newRecs)
	newData, _ := vfs.ReadFile(fs, "log", vfs.KindWAL)
	reused := bytes.Clone(data)
	copy(reused, newData)
	for _, opts := range []wal.ReaderOptions{{}, {SkipCorrupt: true}} {
		res := readBytes(reused, "log", 8, opts)
		if res.err != nil || len(res.recs) != len(newRecs) || res.end.Reason != wal.EndTornTail || res.end.Offset != int64(len(newData)) {
			t.Fatalf("reused file (%+v): read %d records, err %v, end %+v", opts, len(res.recs), res.err, res.end)
		}
		checkPrefix(t, "reused file", 0, res.recs, newRecs)
	}
}

// TestUnsupportedVersion: a valid header of a newer version is refused
// with ErrUnsupportedVersion; a damaged one is corruption.
func TestUnsupportedVersion(t *testing.T) {
	data, _, _ := smallLog(t, 1, 1)
	copy(data, wal.FileHeaderVersion(smallBS, 1, 2))
	res := readBytes(data, "log", 1, wal.ReaderOptions{})
	if !errors.Is(res.err, wal.ErrUnsupportedVersion) || errors.Is(res.err, kv.ErrCorruption) {
		t.Fatalf("version 2: err %v, want ErrUnsupportedVersion", res.err)
	}
	data[20] ^= 1
	if res := readBytes(data, "log", 1, wal.ReaderOptions{}); !errors.Is(res.err, kv.ErrCorruption) {
		t.Fatalf("damaged version-2 header: err %v, want corruption", res.err)
	}
	if _, err := wal.ReadHeader(bytes.NewReader([]byte("kvlab")), 5, "short"); err == nil {
		t.Fatal("ReadHeader of a 5-byte file succeeded")
	}
	if res := readBytes([]byte("not a log file at all, certainly not"), "x", 1, wal.ReaderOptions{}); !errors.Is(res.err, kv.ErrCorruption) {
		t.Fatalf("text file: err %v, want corruption", res.err)
	}
}

func allZero(p []byte) bool {
	for _, c := range p {
		if c != 0 {
			return false
		}
	}
	return true
}
