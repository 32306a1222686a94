package wal_test

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kvlab/kvlab/vfs"
	"github.com/kvlab/kvlab/wal"
)

// crashClone simulates a power cut: with keepUnsynced, a random prefix of
// the unsynced appends survives too.
func crashClone(mem *vfs.MemFS, rng *rand.Rand, keepUnsynced bool) *vfs.MemFS {
	var o vfs.CrashOptions
	if keepUnsynced {
		o.Rand = rng
	}
	return mem.CrashClone(o)
}

// TestCrashRecover runs generations of write, crash, recover, reopen: after
// each crash the log must hold a prefix of what was appended that includes
// everything acknowledged as durable, and appending after recovery must
// continue that prefix.
func TestCrashRecover(t *testing.T) {
	seed := testSeed(t)
	for trial := range 60 {
		tseed := seed + uint64(trial)
		rng := newRand(tseed)
		bs := []int{wal.BlockSize, smallBS}[trial%2]
		keep := trial%3 != 0
		mem := vfs.NewMem()
		var log [][]byte // what the log should hold, in order
		durable := 0     // how many of them were acknowledged durable
		end := wal.EndInfo{}
		for gen := range 4 {
			var w *wal.Writer
			var err error
			o := blockOpts(bs)
			o.BufferSize = 1 + rng.IntN(2000)
			if _, serr := mem.Stat("log"); serr != nil {
				// Nothing was synced before the crash, not even the name.
				w, err = wal.Create(mem, "log", 42, o)
			} else {
				w, err = wal.OpenAppend(mem, "log", 42, end, o)
			}
			if err != nil {
				t.Fatalf("seed %d gen %d: %v", tseed, gen, err)
			}
			for range rng.IntN(60) {
				rec := record(rng, len(log), randSize(rng, bs))
				switch rng.IntN(10) {
				case 0, 1, 2:
					_, err = w.AppendSync(rec)
					log = append(log, rec)
					durable = len(log)
				case 3:
					err = w.Sync()
					durable = len(log)
				default:
					_, err = w.Append(rec)
					log = append(log, rec)
				}
				if err != nil {
					t.Fatalf("seed %d gen %d: %v", tseed, gen, err)
				}
			}
			// Power cut; the writer is abandoned, not closed.
			mem = crashClone(mem, rng, keep)
			var got [][]byte
			end, err = wal.Replay(mem, "log", 42, wal.ReaderOptions{}, func(rec []byte, _ wal.Pos) error {
				got = append(got, bytes.Clone(rec))
				return nil
			})
			if errors.Is(err, vfs.ErrNotExist) && durable == 0 {
				err = nil
			}
			if err != nil {
				t.Fatalf("seed %d gen %d: recovery: %v", tseed, gen, err)
			}
			checkPrefix(t, fmt.Sprintf("gen %d recovery", gen), tseed, got, log)
			if len(got) < durable {
				t.Fatalf("seed %d gen %d: recovered %d records, %d were acknowledged durable", tseed, gen, len(got), durable)
			}
			if !keep && len(got) != durable {
				t.Fatalf("seed %d gen %d: recovered %d records, only %d were synced", tseed, gen, len(got), durable)
			}
			log, durable = got, len(got)
		}
	}
}

// TestCrashConcurrent crashes the file system at random moments while
// several goroutines append and sync: every crash image must hold a prefix
// of the final log that includes every record acknowledged before the
// crash.
func TestCrashConcurrent(t *testing.T) {
	seed := testSeed(t)
	mem := vfs.NewMem()
	// Slow syncs keep the writers busy long enough for many crashes.
	w, err := wal.Create(&slowSyncFS{FS: mem, delay: 200 * time.Microsecond}, "log", 6, wal.Options{BufferSize: 2048})
	if err != nil {
		t.Fatal(err)
	}
	const writers, each = 4, 250
	var acked [writers]atomic.Int64 // per writer: every record below this is durable
	type image struct {
		fs    *vfs.MemFS
		acked [writers]int64
	}
	var images []image
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var crasher sync.WaitGroup
	crasher.Go(func() {
		rng := newRand(seed)
		for len(images) < 100 {
			select {
			case <-stop:
				return
			case <-time.After(time.Duration(rng.IntN(500)) * time.Microsecond):
			}
			var img image
			for g := range writers {
				img.acked[g] = acked[g].Load()
			}
			img.fs = crashClone(mem, rng, rng.IntN(2) == 0)
			images = append(images, img)
		}
	})
	for g := range writers {
		wg.Go(func() {
			rng := newRand(seed + 1 + uint64(g))
			for i := range each {
				rec := record(rng, g*each+i, 8+rng.IntN(700))
				var err error
				if rng.IntN(3) == 0 {
					_, err = w.AppendSync(rec)
					if err == nil {
						acked[g].Store(int64(i + 1))
					}
				} else {
					_, err = w.Append(rec)
				}
				if err != nil {
					t.Errorf("seed %d: %v", seed, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	crasher.Wait()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	final := readFS(t, mem, "log", 6, wal.ReaderOptions{})
	if final.err != nil || len(final.recs) != writers*each {
		t.Fatalf("seed %d: final log: %d records, err %v", seed, len(final.recs), final.err)
	}
	t.Logf("%d crash images", len(images))
	if len(images) < 5 {
		t.Fatalf("seed %d: only %d crash images taken", seed, len(images))
	}
	for k, img := range images {
		if _, err := img.fs.Stat("log"); err != nil {
			if img.acked != [writers]int64{} {
				t.Fatalf("seed %d: image %d lost the log file after acknowledged syncs: %v", seed, k, err)
			}
			continue
		}
		res := readFS(t, img.fs, "log", 6, wal.ReaderOptions{})
		if res.err != nil {
			t.Fatalf("seed %d: image %d: %v", seed, k, res.err)
		}
		checkPrefix(t, fmt.Sprintf("image %d", k), seed, res.recs, final.recs)
		var have [writers]int64
		for _, r := range res.recs {
			id := atoiPrefix(string(r[:8]))
			have[id/each]++
		}
		for g := range writers {
			if have[g] < img.acked[g] {
				t.Fatalf("seed %d: image %d holds %d records of writer %d; %d were acknowledged durable", seed, k, have[g], g, img.acked[g])
			}
		}
	}
}
