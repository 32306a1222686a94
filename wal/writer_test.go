package wal_test

import (
	"bytes"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/vfs"
	"github.com/kvlab/kvlab/wal"
)

// TestRoundTrip writes random records, from empty to several blocks long,
// and reads them back with their positions and fragment counts.
func TestRoundTrip(t *testing.T) {
	seed := testSeed(t)
	for _, bs := range []int{wal.BlockSize, 256, wal.MinBlockSize} {
		for _, bufSize := range []int{0, 1, 300} {
			t.Run(fmt.Sprintf("block=%d/buf=%d", bs, bufSize), func(t *testing.T) {
				rng := newRand(seed)
				fs := vfs.NewMem()
				o := blockOpts(bs)
				o.BufferSize = bufSize
				w, err := wal.Create(fs, "000001.log", 1, o)
				if err != nil {
					t.Fatal(err)
				}
				var recs [][]byte
				var pos []wal.Pos
				for i := range 300 {
					rec := record(rng, i, randSize(rng, bs))
					p, err := w.Append(rec)
					if err != nil {
						t.Fatal(err)
					}
					if i > 0 && p.Offset < pos[i-1].End {
						t.Fatalf("seed %d: record %d at %v overlaps the previous one at %v", seed, i, p, pos[i-1])
					}
					recs, pos = append(recs, rec), append(pos, p)
				}
				if got, want := w.Size(), pos[len(pos)-1].End; got != want {
					t.Fatalf("seed %d: Size %d, want %d", seed, got, want)
				}
				if err := w.Close(); err != nil {
					t.Fatal(err)
				}
				res := readFS(t, fs, "000001.log", 1, wal.ReaderOptions{})
				if res.err != nil {
					t.Fatalf("seed %d: %v", seed, res.err)
				}
				checkPrefix(t, "round trip", seed, res.recs, recs)
				if len(res.recs) != len(recs) {
					t.Fatalf("seed %d: read %d records, wrote %d", seed, len(res.recs), len(recs))
				}
				for i := range pos {
					if res.pos[i] != pos[i] {
						t.Fatalf("seed %d: record %d read at %v, written at %v", seed, i, res.pos[i], pos[i])
					}
					if want := fragmentsSpanned(pos[i], bs); res.frags[i] != want {
						t.Fatalf("seed %d: record %d (%d bytes at %v): %d fragments, want %d", seed, i, len(recs[i]), pos[i], res.frags[i], want)
					}
				}
				end := pos[len(pos)-1].End
				if res.end.Reason != wal.EndClean || res.end.Offset != end || res.end.FileSize != end || res.end.DroppedBytes != 0 {
					t.Fatalf("seed %d: end %+v, want clean at %d", seed, res.end, end)
				}
			})
		}
	}
}

// TestBlockEdges writes records whose sizes land exactly on block and
// block-tail boundaries, in every combination of two, including tails of
// exactly one fragment header (which hold an empty FIRST fragment).
func TestBlockEdges(t *testing.T) {
	const bs = 256
	h, f := wal.FileHeaderSize, wal.FragHeaderSize
	sizes := []int{0, 1, bs - h - f, bs - h - f - 1, bs - h - f + 1, bs - h - 2*f, bs - h - 2*f + 1,
		bs - h - 2*f - 1, bs - f, bs - f - 1, bs - f + 1, bs - 2*f, bs, 2*bs - 2*f, 2*bs - 2*f + 1, 3 * bs}
	for _, a := range sizes {
		for _, b := range sizes {
			fs := vfs.NewMem()
			recs := [][]byte{bytes.Repeat([]byte{'a'}, a), bytes.Repeat([]byte{'b'}, b), {'c'}}
			pos := writeLog(t, fs, "log", 9, bs, recs)
			res := readFS(t, fs, "log", 9, wal.ReaderOptions{})
			if res.err != nil || len(res.recs) != 3 || res.end.Reason != wal.EndClean {
				t.Fatalf("sizes %d,%d: read %d records, err %v, end %+v", a, b, len(res.recs), res.err, res.end)
			}
			for i := range recs {
				if !bytes.Equal(res.recs[i], recs[i]) || res.pos[i] != pos[i] {
					t.Fatalf("sizes %d,%d: record %d: got %d bytes at %v, want %d at %v", a, b, i, len(res.recs[i]), res.pos[i], len(recs[i]), pos[i])
				}
			}
		}
	}
}

