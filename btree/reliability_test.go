package btree

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
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
