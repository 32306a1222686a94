package btree

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"strings"
	"testing"

	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/vfs"
)

// rewriteMeta replaces the meta file's content.
func rewriteMeta(t *testing.T, fs vfs.FS, data []byte) {
	t.Helper()
	f, err := fs.Create("/db/"+metaFileName, vfs.KindBTreeMeta)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := f.Sync(); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

func removeLogs(t *testing.T, fs vfs.FS) {
	t.Helper()
	names, err := fs.List("/db")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if _, ok := parseWalName(n); ok {
			if err := fs.Remove("/db/" + n); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestNoValidMetaIsNotANewStore (issue 13 item 5): a store whose meta
// slots are all invalid and that has no WAL must not be recreated empty.
// Zeroed or truncated-to-garbage meta is corruption; an intact meta page of
// a newer format version is kv.ErrUnsupportedVersion; only an absent or
// empty meta file (with at most one page written) means a new store.
func TestNoValidMetaIsNotANewStore(t *testing.T) {
	o := DefaultOptions()
	mem := vfs.NewMem()
	buildStore(t, mem, o, 300)
	removeLogs(t, mem)
	metaName := "/db/" + metaFileName
	orig, err := vfs.ReadFile(mem, metaName, vfs.KindBTreeMeta)
	if err != nil {
		t.Fatal(err)
	}
	pagesBefore, _ := mem.Stat("/db/" + pagesFileName)

	newer := append([]byte(nil), orig...)
	for slot := range 2 {
		b := newer[slot*metaSlotSize:]
		binary.LittleEndian.PutUint32(b[8:], formatVersion+1)
		binary.LittleEndian.PutUint32(b[112:], crc32.Checksum(b[:112], crcTable))
	}
	cases := []struct {
		name string
		data []byte
		want error
	}{
		{"zeroed", make([]byte, len(orig)), kv.ErrCorruption},
		{"empty with data pages", nil, kv.ErrCorruption},
		{"newer version", newer, kv.ErrUnsupportedVersion},
	}
	for _, c := range cases {
		fs := mem.Clone()
		rewriteMeta(t, fs, c.data)
		for _, open := range []func() error{
			func() error {
				db, err := Open(fs, "/db", o)
				if err == nil {
					db.Close()
				}
				return err
			},
		} {
			err := open()
			if !errors.Is(err, c.want) {
				t.Fatalf("%s meta: Open = %v; want %v", c.name, err, c.want)
			}
		}
		if st, _ := fs.Stat("/db/" + pagesFileName); st.Size() != pagesBefore.Size() {
			t.Fatalf("%s meta: Open changed the pages file from %d to %d bytes", c.name, pagesBefore.Size(), st.Size())
		}
		t.Logf("%s: ok", c.name)
	}

	// A new store: no meta file at all, or an empty one beside at most one
	// page, as a creation that crashed leaves it.
	fresh := vfs.NewMem()
	if err := fresh.MkdirAll("/db"); err != nil {
		t.Fatal(err)
	}
	rewriteMeta(t, fresh, nil)
	db, err := Open(fresh, "/db", o)
	if err != nil {
		t.Fatalf("Open over an empty meta file: %v", err)
	}
	if err := db.Write(nil, kv.WriteOptions{}); !errors.Is(err, kv.ErrNilBatch) {
		t.Fatalf("Write(nil) = %v", err)
	}
	db.Close()
}

// TestCreateCrashLeavesNoHalfMeta: a crash at any point of creating a store
// leaves one that opens as new (or as created), never as corrupt.
func TestCreateCrashLeavesNoHalfMeta(t *testing.T) {
	for after := 0; ; after++ {
		mem := vfs.NewMem()
		ffs := vfs.NewFaultFS(mem)
		ffs.Inject(vfs.Fault{Ops: vfs.OpMutating, After: after, Persist: true})
		db, err := Open(ffs, "/db", DefaultOptions())
		if err == nil {
			db.Close()
			return
		}
		c := mem.CrashClone(vfs.CrashOptions{})
		db, err = Open(c, "/db", DefaultOptions())
		if err != nil {
			t.Fatalf("crash after %d operations of create: reopen: %v", after, err)
		}
		db.Close()
	}
}

// TestReadFaultAtEveryStep fails each read of the pages and meta files in
// turn — while writes descend the tree through a tiny buffer pool, during a
// checkpoint, and during the replay of Open — and checks that the failure
// is reported, nothing acknowledged is lost on reopen, and Check passes.
func TestReadFaultAtEveryStep(t *testing.T) {
	o := Options{PageSize: 1 << 10, PoolSize: 16 << 10, CheckpointSize: 1 << 30}
	s := seed(t)
	fired := 0
	maxStep := 400
	if testing.Short() {
		maxStep = 120
	}
	for step := 0; step < maxStep; step += 1 + step/20 {
		ctx := fmt.Sprintf("seed %d step %d", s, step)
		r := newRand(s)
		mem := vfs.NewMem()
		db, err := Open(mem, "/db", o)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		fillSynced(t, db, r, 150, m, o.threshold())
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		// Reopen on a faulty disk: the fault may hit the replay, later
		// writes, or the checkpoint of Close.
		ffs := vfs.NewFaultFS(mem)
		ffs.Inject(vfs.Fault{Ops: vfs.OpRead, After: step})
		db, err = Open(ffs, "/db", o)
		var failedK, failedV string // a failed write may or may not survive: it was logged
		if err == nil {
			for i := 0; i < 100; i++ {
				k, v := fmt.Sprintf("key%05d", r.IntN(600)), fmt.Sprintf("v%d-%d", step, i)
				if i%10 == 0 {
					v = strings.Repeat(v, 200)
				}
				if err := db.Write(batch(k, v), kv.WriteOptions{Sync: true}); err != nil {
					failedK, failedV = k, v
					break
				}
				m[k] = v
			}
			cerr := db.Flush()
			if clerr := db.Close(); ffs.Fired() > 0 && failedK != "" && (cerr == nil || clerr == nil) {
				t.Fatalf("%s: a write failed (%s) but Checkpoint (%v) or Close (%v) returned nil", ctx, failedK, cerr, clerr)
			}
		}
		if ffs.Fired() > 0 {
			fired++
		}
		cdb, err := Open(mem.CrashClone(vfs.CrashOptions{}), "/db", o)
		if err != nil {
			t.Fatalf("%s: reopen: %v", ctx, err)
		}
		if failedK != "" {
			if v, err := cdb.Get([]byte(failedK)); err == nil && string(v) == failedV {
				m[failedK] = failedV
			}
		}
		verify(t, cdb, m, ctx+" after reopen")
		mustCheck(t, cdb, ctx+" after reopen")
		cdb.Close()
	}
	if fired < 10 {
		t.Fatalf("the read fault fired in %d trials only", fired)
	}
	t.Logf("the read fault fired in %d trials", fired)
}

func batch(k, v string) *kv.Batch {
	var b kv.Batch
	b.Put([]byte(k), []byte(v))
	return &b
}