// TestClosed checks that every call after Close fails with kv.ErrClosed.
func TestClosed(t *testing.T) {
	fs := vfs.NewMem()
	w, err := wal.Create(fs, "log", 1, wal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Append([]byte("x")); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	_, err1 := w.Append([]byte("y"))
	_, err2 := w.AppendSync([]byte("y"))
	for i, err := range []error{err1, err2, w.Sync(), w.Flush(), w.Close()} {
		if !errors.Is(err, kv.ErrClosed) {
			t.Errorf("call %d after Close: %v, want kv.ErrClosed", i, err)
		}
	}
}

// TestStickyErrors fails a write or a sync and checks that the writer
// refuses every later call, and that the file still reads as a prefix.
func TestStickyErrors(t *testing.T) {
	for _, fault := range []vfs.Fault{
		{Ops: vfs.OpSync, Kind: vfs.KindWAL},
		{Ops: vfs.OpWrite, Kind: vfs.KindWAL},
		{Ops: vfs.OpWrite, Kind: vfs.KindWAL, Partial: true},
		{Ops: vfs.OpWrite, Kind: vfs.KindWAL, Partial: true, After: 2},
	} {
		t.Run(fmt.Sprintf("%v/partial=%v/after=%d", fault.Ops, fault.Partial, fault.After), func(t *testing.T) {
			mem := vfs.NewMem()
			ffs := vfs.NewFaultFS(mem)
			w, err := wal.Create(ffs, "log", 3, wal.Options{BufferSize: 100})
			if err != nil {
				t.Fatal(err)
			}
			var recs [][]byte
			for i := range 5 {
				rec := bytes.Repeat([]byte{byte('a' + i)}, 80)
				if _, err := w.AppendSync(rec); err != nil {
					t.Fatal(err)
				}
				recs = append(recs, rec)
			}
			ffs.Inject(fault)
			var failed error
			for i := 0; failed == nil && i < 10; i++ {
				_, failed = w.AppendSync(bytes.Repeat([]byte{'z'}, 80))
			}
			if !errors.Is(failed, vfs.ErrInjected) {
				t.Fatalf("AppendSync with a %v fault: %v, want vfs.ErrInjected", fault.Ops, failed)
			}
			ffs.Clear()
			_, err1 := w.Append([]byte("later"))
			_, err2 := w.AppendSync([]byte("later"))
			for i, err := range []error{err1, err2, w.Sync(), w.Flush(), w.Close()} {
				if !errors.Is(err, vfs.ErrInjected) {
					t.Errorf("call %d after the failure: %v, want the sticky vfs.ErrInjected", i, err)
				}
			}
			res := readFS(t, mem, "log", 3, wal.ReaderOptions{})
			if res.err != nil {
				t.Fatalf("reading the failed log: %v", res.err)
			}
			if len(res.recs) < len(recs) {
				t.Fatalf("read %d records, %d were synced", len(res.recs), len(recs))
			}
			for i, r := range res.recs {
				if i < len(recs) && !bytes.Equal(r, recs[i]) || i >= len(recs) && !bytes.Equal(r, bytes.Repeat([]byte{'z'}, 80)) {
					t.Fatalf("record %d is wrong: %q", i, r)
				}
			}
		})
	}
}

// TestConcurrentAppend appends from many goroutines mixing Append,
// AppendSync, Sync and Flush, and checks that every record is read back at
// the position its Append returned, each goroutine's in order.
func TestConcurrentAppend(t *testing.T) {
	seed := testSeed(t)
	fs := vfs.NewMem()
	w, err := wal.Create(fs, "log", 4, wal.Options{BufferSize: 4096})
	if err != nil {
		t.Fatal(err)
	}
	const writers, each = 8, 300
	want := map[wal.Pos][]byte{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for g := range writers {
		wg.Go(func() {
			rng := newRand(seed + uint64(g))
			for i := range each {
				rec := record(rng, g*each+i, 8+rng.IntN(3000))
				var p wal.Pos
				var err error
				switch rng.IntN(10) {
				case 0:
					p, err = w.AppendSync(rec)
				case 1:
					if err = w.Sync(); err == nil {
						p, err = w.Append(rec)
					}
				case 2:
					if err = w.Flush(); err == nil {
						p, err = w.Append(rec)
					}
				default:
					p, err = w.Append(rec)
					_ = w.Size()
					_ = w.Stats()
				}
				if err != nil {
					t.Errorf("seed %d: writer %d: %v", seed, g, err)
					return
				}
				mu.Lock()
				want[p] = rec
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if st := w.Stats(); st.Records != writers*each {
		t.Fatalf("seed %d: Stats.Records %d, want %d", seed, st.Records, writers*each)
	}
	res := readFS(t, fs, "log", 4, wal.ReaderOptions{})
	if res.err != nil || len(res.recs) != writers*each {
		t.Fatalf("seed %d: read %d records (err %v), want %d", seed, len(res.recs), res.err, writers*each)
	}
	last := map[string]string{}
	for i, rec := range res.recs {
		if !bytes.Equal(want[res.pos[i]], rec) {
			t.Fatalf("seed %d: record at %v differs from the one appended there", seed, res.pos[i])
		}
		// Each writer's ids are increasing.
		id := string(rec[:min(8, len(rec))])
		g := fmt.Sprint(int(atoiPrefix(id)) / each)
		if id <= last[g] {
			t.Fatalf("seed %d: writer %s's record %s follows %s", seed, g, id, last[g])
		}
		last[g] = id
	}
}

func atoiPrefix(s string) int {
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			break
		}
		n = n*10 + int(c-'0')
	}
	return n
}

// slowSyncFS makes every sync take a while, so that group commit has
// something to group, and remembers how much of each file a sync covered.
type slowSyncFS struct {
	vfs.FS
	delay   time.Duration
	durable atomic.Int64 // size of the (single) file as of its last sync
}

func (s *slowSyncFS) Create(name string, kind vfs.Kind) (vfs.File, error) {
	f, err := s.FS.Create(name, kind)
	if err != nil {
		return nil, err
	}
	return &slowSyncFile{File: f, fs: s}, nil
}

type slowSyncFile struct {
	vfs.File
	fs *slowSyncFS
}

func (f *slowSyncFile) Sync() error {
	size, err := f.Size()
	if err != nil {
		return err
	}
	time.Sleep(f.fs.delay)
	if err := f.File.Sync(); err != nil {
		return err
	}
	for {
		d := f.fs.durable.Load()
		if size <= d || f.fs.durable.CompareAndSwap(d, size) {
			return nil
		}
	}
}

// TestGroupCommit has 16 goroutines each append 100 records with
// AppendSync, and checks that they share fsyncs, that none returns before
// its record is durable, and that every record is in the log.
func TestGroupCommit(t *testing.T) {
	seed := testSeed(t)
	mem := vfs.NewMem()
	acct := vfs.NewAccounting(mem)
	fs := &slowSyncFS{FS: acct, delay: time.Millisecond}
	w, err := wal.Create(fs, "log", 5, wal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	const writers, each = 16, 100
	var wg sync.WaitGroup
	for g := range writers {
		wg.Go(func() {
			rng := newRand(seed + uint64(g))
			for i := range each {
				p, err := w.AppendSync(record(rng, g*each+i, 10+rng.IntN(200)))
				if err != nil {
					t.Errorf("seed %d: %v", seed, err)
					return
				}
				if d := fs.durable.Load(); d < p.End {
					t.Errorf("seed %d: AppendSync returned for a record ending at %d with only %d bytes synced", seed, p.End, d)
					return
				}
			}
		})
	}
	wg.Wait()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	syncs := acct.Stats()[vfs.KindWAL].Syncs
	t.Logf("%d synced appends took %d fsyncs (writer counted %d)", writers*each, syncs, w.Stats().Syncs)
	if syncs > writers*each/4 {
		t.Errorf("seed %d: %d synced appends took %d fsyncs; group commit should need far fewer", seed, writers*each, syncs)
	}
	res := readFS(t, mem, "log", 5, wal.ReaderOptions{})
	if res.err != nil || len(res.recs) != writers*each {
		t.Fatalf("seed %d: read %d records (err %v), want %d", seed, len(res.recs), res.err, writers*each)
	}
	seen := map[int]bool{}
	for _, r := range res.recs {
		seen[atoiPrefix(string(r[:8]))] = true
	}
	if len(seen) != writers*each {
		t.Fatalf("seed %d: %d distinct records, want %d", seed, len(seen), writers*each)
	}
}

// TestBackgroundWriteError fails the write of a full buffer, which Append
// hands to a goroutine: the Append that finds the spare buffer full too
// waits for that write and returns its error, and the error sticks.
func TestBackgroundWriteError(t *testing.T) {
	mem := vfs.NewMem()
	ffs := vfs.NewFaultFS(mem)
	w, err := wal.Create(ffs, "log", 3, wal.Options{BufferSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	ffs.Inject(vfs.Fault{Ops: vfs.OpWrite, Kind: vfs.KindWAL})
	var failed error
	for i := 0; failed == nil && i < 10; i++ {
		_, failed = w.Append(bytes.Repeat([]byte{'a'}, 80))
	}
	if !errors.Is(failed, vfs.ErrInjected) {
		t.Fatalf("Append past two buffers with a failing write: %v, want vfs.ErrInjected", failed)
	}
	ffs.Clear()
	if err := w.Sync(); !errors.Is(err, vfs.ErrInjected) {
		t.Fatalf("Sync after the failed background write: %v, want the sticky vfs.ErrInjected", err)
	}
	if err := w.Close(); !errors.Is(err, vfs.ErrInjected) {
		t.Fatalf("Close: %v, want the sticky vfs.ErrInjected", err)
	}
}

// TestBackgroundWritesKeepOrder appends many records without syncing, so
// that full buffers are written in the background while appends go on,
// and checks that the closed log reads back every record in order.
func TestBackgroundWritesKeepOrder(t *testing.T) {
	fs := vfs.NewMem()
	w, err := wal.Create(fs, "log", 5, wal.Options{BufferSize: 256})
	if err != nil {
		t.Fatal(err)
	}
	var recs [][]byte
	for i := range 2000 {
		rec := fmt.Appendf(nil, "record %d %s", i, bytes.Repeat([]byte{byte(i)}, i%300))
		if _, err := w.Append(rec); err != nil {
			t.Fatal(err)
		}
		recs = append(recs, rec)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	res := readFS(t, fs, "log", 5, wal.ReaderOptions{})
	if res.err != nil || len(res.recs) != len(recs) {
		t.Fatalf("read %d records (%v), want %d", len(res.recs), res.err, len(recs))
	}
	for i := range recs {
		if !bytes.Equal(res.recs[i], recs[i]) {
			t.Fatalf("record %d differs", i)
		}
	}
}
