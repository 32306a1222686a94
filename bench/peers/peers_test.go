package peers

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/kvlab/kvlab"
	"github.com/kvlab/kvlab/knob/knobtest"
	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/vfs"
)

func mustOpen(t *testing.T, name, dir string, settings map[string]string) kv.Engine {
	t.Helper()
	db, err := openPeer(name, dir, settings)
	if err != nil {
		t.Fatalf("open %s: %v", name, err)
	}
	return db
}

func put(t *testing.T, db kv.Engine, k, v string) {
	t.Helper()
	if err := db.Put([]byte(k), []byte(v)); err != nil {
		t.Fatalf("Put(%q): %v", k, err)
	}
}

func wantGet(t *testing.T, db kv.Engine, k, want string) {
	t.Helper()
	v, err := db.Get([]byte(k))
	if err != nil || v == nil || string(v) != want {
		t.Fatalf("Get(%q) = %.20q, %v; want %.20q", k, v, err, want)
	}
}

func wantMiss(t *testing.T, db kv.Engine, k string) {
	t.Helper()
	if v, err := db.Get([]byte(k)); !errors.Is(err, kv.ErrNotFound) {
		t.Fatalf("Get(%q) = %.20q, %v; want ErrNotFound", k, v, err)
	}
}

func TestRegistered(t *testing.T) {
	for _, pc := range peerCases {
		info, err := kvlab.Lookup(pc.name)
		if err != nil {
			t.Fatal(err)
		}
		if !info.Peer || !info.Persistent || len(info.Knobs()) == 0 || !strings.Contains(info.Description, " v") {
			t.Errorf("%s registered as %+v", pc.name, info)
		}
	}
}

// TestEmptyKeyInTables writes the empty key with a value larger than a
// block, then enough to flush it into tables, and reads it back after a
// reopen: Pebble's table writer panics on such a block without the key
// prefix.
func TestEmptyKeyInTables(t *testing.T) {
	for _, pc := range peerCases {
		t.Run(pc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			db := mustOpen(t, pc.name, dir, smallSettings[pc.name])
			big := strings.Repeat("e", 10000)
			put(t, db, "", big)
			val := strings.Repeat("v", 1000)
			for i := 0; i < 3000; i++ {
				put(t, db, fmt.Sprintf("key/%05d", i), val)
			}
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			db = mustOpen(t, pc.name, dir, smallSettings[pc.name])
			defer db.Close()
			wantGet(t, db, "", big)
			it, err := db.NewIterator(kv.IterOptions{})
			if err != nil {
				t.Fatal(err)
			}
			defer it.Close()
			if !it.First() || len(it.Key()) != 0 || string(it.Value()) != big {
				t.Fatalf("First = %q, want the empty key", it.Key())
			}
			if !it.Next() || string(it.Key()) != "key/00000" {
				t.Fatalf("Next = %q, want key/00000", it.Key())
			}
			if it.Prev(); !it.Valid() || len(it.Key()) != 0 || it.Prev() {
				t.Fatalf("Prev from key/00000 does not end at the empty key")
			}
			if it.SeekLT(nil) || it.SeekLT([]byte{}) {
				t.Fatalf("SeekLT(empty) found %q; nothing sorts before the empty key", it.Key())
			}
		})
	}
}

