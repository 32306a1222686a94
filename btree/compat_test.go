package btree

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"testing"

	"github.com/kvlab/kvlab/internal/storedir"
	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/vfs"
)

// Stores of format version 1, made by the code before bare overflow runs
// (tag pre-btperf), live in testdata/format1-*; testdata/README.md says
// how. compatOps is the rule that made them: the throwaway program that
// wrote them applied the same operations, so the model the tests compare
// with is computed here, not stored.

// compatOp is one write of the rule: a put, or a delete when del is set.
type compatOp struct {
	key, val []byte
	del      bool
}

const compatKeys = 600

func compatKey(i int) []byte { return fmt.Appendf(nil, "key%05d", i) }

// compatValue returns a value of n bytes: a readable prefix naming it,
// then a pattern that differs by key, position and tag.
func compatValue(tag string, i, n int) []byte {
	v := make([]byte, n)
	p := copy(v, fmt.Sprintf("%s/%d/%d:", tag, i, n))
	for j := p; j < n; j++ {
		v[j] = byte((i*31 + j*7 + len(tag)) % 251)
	}
	return v
}

// compatLen1 is the length of key i's value in phase 1: small, or above
// the 4 KiB pages' overflow threshold (1016 bytes): exactly 4 KiB for key
// 100, about 20 KiB for key 200, 2000-6999 bytes for every fiftieth key.
func compatLen1(i int) int {
	switch {
	case i == 100:
		return 4096
	case i == 200:
		return 20*1024 + 123
	case i%50 == 7:
		return 2000 + (i*37)%5000
	}
	return 10 + i%40
}

// compatOps returns the writes of phase 1 (both stores; checkpointed) or
// phase 2 (format1-crash only, after phase 1's checkpoint; left in the
// log): overwrites with small and overflow values, deletes of framed
// overflow values and of small ones, and new keys, some overflowing.
func compatOps(phase int) []compatOp {
	var ops []compatOp
	switch phase {
	case 1:
		for i := range compatKeys {
			ops = append(ops, compatOp{key: compatKey(i), val: compatValue("v1", i, compatLen1(i))})
		}
		for i := range compatKeys {
			if i%7 == 3 || i == 257 {
				ops = append(ops, compatOp{key: compatKey(i), del: true})
			}
		}
	case 2:
		for i := range compatKeys {
			switch {
			case i%11 == 5:
				n := 20 + i%30
				if i%3 == 0 {
					n = 3000 + i*5
				}
				ops = append(ops, compatOp{key: compatKey(i), val: compatValue("v2", i, n)})
			case i%50 == 7 && i%100 != 7:
				ops = append(ops, compatOp{key: compatKey(i), del: true})
			case i%13 == 6:
				ops = append(ops, compatOp{key: compatKey(i), del: true})
			}
		}
		for j := range 40 {
			n := 15 + j
			if j%8 == 1 {
				n = 4096 + j*100
			}
			ops = append(ops, compatOp{key: fmt.Appendf(nil, "new%04d", j), val: compatValue("n2", j, n)})
		}
	}
	return ops
}

// compatModel applies the writes of phases 1..phases to an empty model.
func compatModel(phases int) map[string]string {
	m := map[string]string{}
	for p := 1; p <= phases; p++ {
		for _, o := range compatOps(p) {
			if o.del {
				delete(m, string(o.key))
			} else {
				m[string(o.key)] = string(o.val)
			}
		}
	}
	return m
}

// copyStore copies the files of store directory src to a new temporary
// directory and returns it.
func copyStore(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	ents, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// readDirFiles returns every file of dir by name.
func readDirFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files[e.Name()] = b
	}
	return files
}

// storeVersions returns the format version of each valid meta slot of the
// store in dir (0 for a slot that is not valid) and the newest one's.
func storeVersions(t *testing.T, dir string) (slots [2]uint32, newest uint32) {
	t.Helper()
	f, err := vfs.Default.Open(filepath.Join(dir, metaFileName), vfs.KindBTreeMeta)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ms, errs, err := readMetaSlots(f)
	if err != nil {
		t.Fatal(err)
	}
	for i := range ms {
		if errs[i] == nil {
			slots[i] = ms[i].version
		}
	}
	m, ok := newestMeta(ms, errs)
	if !ok {
		t.Fatalf("%s: no valid meta slot (%v; %v)", dir, errs[0], errs[1])
	}
	return slots, m.version
}

// storeMarker returns the store marker of dir.
func storeMarker(t *testing.T, dir string) storedir.Marker {
	t.Helper()
	mk, found, err := storedir.Read(vfs.Default, dir)
	if err != nil || !found {
		t.Fatalf("%s: marker: found %v, %v", dir, found, err)
	}
	return mk
}

// checkStore runs the integrity check of the last checkpoint.
func checkStore(t *testing.T, db *DB, ctx string) {
	t.Helper()
	var out bytes.Buffer
	if err := db.Check(&out); err != nil {
		t.Fatalf("%s: Check: %v\n%s", ctx, err, out.String())
	}
}

