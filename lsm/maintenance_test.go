package lsm

import (
	"bytes"
	"fmt"
	"sync"
	"testing"

	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/vfs"
)

func TestFlushWritesMemtableToL0(t *testing.T) {
	fs := vfs.NewMem()
	db := mustOpen(t, fs, "/db", DefaultOptions())
	defer db.Close()
	for i := range 100 {
		db.Put(key(i), []byte("v"))
	}
	if err := db.Flush(); err != nil {
		t.Fatal(err)
	}
	db.mu.Lock()
	l0, memEmpty, imms := len(db.version.Levels[0]), db.mem.Empty(), len(db.imms)
	db.mu.Unlock()
	if l0 != 1 || !memEmpty || imms != 0 {
		t.Fatalf("after Flush: %d L0 tables, memtable empty %v, %d immutable; want 1, true, 0", l0, memEmpty, imms)
	}
	if err := db.Flush(); err != nil { // nothing to flush
		t.Fatal(err)
	}
	if v, err := db.Get(key(7)); err != nil || string(v) != "v" {
		t.Fatalf("Get after Flush = %q, %v", v, err)
	}
}

func TestCompactRangeDropsOverwrittenAndDeleted(t *testing.T) {
	fs := vfs.NewMem()
	o := tinyOptions()
	db := mustOpen(t, fs, "/db", o)
	defer db.Close()
	m := model{}
	for round := range 4 {
		for i := range 400 {
			if (i+round)%3 == 0 {
				db.Delete(key(i))
				delete(m, string(key(i)))
			} else {
				v := fmt.Sprintf("v%d-%d", round, i)
				db.Put(key(i), []byte(v))
				m[string(key(i))] = v
			}
		}
		if err := db.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Compact(nil, nil); err != nil {
		t.Fatal(err)
	}
	db.mu.Lock()
	v := db.version
	db.mu.Unlock()
	bottom := 0
	for l, lvl := range v.Levels {
		if len(lvl) > 0 {
			bottom = l
		}
	}
	for l := 0; l < bottom; l++ {
		if n := len(v.Levels[l]); n > 0 {
			t.Fatalf("after Compact(nil, nil): L%d holds %d tables above the bottom level L%d", l, n, bottom)
		}
	}
	var entries uint64
	for _, t := range v.Levels[bottom] {
		entries += t.Entries
	}
	if entries != uint64(len(m)) {
		t.Fatalf("after a full compaction the bottom level holds %d entries, want the %d live keys", entries, len(m))
	}
	verify(t, 0, db, m)
	check(t, 0, db)
	if err := db.Compact(key(10), key(20)); err != nil {
		t.Fatal(err)
	}
	verify(t, 0, db, m)
}

func TestCheckpointDuringWritesOpensAndChecks(t *testing.T) {
	for _, name := range []string{"os", "mem"} {
		t.Run(name, func(t *testing.T) {
			var fs vfs.FS = vfs.NewMem()
			dir := "/db"
			if name == "os" {
				fs, dir = vfs.Default, t.TempDir()
			}
			db := mustOpen(t, fs, vfs.Join(dir, "src"), tinyOptions())
			defer db.Close()
			for i := range 2000 {
				db.Put(key(i), []byte(fmt.Sprintf("before-%d", i)))
			}
			var wg sync.WaitGroup
			stop := make(chan struct{})
			wg.Add(1)
			go func() { // writes go on during the checkpoint
				defer wg.Done()
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					db.Put(key(i%3000), []byte(fmt.Sprintf("during-%d", i)))
				}
			}()
			dest := vfs.Join(dir, "copy")
			err := db.Checkpoint(dest)
			close(stop)
			wg.Wait()
			if err != nil {
				t.Fatal(err)
			}
			if err := db.Checkpoint(dest); err == nil {
				t.Fatal("Checkpoint into a non-empty directory succeeded")
			}
			cp := mustOpen(t, fs, dest, tinyOptions())
			defer cp.Close()
			var out bytes.Buffer
			if err := cp.Check(&out); err != nil {
				t.Fatalf("Check of the checkpoint: %v\n%s", err, out.String())
			}
			// Every write acknowledged before the call is there (or a
			// later value of the key).
			for i := range 2000 {
				v, err := cp.Get(key(i))
				if err != nil || !(bytes.HasPrefix(v, []byte("before-")) || bytes.HasPrefix(v, []byte("during-"))) {
					t.Fatalf("checkpoint: Get(%s) = %q, %v", key(i), v, err)
				}
			}
			// The copy is a store of its own: writes to it do not reach
			// the source.
			cp.Put([]byte("only-in-copy"), []byte("x"))
			if _, err := db.Get([]byte("only-in-copy")); err != kv.ErrNotFound {
				t.Fatalf("a write to the checkpoint reached the source: %v", err)
			}
		})
	}
}
