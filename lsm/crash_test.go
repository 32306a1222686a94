package lsm

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/vfs"
)

// TestFaultsInBackgroundWork kills the disk at each step of the sequences
// that create tables and switch the manifest — table creation, writes and
// syncs, manifest appends and rewrites, CURRENT's temporary file, the
// rename, directory syncs and removals — while synced writes drive
// flushes and compactions. Then it crashes (keeping only synced data),
// reopens on a healthy disk, and checks that every acknowledged write is
// there, that nothing else is, and that Check passes.
func TestFaultsInBackgroundWork(t *testing.T) {
	seed := testSeed(t)
	campaigns := []struct {
		name  string
		fault vfs.Fault
	}{
		{"sstable", vfs.Fault{Ops: vfs.OpCreate | vfs.OpWrite | vfs.OpSync, Kind: vfs.KindSSTable}},
		{"manifest", vfs.Fault{Ops: vfs.OpCreate | vfs.OpWrite | vfs.OpSync, Kind: vfs.KindManifest}},
		{"current", vfs.Fault{Ops: vfs.OpCreate | vfs.OpWrite | vfs.OpSync, Kind: vfs.KindCurrent}},
		{"namespace", vfs.Fault{Ops: vfs.OpRename | vfs.OpRemove | vfs.OpSyncDir}},
		{"short-write", vfs.Fault{Ops: vfs.OpWrite, Kind: vfs.KindSSTable, Partial: true}},
		// Reads of tables: compactions (and the checks of new tables).
		{"sstable-read", vfs.Fault{Ops: vfs.OpRead, Kind: vfs.KindSSTable}},
		{"wal", vfs.Fault{Ops: vfs.OpCreate | vfs.OpWrite | vfs.OpSync, Kind: vfs.KindWAL}},
	}
	maxSteps, stride := 80, 1
	if testing.Short() {
		maxSteps, stride = 40, 3
	}
	for _, c := range campaigns {
		t.Run(c.name, func(t *testing.T) {
			fired := 0
			for step := 0; step < maxSteps; step += stride {
				f := c.fault
				f.After = step
				f.Persist = true
				if !faultRun(t, seed+uint64(step), f) {
					break // the workload finished before the fault fired
				}
				fired++
			}
			if fired < 3 {
				t.Fatalf("seed %d: the fault fired in %d trials only: the workload does not reach it", seed, fired)
			}
			t.Logf("the fault fired in %d trials", fired)
		})
	}
}

// faultRun runs one trial and reports whether the fault fired.
func faultRun(t *testing.T, seed uint64, f vfs.Fault) bool {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 7))
	mem := vfs.NewMem()
	ffs := vfs.NewFaultFS(mem)
	o := tinyOptions()
	o.MaxManifestSize = 1 << 10
	db, err := Open(ffs, "/db", o)
	if err != nil {
		t.Fatalf("seed %d: Open: %v", seed, err)
	}
	ffs.Inject(f)
	acked := model{}
	attempted := map[string]string{}
	for i := 0; i < 400; i++ {
		var b kv.Batch
		for j := 0; j < 10; j++ {
			k := fmt.Sprintf("k%05d", rng.IntN(3000))
			v := string(value(rng, 150))
			b.Put([]byte(k), []byte(v))
			attempted[k+"="+v] = v
		}
		if err := db.Write(&b, kv.WriteOptions{Sync: true}); err != nil {
			if !errors.Is(err, kv.ErrReadOnly) && !errors.Is(err, vfs.ErrInjected) {
				t.Fatalf("seed %d: fault %+v: Write failed with %v, want ErrReadOnly or the injected error", seed, f, err)
			}
			break
		}
		r := b.Reader()
		for {
			_, k, v, ok := r.Next()
			if !ok {
				break
			}
			acked[string(k)] = string(v)
		}
	}
	settle(db)
	fired := ffs.Fired() > 0
	db.Close()
	crashed := mem.CrashClone(vfs.CrashOptions{})
	db2, err := Open(crashed, "/db", o)
	if err != nil {
		t.Fatalf("seed %d: fault %+v: reopen after the crash: %v", seed, f, err)
	}
	defer db2.Close()
	for k, v := range acked {
		got, err := db2.Get([]byte(k))
		if err != nil {
			t.Fatalf("seed %d: fault %+v: acknowledged %q lost: %v", seed, f, k, err)
		}
		if string(got) != v {
			// A later unacknowledged write may have reached the log.
			if _, ok := attempted[k+"="+string(got)]; !ok {
				t.Fatalf("seed %d: fault %+v: %q = %q, a value never written", seed, f, k, got)
			}
		}
	}
	check(t, seed, db2)
	return fired
}