// verifyBothWays is verify plus the values of a reverse scan.
func verifyBothWays(t *testing.T, db reader, m map[string]string, ctx string) {
	t.Helper()
	verify(t, db, m, ctx)
	it, err := db.NewIterator(kv.IterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	n := 0
	for ok := it.Last(); ok; ok = it.Prev() {
		if want, ok := m[string(it.Key())]; !ok || string(it.Value()) != want {
			t.Fatalf("%s: reverse scan: %.20q has a value of %d bytes, want %d (in model: %v)", ctx, it.Key(), len(it.Value()), len(want), ok)
		}
		n++
	}
	if n != len(m) {
		t.Fatalf("%s: reverse scan saw %d keys, want %d", ctx, n, len(m))
	}
}

func TestCompatFormat1Stores(t *testing.T) {
	for _, tc := range []struct {
		dir    string
		phases int // writes in the store: phase 1, or phase 1 and 2 (the latter in the log)
	}{
		{"format1-clean", 1},
		{"format1-crash", 2},
	} {
		t.Run(tc.dir, func(t *testing.T) {
			src := filepath.Join("testdata", tc.dir)
			if _, v := storeVersions(t, src); v != 1 {
				t.Fatalf("%s: newest meta page is of version %d, want 1", src, v)
			}
			m := compatModel(tc.phases)

			t.Run("read-only", func(t *testing.T) {
				dir := copyStore(t, src)
				before := readDirFiles(t, dir)
				o := DefaultOptions()
				o.ReadOnly = true
				db, err := Open(vfs.Default, dir, o)
				if err != nil {
					t.Fatalf("read-only open: %v", err)
				}
				verifyBothWays(t, db, m, tc.dir+" read-only")
				checkStore(t, db, tc.dir+" read-only")
				if err := db.Put([]byte("x"), []byte("y")); err == nil {
					t.Fatal("a write to a read-only store succeeded")
				}
				if err := db.Close(); err != nil {
					t.Fatal(err)
				}
				after := readDirFiles(t, dir)
				if !maps.EqualFunc(before, after, bytes.Equal) {
					t.Fatalf("read-only open of a version-1 store changed its files: %d files before, %d after", len(before), len(after))
				}
			})

			dir := copyStore(t, src)
			o := DefaultOptions()
			o.PoolSize = 1 << 20
			db, err := Open(vfs.Default, dir, o)
			if err != nil {
				t.Fatalf("open: %v", err)
			}
			checkStore(t, db, tc.dir+" as found")
			verifyBothWays(t, db, m, tc.dir+" as found")

			// More writes: overflow values (now bare runs) beside the
			// framed ones, overwrites and deletes of framed values, and a
			// range delete across some.
			b := &kv.Batch{}
			for i := 0; i < compatKeys; i += 9 {
				k := compatKey(i)
				switch {
				case i%4 == 0:
					v := compatValue("v3", i, 1500+i*11)
					b.Put(k, v)
					m[string(k)] = string(v)
				case i%4 == 1:
					b.Delete(k)
					delete(m, string(k))
				default:
					v := compatValue("v3", i, 5+i%20)
					b.Put(k, v)
					m[string(k)] = string(v)
				}
			}
			for _, i := range []int{57, 200} { // framed values overwritten in place
				v := compatValue("v3", i, 4096)
				b.Put(compatKey(i), v)
				m[string(compatKey(i))] = string(v)
			}
			lo, hi := compatKey(300), compatKey(360) // holds framed runs 307 and 357
			b.DeleteRange(lo, hi)
			for k := range m {
				if k >= string(lo) && k < string(hi) {
					delete(m, k)
				}
			}
			if err := db.Write(b, kv.WriteOptions{}); err != nil {
				t.Fatal(err)
			}
			verifyBothWays(t, db, m, tc.dir+" after more writes")
			if mk := storeMarker(t, dir); mk.Format != 1 {
				t.Fatalf("before the first checkpoint the marker says format %d, want 1", mk.Format)
			}

			if err := db.Flush(); err != nil {
				t.Fatalf("checkpoint: %v", err)
			}
			slots, v := storeVersions(t, dir)
			if v != FormatVersion {
				t.Fatalf("after the checkpoint the newest meta page is of version %d (slots %v), want %d", v, slots, FormatVersion)
			}
			// The other slot still holds the version-1 checkpoint, and a
			// version-1 build calls a store whose meta pages it cannot read
			// corrupt: the marker must make it refuse the store first, as
			// its directory check (the same storedir.Check) does here.
			if mk := storeMarker(t, dir); mk.Format != FormatVersion {
				t.Fatalf("after the upgrading checkpoint the marker says format %d, want %d", mk.Format, FormatVersion)
			}
			if _, err := storedir.Check(vfs.Default, dir, Name, 1, ownFile, storedir.Mode{}); !errors.Is(err, kv.ErrUnsupportedVersion) {
				t.Fatalf("a version-1 build's directory check of the upgraded store: %v, want kv.ErrUnsupportedVersion", err)
			}
			checkStore(t, db, tc.dir+" upgraded")
			verifyBothWays(t, db, m, tc.dir+" upgraded")
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}

			db, err = Open(vfs.Default, dir, o)
			if err != nil {
				t.Fatalf("reopen after the upgrade: %v", err)
			}
			checkStore(t, db, tc.dir+" reopened")
			verifyBothWays(t, db, m, tc.dir+" reopened")
			// Compact moves the runs lying high in the file, framed ones
			// among them, to bare runs lower down.
			if err := db.Compact(nil, nil); err != nil {
				t.Fatalf("compact: %v", err)
			}
			checkStore(t, db, tc.dir+" compacted")
			verifyBothWays(t, db, m, tc.dir+" compacted")
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			if slots, _ := storeVersions(t, dir); slots != [2]uint32{FormatVersion, FormatVersion} {
				t.Fatalf("after three more checkpoints the meta slots are of versions %v, want both %d", slots, FormatVersion)
			}
			db, err = Open(vfs.Default, dir, o)
			if err != nil {
				t.Fatalf("reopen after compaction: %v", err)
			}
			checkStore(t, db, tc.dir+" reopened after compaction")
			verifyBothWays(t, db, m, tc.dir+" reopened after compaction")
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
		})
	}
}
