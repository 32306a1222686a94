package btree

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/vfs"
)

// stepFS wraps a MemFS and calls before(op, name) ahead of every operation
// that changes the file system, so a test can take a crash clone between
// any two steps of a checkpoint.
type stepFS struct {
	*vfs.MemFS
	before func(op, name string)
}

func (s *stepFS) step(op, name string) {
	if s.before != nil {
		s.before(op, name)
	}
}

func (s *stepFS) wrap(f vfs.File, err error, name string) (vfs.File, error) {
	if err != nil {
		return nil, err
	}
	return &stepFile{File: f, fs: s, name: name}, nil
}

func (s *stepFS) Create(name string, k vfs.Kind) (vfs.File, error) {
	s.step("create", name)
	f, err := s.MemFS.Create(name, k)
	return s.wrap(f, err, name)
}

func (s *stepFS) Open(name string, k vfs.Kind) (vfs.File, error) {
	f, err := s.MemFS.Open(name, k)
	return s.wrap(f, err, name)
}

func (s *stepFS) OpenReadWrite(name string, k vfs.Kind) (vfs.File, error) {
	f, err := s.MemFS.OpenReadWrite(name, k)
	return s.wrap(f, err, name)
}

func (s *stepFS) Remove(name string) error {
	s.step("remove", name)
	return s.MemFS.Remove(name)
}

func (s *stepFS) SyncDir(dir string) error {
	s.step("syncdir", dir)
	return s.MemFS.SyncDir(dir)
}

type stepFile struct {
	vfs.File
	fs   *stepFS
	name string
}

func (f *stepFile) Write(p []byte) (int, error) {
	f.fs.step("write", f.name)
	return f.File.Write(p)
}

func (f *stepFile) WriteAt(p []byte, off int64) (int, error) {
	f.fs.step(fmt.Sprintf("write@%d", off), f.name)
	return f.File.WriteAt(p, off)
}

func (f *stepFile) Sync() error {
	f.fs.step("sync", f.name)
	return f.File.Sync()
}

func (f *stepFile) Truncate(n int64) error {
	f.fs.step("truncate", f.name)
	return f.File.Truncate(n)
}

// fillSynced writes n random synced batches (values crossing the overflow
// threshold) and returns the model.
func fillSynced(t *testing.T, db *DB, r *rand.Rand, n int, m map[string]string, threshold int) {
	t.Helper()
	for i := 0; i < n; i++ {
		var b kv.Batch
		for j := r.IntN(4); j >= 0; j-- {
			k := fmt.Sprintf("key%05d", r.IntN(600))
			if r.IntN(4) == 0 {
				b.Delete([]byte(k))
				delete(m, k)
			} else {
				v := value(r, threshold)
				b.Put([]byte(k), []byte(v))
				m[k] = v
			}
		}
		if err := db.Write(&b, kv.WriteOptions{Sync: true}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestCrashAtEveryCheckpointStep takes a crash clone before every
// file-system change a checkpoint makes (page writes, the pages sync, the
// new log, the meta write and its sync, the old log's removal, the
// truncation) and after the last one, with and without a random part of
// the unsynced data, and checks that each clone opens to exactly the
// acknowledged (synced) state and passes the integrity check.
func TestCrashAtEveryCheckpointStep(t *testing.T) {
	for _, ps := range []int{1 << 10, 4 << 10} {
		s := seed(t)
		r := newRand(s)
		mem := vfs.NewMem()
		fs := &stepFS{MemFS: mem}
		o := Options{PageSize: ps, PoolSize: 1 << 20, CheckpointSize: 1 << 30}
		db, err := Open(fs, "/db", o)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		rounds := 3
		for round := 0; round < rounds; round++ {
			fillSynced(t, db, r, 150, m, o.threshold())
			type snap struct {
				step string
				fs   *vfs.MemFS
			}
			var snaps []snap
			fs.before = func(op, name string) {
				snaps = append(snaps, snap{"before " + op + " " + name, mem.CrashClone(vfs.CrashOptions{})})
				snaps = append(snaps, snap{"before " + op + " " + name + " (torn)", mem.CrashClone(vfs.CrashOptions{Rand: r})})
			}
			if err := db.Flush(); err != nil {
				t.Fatal(err)
			}
			fs.before = nil
			snaps = append(snaps, snap{"after the checkpoint", mem.CrashClone(vfs.CrashOptions{})})
			if len(snaps) < 10 {
				t.Fatalf("only %d steps seen in a checkpoint", len(snaps))
			}
			for _, sn := range snaps {
				ctx := fmt.Sprintf("seed %d page %d round %d: crash %s", s, ps, round, sn.step)
				cdb, err := Open(sn.fs, "/db", o)
				if err != nil {
					t.Fatalf("%s: open: %v", ctx, err)
				}
				verify(t, cdb, m, ctx)
				if err := cdb.Check(io.Discard); err != nil {
					t.Fatalf("%s: Check of the recovered checkpoint: %v", ctx, err)
				}
				mustCheck(t, cdb, ctx)
				if err := cdb.Close(); err != nil {
					t.Fatalf("%s: close: %v", ctx, err)
				}
			}
		}
		db.Close()
	}
}

// TestFaultAtEveryCheckpointStep fails each file-system change of a
// checkpoint in turn: the checkpoint (if the failed step mattered) returns
// an error, the store turns read-only (writes fail with kv.ErrReadOnly)
// but keeps serving reads, and after a crash it reopens with every
// acknowledged write.
func TestFaultAtEveryCheckpointStep(t *testing.T) {
	o := Options{PageSize: 1 << 10, PoolSize: 1 << 20, CheckpointSize: 1 << 30}
	s := seed(t)
	for step := 0; ; step++ {
		ctx := fmt.Sprintf("seed %d step %d", s, step)
		r := newRand(s)
		mem := vfs.NewMem()
		ffs := vfs.NewFaultFS(mem)
		db, err := Open(ffs, "/db", o)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		fillSynced(t, db, r, 200, m, o.threshold())
		ffs.Inject(vfs.Fault{Ops: vfs.OpMutating, After: step})
		err = db.Flush()
		if ffs.Fired() == 0 {
			db.Close()
			if step < 5 {
				t.Fatalf("%s: a checkpoint made only %d changes", ctx, step)
			}
			t.Logf("failed each of %d checkpoint steps", step)
			return // every step has been failed once
		}
		verify(t, db, m, ctx+" after the fault")
		if err != nil {
			if !errors.Is(err, kv.ErrReadOnly) {
				t.Fatalf("%s: checkpoint error %v does not wrap ErrReadOnly", ctx, err)
			}
			if werr := db.Put([]byte("new"), []byte("x")); !errors.Is(werr, kv.ErrReadOnly) {
				t.Fatalf("%s: write after a failed checkpoint: %v, want ErrReadOnly", ctx, werr)
			}
		}
		ffs.Clear()
		db.Close()
		for _, torn := range []bool{false, true} {
			co := vfs.CrashOptions{}
			if torn {
				co.Rand = r
			}
			cdb, err := Open(mem.CrashClone(co), "/db", o)
			if err != nil {
				t.Fatalf("%s: reopen: %v", ctx, err)
			}
			verify(t, cdb, m, ctx+" after reopen")
			mustCheck(t, cdb, ctx+" after reopen")
			cdb.Close()
		}
	}
}
