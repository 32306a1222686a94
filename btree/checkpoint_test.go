package btree

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/vfs"
)

// TestCrashDuringBackgroundCheckpoint writes synced batches while
// background checkpoints run (a small CheckpointSize starts one every few
// dozen batches), takes crash clones at file-system steps of both the
// writer and the checkpoint, and checks that each clone opens to a prefix
// of the batches, all or nothing each, that includes every batch
// acknowledged before the clone, and passes the integrity check.
//
// Batch i puts keys b<i>-0..2 and overwrites one of a few hot keys with i,
// so that writes after a freeze copy on write the nodes the checkpoint is
// writing.
func TestCrashDuringBackgroundCheckpoint(t *testing.T) {
	s := seed(t)
	mem := vfs.NewMem()
	fs := &stepFS{MemFS: mem}
	o := Options{PageSize: 1 << 10, PoolSize: 64 << 10, CheckpointSize: 16 << 10}
	db, err := Open(fs, "/db", o)
	if err != nil {
		t.Fatal(err)
	}
	batches := 1500
	if testing.Short() {
		batches = 600
	}
	const hot = 20

	type snap struct {
		step  string
		acked int // batches acknowledged before the clone
		fs    *vfs.MemFS
	}
	var (
		acked atomic.Int64
		mu    sync.Mutex
		snaps []snap
		steps int
		r     = newRand(s)
	)
	fs.before = func(op, name string) {
		mu.Lock()
		defer mu.Unlock()
		steps++
		// Every step of the checkpoint's files, one in 16 of the logs'.
		if strings.Contains(name, "wal") && steps%16 != 0 {
			return
		}
		a := int(acked.Load())
		snaps = append(snaps, snap{fmt.Sprintf("before %s %s", op, name), a, mem.CrashClone(vfs.CrashOptions{})})
		if steps%3 == 0 {
			snaps = append(snaps, snap{fmt.Sprintf("before %s %s (torn)", op, name), a, mem.CrashClone(vfs.CrashOptions{Rand: r})})
		}
	}
	for i := 0; i < batches; i++ {
		var b kv.Batch
		for j := 0; j < 3; j++ {
			b.Put([]byte(fmt.Sprintf("b%05d-%d", i, j)), []byte(fmt.Sprintf("value %d/%d", i, j)))
		}
		b.Put([]byte(fmt.Sprintf("hot%02d", i%hot)), []byte(fmt.Sprint(i)))
		if err := db.Write(&b, kv.WriteOptions{Sync: true}); err != nil {
			t.Fatalf("batch %d: %v", i, err)
		}
		acked.Store(int64(i + 1))
	}
	db.wmu.Lock()
	db.waitCheckpointLocked()
	db.wmu.Unlock()
	fs.before = nil // no checkpoint runs now to call it
	if n := db.Stats().BTree.Checkpoints; n < 2 {
		t.Fatalf("only %d checkpoints ran", n)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if len(snaps) < 20 {
		t.Fatalf("only %d crash points", len(snaps))
	}
	t.Logf("seed %d: %d crash points", s, len(snaps))
	for _, sn := range snaps {
		ctx := fmt.Sprintf("seed %d: crash %s (%d acknowledged)", s, sn.step, sn.acked)
		cdb, err := Open(sn.fs, "/db", o)
		if err != nil {
			t.Fatalf("%s: open: %v", ctx, err)
		}
		checkPrefix(t, cdb, sn.acked, batches, hot, ctx)
		if err := cdb.Check(io.Discard); err != nil {
			t.Fatalf("%s: Check: %v", ctx, err)
		}
		if err := cdb.Close(); err != nil {
			t.Fatalf("%s: close: %v", ctx, err)
		}
	}
}

// checkPrefix checks that db holds exactly batches 0..n-1 of
// TestCrashDuringBackgroundCheckpoint for some n >= acked.
func checkPrefix(t *testing.T, db *DB, acked, batches, hot int, ctx string) {
	t.Helper()
	has := func(i, j int) bool {
		v, err := db.Get([]byte(fmt.Sprintf("b%05d-%d", i, j)))
		if errors.Is(err, kv.ErrNotFound) {
			return false
		}
		if err != nil {
			t.Fatalf("%s: get: %v", ctx, err)
		}
		if want := fmt.Sprintf("value %d/%d", i, j); string(v) != want {
			t.Fatalf("%s: batch %d key %d holds %q, want %q", ctx, i, j, v, want)
		}
		return true
	}
	n := 0
	for n < batches && has(n, 0) {
		n++
	}
	if n < acked {
		t.Fatalf("%s: only %d batches survived", ctx, n)
	}
	for i := 0; i < batches; i++ {
		for j := 0; j < 3; j++ {
			if has(i, j) != (i < n) {
				t.Fatalf("%s: batch %d key %d present %v, but the first %d batches survived", ctx, i, j, i >= n, n)
			}
		}
	}
	for h := 0; h < hot; h++ {
		last := -1
		for i := h; i < n; i += hot {
			last = i
		}
		v, err := db.Get([]byte(fmt.Sprintf("hot%02d", h)))
		switch {
		case last < 0 && !errors.Is(err, kv.ErrNotFound):
			t.Fatalf("%s: hot key %d: %q, %v; want none", ctx, h, v, err)
		case last >= 0 && (err != nil || string(v) != fmt.Sprint(last)):
			t.Fatalf("%s: hot key %d: %q, %v; want %d", ctx, h, v, err, last)
		}
	}
}

// TestWritesProceedDuringBackgroundCheckpoint checks that a write that
// triggers a checkpoint does not wait for its page writes: with the pages
// file's sync blocked, writes keep completing, and the checkpoint finishes
// once the sync is let through.
func TestWritesProceedDuringBackgroundCheckpoint(t *testing.T) {
	mem := vfs.NewMem()
	fs := &stepFS{MemFS: mem}
	o := Options{PageSize: 1 << 10, PoolSize: 1 << 20, CheckpointSize: 32 << 10}
	db, err := Open(fs, "/db", o)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	release := make(chan struct{})
	var blocked atomic.Bool
	var once sync.Once
	fs.before = func(op, name string) {
		if op == "sync" && strings.HasSuffix(name, pagesFileName) {
			once.Do(func() {
				blocked.Store(true)
				<-release
			})
		}
	}
	i := 0
	put := func() {
		t.Helper()
		if err := db.Put([]byte(fmt.Sprintf("key%06d", i)), make([]byte, 100)); err != nil {
			t.Fatal(err)
		}
		i++
	}
	started := func() bool {
		db.wmu.Lock()
		defer db.wmu.Unlock()
		return db.ckptState != ckptIdle
	}
	for !started() {
		put()
		if i > 100000 {
			t.Fatal("no checkpoint started")
		}
	}
	// Writing on until the checkpoint blocks could fill the new log too,
	// and then the writer would wait for the blocked checkpoint.
	for deadline := time.Now().Add(30 * time.Second); !blocked.Load(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the checkpoint did not reach the pages sync")
		}
	}
	// The checkpoint is stuck in its write phase; writes go on into the
	// new log until it is full.
	for range 50 {
		put()
	}
	if n := db.Stats().BTree.Checkpoints; n != 0 {
		t.Fatalf("%d checkpoints completed while the sync is blocked", n)
	}
	close(release)
	db.wmu.Lock()
	db.waitCheckpointLocked()
	db.wmu.Unlock()
	if n := db.Stats().BTree.Checkpoints; n != 1 {
		t.Fatalf("%d checkpoints completed, want 1", n)
	}
	fs.before = nil
	mustCheck(t, db, "after the background checkpoint")
}
