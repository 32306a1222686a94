package lsm

import (
	"bytes"
	"errors"
	"io/fs"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"

	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/lsm/manifest"
	"github.com/kvlab/kvlab/vfs"
	"github.com/kvlab/kvlab/wal"
)

// Tests for the reliability fixes of issue 13 (items 1-4 and 6). Each one
// fails without its fix.

func listType(t *testing.T, fsys vfs.FS, dir string, typ manifest.FileType) []uint64 {
	t.Helper()
	names, err := fsys.List(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []uint64
	for _, n := range names {
		if ty, num, ok := manifest.ParseFileName(n); ok && ty == typ {
			out = append(out, num)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

func readAll(t *testing.T, fsys vfs.FS, name string) []byte {
	t.Helper()
	b, err := vfs.ReadFile(fsys, name, vfs.KindWAL)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func writeAll(t *testing.T, fsys vfs.FS, name string, data []byte) {
	t.Helper()
	f, err := fsys.Create(name, vfs.KindWAL)
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

// fillStore writes n keys to a tiny-options store on mem and closes it.
func fillStore(t *testing.T, mem *vfs.MemFS, dir string, n int) model {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	db := mustOpen(t, mem, dir, tinyOptions())
	m := model{}
	for i := range n {
		k, v := key(rng.IntN(n)), value(rng, 100)
		if err := db.Put(k, v); err != nil {
			t.Fatal(err)
		}
		m[string(k)] = string(v)
		_ = i
	}
	waitIdle(t, db)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return m
}

// openOutcome opens dir and requires either an error wrapping
// kv.ErrCorruption that names wantFile, or a store holding exactly m.
func openOutcome(t *testing.T, fsys vfs.FS, dir string, m model, wantFile string) (corrupt bool) {
	t.Helper()
	db, err := Open(fsys, dir, tinyOptions())
	if err != nil {
		if !errors.Is(err, kv.ErrCorruption) || !strings.Contains(err.Error(), wantFile) {
			t.Fatalf("Open: %v; want a corruption naming %s", err, wantFile)
		}
		return true
	}
	defer db.Close()
	verify(t, 0, db, m)
	return false
}

// TestDamagedManifestTailKeepsTables (item 1): zeroing the last bytes of
// the MANIFEST must not make Open delete the tables that only the lost
// edits name; Open must report corruption naming the manifest.
func TestDamagedManifestTailKeepsTables(t *testing.T) {
	mem := vfs.NewMem()
	m := fillStore(t, mem, "db", 3000)
	num, err := manifest.ReadCurrent(mem, "db")
	if err != nil {
		t.Fatal(err)
	}
	mname := manifest.ManifestFileName("db", num)
	tables := listType(t, mem, "db", manifest.TypeTable)
	corrupt := 0
	for _, n := range []int{18, 24, 32, 40, 48, 64, 100, 200} {
		c := mem.Clone()
		data := readAll(t, c, mname)
		if n > len(data)-40 {
			continue
		}
		clear(data[len(data)-n:])
		writeAll(t, c, mname, data)
		if openOutcome(t, c, "db", m, vfs.Base(mname)) {
			corrupt++
			if got := listType(t, c, "db", manifest.TypeTable); len(got) != len(tables) {
				t.Fatalf("zeroed %d bytes: Open failed but deleted tables: %d before, %d after", n, len(tables), len(got))
			}
		}
	}
	if corrupt == 0 {
		t.Fatal("no damaged manifest was reported")
	}
}

// blockFlushes holds the manifest lock so that flushes write their tables
// but cannot record them: the logs of immutable memtables stay live. It
// returns the function that releases it.
func blockFlushes(db *DB) func() {
	db.manifestMu.Lock()
	return db.manifestMu.Unlock
}

// storeWithLogs returns a crashed store (synced data only) with at least
// three WALs holding records, and the model of its synced writes.
func storeWithLogs(t *testing.T) (*vfs.MemFS, model) {
	t.Helper()
	mem := vfs.NewMem()
	o := tinyOptions()
	o.MaxImmutableMemtables = 4
	db := mustOpen(t, mem, "db", o)
	release := blockFlushes(db)
	rng := rand.New(rand.NewPCG(3, 4))
	m := model{}
	for i := 0; len(listType(t, mem, "db", manifest.TypeLog)) < 3; i++ {
		k, v := key(i), value(rng, 200)
		if err := db.Put(k, v); err != nil {
			t.Fatal(err)
		}
		m[string(k)] = string(v)
	}
	for i := range 10 {
		k, v := key(1_000_000+i), value(rng, 200)
		if err := db.Put(k, v); err != nil {
			t.Fatal(err)
		}
		m[string(k)] = string(v)
	}
	if err := db.Sync(); err != nil {
		t.Fatal(err)
	}
	crashed := mem.CrashClone(vfs.CrashOptions{})
	release()
	db.Close()
	return crashed, m
}

// recordStarts returns the start offset of every record in a log.
func recordStarts(t *testing.T, fsys vfs.FS, name string, num uint64) []int64 {
	t.Helper()
	var starts []int64
	if _, err := wal.Replay(fsys, name, num, wal.ReaderOptions{}, func(_ []byte, p wal.Pos) error {
		starts = append(starts, p.Offset)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return starts
}

// TestDamagedOlderWAL (item 2): damage in the last record of a WAL that
// is not the newest is corruption, not a torn tail; and a log that ends
// cleanly but early (records missing at its end) is caught by the
// sequence numbers that must continue into the next log.
func TestDamagedOlderWAL(t *testing.T) {
	crashed, m := storeWithLogs(t)
	logs := listType(t, crashed, "db", manifest.TypeLog)
	if len(logs) < 3 {
		t.Fatalf("want 3 logs, have %v", logs)
	}
	// Sanity: the undamaged crashed store holds every synced write.
	if openOutcome(t, crashed.Clone(), "db", m, "") {
		t.Fatal("the undamaged store does not open")
	}
	older := logs[len(logs)-2]
	name := manifest.LogFileName("db", older)
	starts := recordStarts(t, crashed, name, older)
	data := readAll(t, crashed, name)
	cases := map[string][]byte{
		"torn last record":        data[:len(data)-5],
		"flipped last record":     append(bytes.Clone(data[:len(data)-3]), data[len(data)-3]^0xff, data[len(data)-2], data[len(data)-1]),
		"cut at a record (clean)": data[:starts[len(starts)-1]],
	}
	for what, d := range cases {
		c := crashed.Clone()
		writeAll(t, c, name, d)
		db, err := Open(c, "db", tinyOptions())
		if err == nil {
			db.Close()
			t.Fatalf("%s of older WAL %06d: Open succeeded", what, older)
		}
		if !errors.Is(err, kv.ErrCorruption) || !strings.Contains(err.Error(), ".log") {
			t.Fatalf("%s: Open: %v; want a corruption naming a WAL", what, err)
		}
		t.Logf("%s: %v", what, err)
	}
}

// TestTornNewestWALThenCrashInRecovery: the newest log of a crashed store
// may end torn; recovery cuts the tail off before it starts a newer log, so
// a crash during recovery does not leave an older log ending torn.
func TestTornNewestWALThenCrashInRecovery(t *testing.T) {
	crashed, m := storeWithLogs(t)
	logs := listType(t, crashed, "db", manifest.TypeLog)
	newest := logs[len(logs)-1]
	name := manifest.LogFileName("db", newest)
	starts := recordStarts(t, crashed, name, newest)
	data := readAll(t, crashed, name)
	writeAll(t, crashed, name, data[:len(data)-3])
	// The last record (key 1_000_009) is torn away.
	lastKey := string(key(1_000_009))
	delete(m, lastKey)
	_ = starts
	// Crash in recovery after the new log exists but before the manifest
	// names it: fail every manifest write.
	ffs := vfs.NewFaultFS(crashed)
	ffs.Inject(vfs.Fault{Ops: vfs.OpWrite | vfs.OpSync | vfs.OpCreate, Kind: vfs.KindManifest, Persist: true})
	if db, err := Open(ffs, "db", tinyOptions()); err == nil {
		db.Close()
		t.Fatal("Open succeeded with a failing manifest")
	}
	again := crashed.CrashClone(vfs.CrashOptions{})
	if openOutcome(t, again, "db", m, "") {
		t.Fatal("the store does not reopen after a crash in recovery")
	}
}

// TestCleanCloseLeavesWALsEmpty (item 3): after a clean Close the WALs hold
// no record, so damage to a log's tail found later costs nothing.
func TestCleanCloseLeavesWALsEmpty(t *testing.T) {
	mem := vfs.NewMem()
	db := mustOpen(t, mem, "db", DefaultOptions())
	m := model{}
	for i := range 100 {
		k, v := key(i), []byte("value")
		if err := db.Put(k, v); err != nil {
			t.Fatal(err)
		}
		m[string(k)] = string(v)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	for _, num := range listType(t, mem, "db", manifest.TypeLog) {
		name := manifest.LogFileName("db", num)
		if n := len(recordStarts(t, mem, name, num)); n != 0 {
			t.Fatalf("after Close, WAL %06d holds %d records", num, n)
		}
		c := mem.Clone()
		data := readAll(t, c, name)
		writeAll(t, c, name, data[:len(data)-1])
		openOutcome(t, c, "db", m, vfs.Base(name))
	}
}

// TestCloseReturnsBackgroundError (item 4): once a flush failed and the
// store turned read-only, Close must say so.
func TestCloseReturnsBackgroundError(t *testing.T) {
	ffs := vfs.NewFaultFS(vfs.NewMem())
	db := mustOpen(t, ffs, "db", tinyOptions())
	ffs.Inject(vfs.Fault{Ops: vfs.OpCreate, Kind: vfs.KindSSTable, Persist: true})
	rng := rand.New(rand.NewPCG(5, 6))
	for i := 0; ; i++ {
		if err := db.Put(key(i), value(rng, 100)); err != nil {
			if !errors.Is(err, kv.ErrReadOnly) {
				t.Fatalf("Put: %v", err)
			}
			break
		}
		if i > 100000 {
			t.Fatal("the flush fault never surfaced")
		}
	}
	err := db.Close()
	if err == nil || !errors.Is(err, kv.ErrReadOnly) {
		t.Fatalf("Close = %v; want the sticky error wrapping kv.ErrReadOnly", err)
	}
}

// TestSmallGaps (item 6): Key/Value of an unpositioned or exhausted
// iterator, Write(nil), a NaN level ratio, permission denied on LOCK.
func TestSmallGaps(t *testing.T) {
	mem := vfs.NewMem()
	db := mustOpen(t, mem, "db", tinyOptions())
	if err := db.Put([]byte("a"), []byte("1")); err != nil {
		t.Fatal(err)
	}
	it, err := db.NewIterator(kv.IterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if it.Key() != nil || it.Value() != nil {
		t.Fatal("unpositioned iterator: Key/Value not nil")
	}
	for ok := it.First(); ok; ok = it.Next() {
	}
	if it.Key() != nil || it.Value() != nil {
		t.Fatal("exhausted iterator: Key/Value not nil")
	}
	if it.Last(); it.Prev() {
		t.Fatal("Prev before the first key")
	}
	if it.Key() != nil || it.Value() != nil {
		t.Fatal("iterator exhausted backwards: Key/Value not nil")
	}
	it.Close()
	if err := db.Write(nil, kv.WriteOptions{}); !errors.Is(err, kv.ErrNilBatch) {
		t.Fatalf("Write(nil) = %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	for _, r := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		o := DefaultOptions()
		o.LevelRatio = r
		if err := o.Validate(); err == nil {
			t.Fatalf("level ratio %v accepted", r)
		}
	}

	ffs := vfs.NewFaultFS(mem)
	ffs.Inject(vfs.Fault{Ops: vfs.OpLock, Err: fs.ErrPermission})
	_, err = Open(ffs, "db", tinyOptions())
	if !errors.Is(err, fs.ErrPermission) || strings.Contains(err.Error(), "in use") {
		t.Fatalf("Open with LOCK not permitted: %v", err)
	}
}

// TestCheckSeesGapBetweenLogs (item 2): Check reads the logs recovery would
// replay and reports one that ends early (at a record boundary), which only
// the sequence numbers continuing into the next log reveal.
func TestCheckSeesGapBetweenLogs(t *testing.T) {
	mem := vfs.NewMem()
	o := tinyOptions()
	o.MaxImmutableMemtables = 4
	db := mustOpen(t, mem, "db", o)
	release := blockFlushes(db)
	rng := rand.New(rand.NewPCG(7, 8))
	for i := 0; len(listType(t, mem, "db", manifest.TypeLog)) < 4; i++ {
		if err := db.Put(key(i), value(rng, 200)); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := db.Check(&buf); err != nil {
		t.Fatalf("Check before the damage: %v", err)
	}
	logs := listType(t, mem, "db", manifest.TypeLog)
	older := logs[0]
	name := manifest.LogFileName("db", older)
	starts := recordStarts(t, mem, name, older)
	data := readAll(t, mem, name)
	writeAll(t, mem, name, data[:starts[len(starts)-1]])
	err := db.Check(&buf)
	release()
	db.Close()
	if !errors.Is(err, kv.ErrCorruption) {
		t.Fatalf("Check after cutting the last record of WAL %06d: %v", older, err)
	}
	t.Log(err)
}
