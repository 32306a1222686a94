package lsm

import (
	"fmt"
	"github.com/kvlab/kvlab/internal/storedir"
	"testing"
	"time"

	"github.com/kvlab/kvlab/lsm/manifest"
	"github.com/kvlab/kvlab/vfs"
)

// TestWriteStalls pauses compactions so that L0 piles up: writes must be
// delayed at l0-slowdown-trigger, stop at l0-stop-trigger, and resume once
// compactions run again, with the stalls counted.
func TestWriteStalls(t *testing.T) {
	o := tinyOptions()
	db := mustOpen(t, vfs.NewMem(), "/db", o)
	defer db.Close()
	db.mu.Lock()
	db.compactionsPaused = true
	db.mu.Unlock()

	done := make(chan error, 1)
	go func() {
		v := make([]byte, 1000)
		for i := 0; i < 2000; i++ {
			if err := db.Put([]byte(fmt.Sprintf("k%06d", i)), v); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	// Wait until the writer is stopped with L0 at the stop trigger.
	deadline := time.Now().Add(10 * time.Second)
	for {
		db.mu.Lock()
		l0 := len(db.version.Levels[0])
		db.mu.Unlock()
		if l0 >= o.L0StopTrigger {
			break
		}
		select {
		case err := <-done:
			t.Fatalf("the writer finished (%v) with L0 at %d tables: writes never stopped", err, l0)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("L0 reached only %d tables", l0)
		}
		time.Sleep(time.Millisecond)
	}
	select {
	case err := <-done:
		t.Fatalf("the writer finished (%v) although L0 is at the stop trigger", err)
	case <-time.After(50 * time.Millisecond):
	}
	st := db.Stats()
	if st.LSM.Stalls == 0 || st.LSM.StallNanos == 0 {
		t.Fatalf("stalls %d (%d ns): the delays were not counted", st.LSM.Stalls, st.LSM.StallNanos)
	}
	db.mu.Lock()
	db.compactionsPaused = false
	db.bgCond.Broadcast()
	db.mu.Unlock()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	waitIdle(t, db)
	if l0 := db.Stats().LSM.Levels[0].Files; l0 >= o.L0CompactionTrigger {
		t.Fatalf("L0 still holds %d tables after compactions resumed", l0)
	}
}

// TestNoGarbageFiles checks that once background work is done, the
// directory holds exactly the live tables, the active log, the current
// manifest, CURRENT and LOCK.
func TestNoGarbageFiles(t *testing.T) {
	seed := testSeed(t)
	mem := vfs.NewMem()
	db := mustOpen(t, mem, "/db", tinyOptions())
	defer db.Close()
	for i := 0; i < 5000; i++ {
		if err := db.Put(key(i%1500), make([]byte, 100)); err != nil {
			t.Fatal(err)
		}
	}
	waitIdle(t, db)
	db.deleteObsoleteFiles()
	names, err := mem.List("/db")
	if err != nil {
		t.Fatal(err)
	}
	db.mu.Lock()
	live := db.version.AllFiles()
	logNum, manNum := db.mem.logNum, db.manifest.Num()
	db.mu.Unlock()
	tables := 0
	for _, n := range names {
		typ, num, _ := manifest.ParseFileName(n)
		switch {
		case n == storedir.FileName:
		case typ == manifest.TypeTable:
			if _, ok := live[num]; !ok {
				t.Errorf("seed %d: obsolete table %s left behind", seed, n)
			}
			tables++
		case typ == manifest.TypeLog && num != logNum,
			typ == manifest.TypeManifest && num != manNum,
			typ == manifest.TypeTemp, typ == manifest.TypeUnknown:
			t.Errorf("seed %d: garbage file %s left behind", seed, n)
		}
	}
	if tables != len(live) {
		t.Errorf("seed %d: %d table files for %d live tables", seed, tables, len(live))
	}
}
