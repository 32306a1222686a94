package kvtest

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/vfs"
)

// testMaintenance checks the optional maintenance interfaces the engine
// implements (kv.Flusher, kv.Compacter, kv.Checkpointer) against the
// model: none changes the contents, and a checkpoint opens as a store
// holding exactly the contents at the call, also after a crash that
// follows it. Engines implementing none of them skip it.
func (s *suite) testMaintenance(t *testing.T) {
	db, fs, _ := s.fresh(t)
	defer db.Close()
	fl, isF := db.(kv.Flusher)
	co, isC := db.(kv.Compacter)
	cp, isP := db.(kv.Checkpointer)
	if !isF && !isC && !isP {
		t.Skip("the engine implements no maintenance interface")
	}
	r, seed := newRand(t)
	m := model{}
	for round := range 3 {
		ctx := fmt.Sprintf("seed %d round %d", seed, round)
		fill(t, db, r, budget(1500), m)
		if isF {
			if err := fl.Flush(); err != nil {
				t.Fatalf("%s: Flush: %v", ctx, err)
			}
			checkDB(t, db, m, nil, ctx+" after Flush")
		}
		if isC {
			keys := m.sorted(kv.IterOptions{})
			var lo, hi []byte
			if len(keys) > 2 {
				lo, hi = []byte(keys[len(keys)/3]), []byte(keys[2*len(keys)/3])
			}
			if err := co.Compact(lo, hi); err != nil {
				t.Fatalf("%s: Compact(%q, %q): %v", ctx, lo, hi, err)
			}
			checkDB(t, db, m, nil, ctx+" after Compact of a range")
			if err := co.Compact(nil, nil); err != nil {
				t.Fatalf("%s: Compact(nil, nil): %v", ctx, err)
			}
			checkDB(t, db, m, nil, ctx+" after Compact(nil, nil)")
		}
		if c, ok := db.(kv.Checker); ok && isF {
			var out bytes.Buffer
			if err := c.Check(&out); err != nil {
				t.Fatalf("%s: Check after maintenance: %v\n%s", ctx, err, out.String())
			}
		}
		if !isP {
			continue
		}
		dest := fmt.Sprintf("/checkpoint-%d", round)
		if s.cfg.noVFS || s.cfg.volatile {
			dest = vfs.Join(t.TempDir(), "checkpoint")
		}
		if err := cp.Checkpoint(dest); err != nil {
			t.Fatalf("%s: Checkpoint: %v", ctx, err)
		}
		// Writes after the checkpoint are not in it.
		if err := db.Put([]byte("after-checkpoint"), []byte("x")); err != nil {
			t.Fatal(err)
		}
		want := m.clone()
		m["after-checkpoint"] = "x"
		fss := []vfs.FS{fs}
		if mem, ok := fs.(*vfs.MemFS); ok {
			fss = append(fss, mem.CrashClone(vfs.CrashOptions{}))
		}
		for i, cfs := range fss {
			copyDB, err := s.open(cfs, dest)
			if err != nil {
				t.Fatalf("%s: open the checkpoint (crashed %v): %v", ctx, i == 1, err)
			}
			checkDB(t, copyDB, want, []string{"after-checkpoint"}, fmt.Sprintf("%s: checkpoint (crashed %v)", ctx, i == 1))
			if c, ok := copyDB.(kv.Checker); ok {
				var out bytes.Buffer
				if err := c.Check(&out); err != nil {
					t.Fatalf("%s: Check of the checkpoint: %v\n%s", ctx, err, out.String())
				}
			}
			if err := copyDB.Close(); err != nil {
				t.Fatal(err)
			}
		}
	}
}
