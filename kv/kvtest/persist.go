package kvtest

import (
	"fmt"
	"testing"

	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/vfs"
)

// testPersistence writes, closes and reopens several times, on the OS file
// system and (for vfs engines) the in-memory one, checking the contents
// against the model after each reopen.
func (s *suite) testPersistence(t *testing.T) {
	type place struct {
		name string
		fs   vfs.FS
		dir  string
	}
	places := []place{{"os", vfs.Default, t.TempDir()}}
	if !s.cfg.noVFS {
		places = append(places, place{"mem", vfs.NewMem(), "/db/nested"})
	}
	for _, p := range places {
		t.Run(p.name, func(t *testing.T) {
			r, seed := newRand(t)
			if err := p.fs.MkdirAll(p.dir); err != nil {
				t.Fatal(err)
			}
			m := model{}
			var probe []string
			for cycle := 0; cycle < 4; cycle++ {
				db, err := s.open(p.fs, p.dir)
				if err != nil {
					t.Fatalf("seed %d cycle %d: open: %v", seed, cycle, err)
				}
				checkDB(t, db, m, probe, fmt.Sprintf("seed %d after reopen %d", seed, cycle))
				fill(t, db, r, budget(800), m)
				// Deletes of keys from earlier cycles must persist too.
				for _, k := range m.sorted(kv.IterOptions{}) {
					if r.IntN(5) == 0 {
						if err := db.Delete([]byte(k)); err != nil {
							t.Fatal(err)
						}
						delete(m, k)
						probe = append(probe, k)
					}
				}
				if err := db.Close(); err != nil {
					t.Fatalf("seed %d cycle %d: Close: %v", seed, cycle, err)
				}
			}
		})
	}
}

// testLock checks that a store cannot be opened twice at once, and can be
// reopened once closed.
func (s *suite) testLock(t *testing.T) {
	db, fs, dir := s.fresh(t)
	if err := db.Put([]byte("k"), []byte("v")); err != nil {
		t.Fatal(err)
	}
	second, err := s.open(fs, dir)
	if err == nil {
		second.Close()
		t.Fatal("a second Open of an open store succeeded; the directory must be locked")
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := s.open(fs, dir)
	if err != nil {
		t.Fatalf("reopen after Close: %v", err)
	}
	mustGet(t, again, "k", "v")
	again.Close()
}
