package wal_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/kvlab/kvlab/vfs"
	"github.com/kvlab/kvlab/wal"
)

// testSeed returns the seed of a randomized test: $WAL_SEED if set (to
// replay a failure), else the clock. Every failure message names it.
func testSeed(t testing.TB) uint64 {
	t.Helper()
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("WAL_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("bad WAL_SEED %q: %v", s, err)
		}
		seed = v
	}
	t.Logf("seed %d (rerun with WAL_SEED=%d)", seed, seed)
	return seed
}

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)) }

// record returns a record of n bytes identifying itself by id, so that a
// wrong or shuffled record never looks right.
func record(rng *rand.Rand, id, n int) []byte {
	b := make([]byte, n+7)
	for i := 0; i < n; i += 8 {
		binary.LittleEndian.PutUint64(b[i:], rng.Uint64())
	}
	b = b[:n]
	copy(b, fmt.Sprintf("%08d", id))
	return b
}

// randSize returns a record size from a mix of tiny, small, block-sized and
// multi-block records, with the block size's edges over-represented.
func randSize(rng *rand.Rand, bs int) int {
	switch rng.IntN(8) {
	case 0:
		return rng.IntN(8)
	case 1, 2:
		return rng.IntN(200)
	case 3:
		return rng.IntN(bs)
	case 4:
		return rng.IntN(3*bs + 100)
	case 5:
		edges := []int{bs, bs - 1, bs + 1, bs - wal.FragHeaderSize, bs - wal.FragHeaderSize - 1,
			bs - wal.FragHeaderSize + 1, bs - wal.FileHeaderSize - wal.FragHeaderSize,
			2*bs - 2*wal.FragHeaderSize, 2 * bs}
		return max(0, edges[rng.IntN(len(edges))])
	default:
		return rng.IntN(1000)
	}
}

func blockOpts(bs int) wal.Options {
	var o wal.Options
	if bs != wal.BlockSize {
		wal.SetBlockSize(&o, bs)
	}
	return o
}

// writeLog writes recs to a new log and closes it, returning their positions.
func writeLog(t testing.TB, fs vfs.FS, name string, logNum uint64, bs int, recs [][]byte) []wal.Pos {
	t.Helper()
	w, err := wal.Create(fs, name, logNum, blockOpts(bs))
	if err != nil {
		t.Fatal(err)
	}
	pos := make([]wal.Pos, len(recs))
	for i, r := range recs {
		if pos[i], err = w.Append(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return pos
}

// readResult is everything a Reader said about one log.
type readResult struct {
	recs  [][]byte
	pos   []wal.Pos
	frags []int
	end   wal.EndInfo
	err   error // nil at io.EOF
}

// readBytes reads the log held in data.
func readBytes(data []byte, name string, logNum uint64, opts wal.ReaderOptions) readResult {
	r, err := wal.NewReader(bytes.NewReader(data), int64(len(data)), name, logNum, opts)
	if err != nil {
		return readResult{err: err}
	}
	return readAll(r)
}

func readAll(r *wal.Reader) readResult {
	var res readResult
	for {
		rec, err := r.Next()
		if err != nil {
			if !errors.Is(err, io.EOF) {
				res.err = err
			}
			res.end = r.End()
			return res
		}
		res.recs = append(res.recs, bytes.Clone(rec))
		res.pos = append(res.pos, r.Pos())
		res.frags = append(res.frags, r.Fragments())
	}
}

// readFS reads the named log of fs.
func readFS(t testing.TB, fs vfs.FS, name string, logNum uint64, opts wal.ReaderOptions) readResult {
	t.Helper()
	data, err := vfs.ReadFile(fs, name, vfs.KindWAL)
	if err != nil {
		t.Fatal(err)
	}
	return readBytes(data, name, logNum, opts)
}

// checkPrefix fails unless got is a prefix of want, record for record.
func checkPrefix(t testing.TB, what string, seed uint64, got, want [][]byte) {
	t.Helper()
	if len(got) > len(want) {
		t.Fatalf("seed %d: %s: read %d records, only %d were written", seed, what, len(got), len(want))
	}
	for i := range got {
		if !bytes.Equal(got[i], want[i]) {
			t.Fatalf("seed %d: %s: record %d differs: got %d bytes %.16q, want %d bytes %.16q",
				seed, what, i, len(got[i]), got[i], len(want[i]), want[i])
		}
	}
}

// fragmentsSpanned is how many fragments a record at p has: one per block
// it touches.
func fragmentsSpanned(p wal.Pos, bs int) int {
	return int((p.End-1)/int64(bs)-p.Offset/int64(bs)) + 1
}