// TestBboltGroups checks that buffered writes are read back before their
// group commits, by Get (from the buffer) and by iterators (which commit
// the group), and that a batch commits at once.
func TestBboltGroups(t *testing.T) {
	db := mustOpen(t, Bbolt, t.TempDir(), map[string]string{"batch-size": "1000"})
	defer db.Close()
	e := db.(*boltEngine)
	buffered := func() int {
		e.pmu.RLock()
		defer e.pmu.RUnlock()
		return e.ops
	}
	put(t, db, "a", "1")
	put(t, db, "b", "2")
	if err := db.Sync(); err != nil { // commits a and b
		t.Fatal(err)
	}
	put(t, db, "a", "1-new")
	if err := db.Delete([]byte("b")); err != nil {
		t.Fatal(err)
	}
	put(t, db, "c", "")
	if buffered() != 3 || e.commits.Load() != 1 { // Sync's
		t.Fatalf("%d writes buffered, %d commits; want 3 and 1", buffered(), e.commits.Load())
	}
	wantGet(t, db, "a", "1-new") // from the buffer
	wantMiss(t, db, "b")         // deleted in the buffer, present in the file
	wantGet(t, db, "c", "")
	if got := db.Stats().Extra["bbolt.buffered_ops"]; got != 3 {
		t.Fatalf("Stats: buffered_ops %v, want 3", got)
	}
	it, err := db.NewIterator(kv.IterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for ok := it.First(); ok; ok = it.Next() {
		keys = append(keys, string(it.Key())+"="+string(it.Value()))
	}
	it.Close()
	if fmt.Sprint(keys) != "[a=1-new c=]" || buffered() != 0 {
		t.Fatalf("iterator saw %v with %d writes still buffered", keys, buffered())
	}
	wantGet(t, db, "c", "") // from the file: an empty value is not a miss

	// A full group commits by itself.
	before := e.commits.Load()
	for i := 0; i < 1000; i++ {
		put(t, db, fmt.Sprintf("k%04d", i), "v")
	}
	if buffered() != 0 || e.commits.Load() != before+1 {
		t.Fatalf("after 1000 puts: %d buffered, %d commits (want 0, %d)", buffered(), e.commits.Load(), before+1)
	}
	// A batch joins the group and commits with it.
	put(t, db, "single", "s")
	var b kv.Batch
	b.Put([]byte("x"), []byte("1"))
	b.Delete([]byte("k0000"))
	if err := db.Write(&b, kv.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if buffered() != 0 {
		t.Fatalf("a Write left %d writes buffered", buffered())
	}
	wantGet(t, db, "single", "s")
	wantGet(t, db, "x", "1")
	wantMiss(t, db, "k0000")
}

// TestIteratorOutlivesEngine closes an engine under an open iterator.
func TestIteratorOutlivesEngine(t *testing.T) {
	for _, pc := range peerCases {
		t.Run(pc.name, func(t *testing.T) {
			db := mustOpen(t, pc.name, t.TempDir(), nil)
			put(t, db, "a", "1")
			put(t, db, "b", "2")
			it, err := db.NewIterator(kv.IterOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if !it.First() {
				t.Fatal("First found nothing")
			}
			if err := db.Close(); err != nil {
				t.Fatalf("Close with an open iterator: %v", err)
			}
			if it.Next() || it.Valid() || it.Key() != nil || !errors.Is(it.Err(), kv.ErrClosed) {
				t.Fatalf("iterator after engine Close: valid %v, err %v", it.Valid(), it.Err())
			}
			if err := it.Close(); !errors.Is(err, kv.ErrClosed) {
				t.Fatalf("iterator Close after engine Close: %v", err)
			}
			if err := it.Close(); !errors.Is(err, kv.ErrClosed) {
				t.Fatalf("second iterator Close: %v", err)
			}
			if err := db.Close(); !errors.Is(err, kv.ErrClosed) {
				t.Fatalf("second Close: %v", err)
			}
			_ = db.Stats()
		})
	}
}

// TestKeyLimits checks each engine's own key limit, in single writes and
// in a batch, which must then apply nothing.
func TestKeyLimits(t *testing.T) {
	limits := map[string]int{Pebble: kv.MaxKeySize, GoLevelDB: kv.MaxKeySize, Badger: badgerKeyLimit, Bbolt: boltKeyLimit}
	for _, pc := range peerCases {
		t.Run(pc.name, func(t *testing.T) {
			db := mustOpen(t, pc.name, t.TempDir(), nil)
			defer db.Close()
			limit := limits[pc.name]
			ok := bytes.Repeat([]byte("k"), limit)
			if err := db.Put(ok, []byte("v")); err != nil {
				t.Fatalf("Put of a %d-byte key: %v", limit, err)
			}
			long := append(ok, 'k')
			var se *kv.SizeError
			if err := db.Put(long, nil); !errors.Is(err, kv.ErrKeyTooLarge) || !errors.As(err, &se) || se.Limit != limit {
				t.Fatalf("Put of a %d-byte key: %v; want ErrKeyTooLarge with limit %d", len(long), err, limit)
			}
			var b kv.Batch
			b.Put([]byte("first"), []byte("1"))
			b.Delete(long)
			if err := db.Write(&b, kv.WriteOptions{}); !errors.Is(err, kv.ErrKeyTooLarge) {
				t.Fatalf("Write with a %d-byte key: %v", len(long), err)
			}
			wantMiss(t, db, "first")
		})
	}
}

// TestBadgerTxnTooBig: a batch beyond Badger's transaction size fails
// whole.
func TestBadgerTxnTooBig(t *testing.T) {
	db := mustOpen(t, Badger, t.TempDir(), map[string]string{"memtable-size": "1MiB"})
	defer db.Close()
	var b kv.Batch
	val := bytes.Repeat([]byte("v"), 1000)
	for i := 0; i < 400; i++ { // 400 KB inline, over 15 % of 1 MiB
		b.Put([]byte(fmt.Sprintf("k%04d", i)), val)
	}
	if err := db.Write(&b, kv.WriteOptions{}); err == nil {
		t.Fatal("a 400 KB batch fit a 1 MiB memtable's transaction")
	}
	wantMiss(t, db, "k0000")
	wantMiss(t, db, "k0399")
}

func TestSettings(t *testing.T) {
	bad := []struct {
		engine string
		set    map[string]string
		want   string
	}{
		{Pebble, map[string]string{"memtable-size": "lots"}, "pebble.memtable-size"},
		{Pebble, map[string]string{"bloom-bits": "100"}, "pebble.bloom-bits"},
		{Pebble, map[string]string{"compression": "lz4"}, "pebble.compression"},
		{GoLevelDB, map[string]string{"block-size": "10B"}, "goleveldb.block-size"},
		{Badger, map[string]string{"value-threshold": "2MiB"}, "badger.value-threshold"},
		{Badger, map[string]string{"memtable-size": "2MiB", "value-threshold": "1MiB"}, "badger.value-threshold"},
		{Bbolt, map[string]string{"batch-size": "0"}, "bbolt.batch-size"},
		{Bbolt, map[string]string{"page-size": "3KiB"}, "bbolt.page-size"},
		{Bbolt, map[string]string{"no-sync": "maybe"}, "bbolt.no-sync"},
		{Bbolt, map[string]string{"memtable-size": "1MiB"}, "bbolt.memtable-size"},
	}
	for _, c := range bad {
		_, err := openPeer(c.engine, t.TempDir(), c.set)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s %v: %v; want a one-line error naming %s", c.engine, c.set, err, c.want)
		}
	}
	// The registry checks names and values once, with the engines' knob
	// tables; an adapter opened without them refuses rather than guesses.
	if _, err := openPeer(Pebble, t.TempDir(), map[string]string{"nope": "1"}); !errors.Is(err, kvlab.ErrUnknownOption) {
		t.Errorf("unknown setting: %v", err)
	}
	if _, err := openPeer(Pebble, t.TempDir(), map[string]string{"bloom-bits": "100"}); !errors.Is(err, kvlab.ErrBadOption) {
		t.Errorf("bad value: %v", err)
	}
	if _, err := openPebble(t.TempDir(), kvlab.Options{Settings: map[string]string{"bloom-bits": "1"}}); err == nil {
		t.Error("the pebble adapter opened with unresolved settings")
	}
	if _, err := openBolt(t.TempDir(), kvlab.Options{FS: vfs.NewMem()}); err == nil {
		t.Error("bbolt opened on an in-memory vfs")
	}
	// No block cache at all is a valid setting.
	for _, name := range []string{Pebble, GoLevelDB, Badger} {
		db := mustOpen(t, name, t.TempDir(), map[string]string{"block-cache": "0", "bloom-bits": "0", "compression": "none"})
		put(t, db, "a", "1")
		wantGet(t, db, "a", "1")
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
	// Good settings take effect.
	db := mustOpen(t, Bbolt, t.TempDir(), map[string]string{"page-size": "8KiB", "batch-size": "1", "no-sync": "false"})
	defer db.Close()
	put(t, db, "a", "1")
	if st := db.Stats(); st.BTree == nil || st.BTree.PageSize != 8192 || st.Extra["bbolt.buffered_ops"] != 0 {
		t.Fatalf("bbolt with page-size 8KiB, batch-size 1: %+v", st.BTree)
	}
}

// TestKnobs checks each peer's knob table: documented, defaults that
// round-trip through their strings, random values through format and parse.
func TestKnobs(t *testing.T) {
	knobtest.Run(t, pebbleKnobs)
	knobtest.Run(t, levelDBKnobs)
	knobtest.Run(t, badgerKnobs)
	knobtest.Run(t, boltKnobs)
	// Badger's default value threshold yields to a small memtable; an
	// explicit one does not.
	o, err := badgerKnobs.Parse(map[string]string{"memtable-size": "2MiB"})
	if err != nil || o.ValueThreshold != 2<<20*15/100 {
		t.Errorf("badger with a 2MiB memtable: %+v, %v", o, err)
	}
	_, err = badgerKnobs.Parse(map[string]string{"memtable-size": "2MiB", "value-threshold": "1MiB"})
	if !errors.Is(err, kvlab.ErrBadOption) || !strings.Contains(err.Error(), "badger.value-threshold=1MiB exceeds") {
		t.Errorf("badger with a 2MiB memtable and a 1MiB threshold: %v", err)
	}
	// The defaults are those the CLI has always listed.
	want := map[string]string{"batch-size": "1000", "no-sync": "true", "page-size": "4KiB"}
	for _, in := range boltKnobs.Describe() {
		if in.Default != want[in.Name] {
			t.Errorf("bbolt.%s defaults to %q, want %q", in.Name, in.Default, want[in.Name])
		}
	}
	want = map[string]string{"memtable-size": "64MiB", "l0-compaction-trigger": "4", "bloom-bits": "10", "block-size": "4KiB",
		"block-cache": "8MiB", "compression": "snappy", "value-threshold": "1MiB"}
	for _, in := range badgerKnobs.Describe() {
		if in.Default != want[in.Name] {
			t.Errorf("badger.%s defaults to %q, want %q", in.Name, in.Default, want[in.Name])
		}
	}
}

func TestStats(t *testing.T) {
	_, procErr := os.Stat("/proc/self/io")
	for _, pc := range peerCases {
		t.Run(pc.name, func(t *testing.T) {
			db := mustOpen(t, pc.name, t.TempDir(), smallSettings[pc.name])
			defer db.Close()
			val := bytes.Repeat([]byte("0123456789"), 100)
			var user int64
			for i := 0; i < 3000; i++ {
				k := []byte(fmt.Sprintf("key/%05d", i))
				if err := db.Put(k, val); err != nil {
					t.Fatal(err)
				}
				user += int64(len(k) + len(val))
			}
			if err := db.Delete([]byte("key/00000")); err != nil {
				t.Fatal(err)
			}
			user += 9
			if err := db.Sync(); err != nil {
				t.Fatal(err)
			}
			wantGet(t, db, "key/00001", string(val))
			wantMiss(t, db, "key/00000")
			it, _ := db.NewIterator(kv.IterOptions{})
			for ok := it.First(); ok; ok = it.Next() {
				it.Value()
			}
			it.Close()
			st := db.Stats()
			if st.Engine != pc.name || st.Ops.Puts != 3000 || st.Ops.Deletes != 1 || st.Ops.Batches != 3001 ||
				st.Ops.Gets != 2 || st.Ops.GetHits != 1 || st.Ops.Iterators != 1 || st.Ops.Seeks != 1 || st.Ops.Steps != 2999 {
				t.Errorf("Ops = %+v", st.Ops)
			}
			if st.UserBytesWritten != user {
				t.Errorf("UserBytesWritten = %d, want %d", st.UserBytesWritten, user)
			}
			// The Get's key and value, then each scanned entry's (kv.Stats).
			if want := 9 + int64(len(val)) + 2999*(9+int64(len(val))); st.UserBytesRead != want {
				t.Errorf("UserBytesRead = %d, want %d", st.UserBytesRead, want)
			}
			if st.DiskBytes <= 0 || st.Extra["disk.apparent_bytes"] < float64(st.DiskBytes) {
				t.Errorf("DiskBytes = %d, apparent %v", st.DiskBytes, st.Extra["disk.apparent_bytes"])
			}
			if procErr == nil {
				io := st.IO["peer"]
				// The device counters stay 0 on file systems without
				// writeback accounting (tmpfs); the syscall ones never do.
				if st.Extra["io-source-os"] != 1 || len(st.IO) != 1 ||
					(st.Extra["io-write-device"] == 0 && io.BytesWritten < user) {
					t.Errorf("IO = %+v, Extra = %v; want the OS's figures, at least the user bytes", st.IO, st.Extra)
				}
				t.Logf("%s: wrote %d user bytes; OS says %d written (WA %.2f), disk %d", pc.name, user, io.BytesWritten, st.WriteAmp(), st.DiskBytes)
			}
			switch pc.name {
			case Pebble, GoLevelDB, Badger:
				if st.LSM == nil || len(st.LSM.Levels) == 0 {
					t.Errorf("no LSM figures: %+v", st.LSM)
				}
			case Bbolt:
				if st.BTree == nil || st.BTree.LeafPages == 0 || st.BTree.Height < 2 || st.BTree.FillFactor <= 0 {
					t.Errorf("no B+tree figures: %+v", st.BTree)
				}
			}
			if d := db.Stats().Sub(st); d.Ops.Puts != 0 || d.UserBytesWritten != 0 {
				t.Errorf("Sub of two quiet snapshots: %+v", d.Ops)
			}
		})
	}
}

func TestParseProcIO(t *testing.T) {
	p := parseProcIO([]byte("rchar: 10\nwchar: 20\nsyscr: 3\nsyscw: 4\nread_bytes: 4096\nwrite_bytes: 8192\ncancelled_write_bytes: 4096\n"))
	if !p.ok || p.rchar != 10 || p.wchar != 20 || p.writeBytes != 8192 || p.cancelledWriteBytes != 4096 {
		t.Fatalf("%+v", p)
	}
	d := p.sub(procIO{ok: true})
	if s := (ioBasis{}).ioStats(d); s.BytesWritten != 20 || s.BytesRead != 10 || s.Writes != 4 || s.Reads != 3 {
		t.Fatalf("syscall basis: %+v", s)
	}
	if s := (ioBasis{writeDevice: true, readDevice: true}).ioStats(d); s.BytesWritten != 4096 || s.BytesRead != 4096 {
		t.Fatalf("device basis: %+v", s)
	}
	if parseProcIO([]byte("rchar: x\n")).ok || parseProcIO(nil).ok {
		t.Fatal("a bad /proc/self/io parsed")
	}
}

func TestParseLevelDBStats(t *testing.T) {
	text := "Compactions\n" +
		" Level |   Tables   |    Size(MB)   |    Time(sec)  |    Read(MB)   |   Write(MB)\n" +
		"-------+------------+---------------+---------------+---------------+---------------\n" +
		"   0   |          2 |       1.50000 |       0.25000 |       0.00000 |       3.00000\n" +
		"   2   |          5 |      10.00000 |       1.00000 |       4.00000 |       4.50000\n"
	levels, nanos := parseLevelDBStats(text)
	if len(levels) != 2 || levels[1].Level != 2 || levels[1].Files != 5 || levels[1].Bytes != 10<<20 ||
		levels[0].BytesWritten != 3<<20 || levels[1].BytesRead != 4<<20 || nanos != 1.25e9 {
		t.Fatalf("%+v, %d", levels, nanos)
	}
}
