package lsm

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/kvlab/kvlab/vfs"
)

// TestStatsAccountEveryByte checks the figures against what the file
// system saw and against the bytes written: the WAL holds at least every
// user byte, the per-level bytes written add up to the sstable bytes the
// FS counted, and levels report their files.
func TestStatsAccountEveryByte(t *testing.T) {
	seed := testSeed(t)
	rng := rand.New(rand.NewPCG(seed, 9))
	acct := vfs.NewAccounting(vfs.NewMem())
	db := mustOpen(t, acct, "/db", tinyOptions())
	defer db.Close()
	for i := 0; i < 5000; i++ {
		k := fmt.Sprintf("k%06d", rng.IntN(20000))
		if err := db.Put([]byte(k), value(rng, 100)); err != nil {
			t.Fatal(err)
		}
	}
	waitIdle(t, db)
	for i := 0; i < 2000; i++ {
		db.Get([]byte(fmt.Sprintf("k%06d", rng.IntN(20000))))
	}
	st := db.Stats()
	outer := acct.Stats()
	for kind, io := range st.IO {
		if o := outer[vfs.Kind(kind)]; o.BytesWritten != io.BytesWritten || o.BytesRead != io.BytesRead {
			t.Errorf("kind %s: engine counted %+v, the FS saw %+v", kind, io, o)
		}
	}
	if w := st.IO["wal"].BytesWritten; w < st.UserBytesWritten {
		t.Errorf("WAL bytes %d < user bytes %d", w, st.UserBytesWritten)
	}
	var levelWritten int64
	files := 0
	for _, l := range st.LSM.Levels {
		levelWritten += l.BytesWritten
		files += l.Files
	}
	if sst := st.IO["sstable"].BytesWritten; levelWritten != sst {
		t.Errorf("levels wrote %d bytes, the FS saw %d sstable bytes", levelWritten, sst)
	}
	if files == 0 || st.LSM.Flushes == 0 || st.LSM.Compactions == 0 {
		t.Errorf("files %d, flushes %d, compactions %d: want all > 0", files, st.LSM.Flushes, st.LSM.Compactions)
	}
	if st.WriteAmp() < 2 {
		t.Errorf("write amplification %.2f: leveled compaction writes each byte at least to the WAL and a table", st.WriteAmp())
	}
	if st.Ops.Gets != 2000 || st.LSM.TablesPerGet <= 0 || st.LSM.BloomChecks == 0 {
		t.Errorf("gets %d, tables per get %.2f, bloom checks %d", st.Ops.Gets, st.LSM.TablesPerGet, st.LSM.BloomChecks)
	}
	if st.DiskBytes <= 0 {
		t.Errorf("disk bytes %d", st.DiskBytes)
	}
}

// TestStatsMemory checks the memory figures: each within the knob that
// bounds it, their sum in MemoryBytes, and the tables' indexes and filters
// counted for every live table.
func TestStatsMemory(t *testing.T) {
	seed := testSeed(t)
	rng := rand.New(rand.NewPCG(seed, 10))
	opts := tinyOptions()
	db := mustOpen(t, vfs.NewMem(), "/db", opts)
	defer db.Close()
	for i := 0; i < 5000; i++ {
		if err := db.Put(fmt.Appendf(nil, "k%06d", rng.IntN(20000)), value(rng, 100)); err != nil {
			t.Fatal(err)
		}
	}
	waitIdle(t, db)
	for i := 0; i < 2000; i++ {
		db.Get(fmt.Appendf(nil, "k%06d", rng.IntN(20000)))
	}
	l := db.Stats().LSM
	files := 0
	for _, lv := range l.Levels {
		files += lv.Files
	}
	sum := l.MemtableArenaBytes + l.MemtableFilterBytes + l.BlockCacheBytes + l.TableIndexBytes + l.TableFilterBytes + l.WALBufferBytes
	switch {
	case l.MemoryBytes != sum:
		t.Errorf("seed %d: MemoryBytes %d, the figures sum to %d", seed, l.MemoryBytes, sum)
	case l.MemtableArenaBytes < l.MemtableBytes:
		t.Errorf("seed %d: arenas %d hold less than the memtables' %d bytes", seed, l.MemtableArenaBytes, l.MemtableBytes)
	case l.MemtableFilterBytes != opts.MemtableSize/64*int64(1+l.ImmutableMemtables):
		t.Errorf("seed %d: memtable filters %d bytes for %d memtables of %d", seed, l.MemtableFilterBytes, 1+l.ImmutableMemtables, opts.MemtableSize)
	case l.BlockCacheBytes <= 0 || l.BlockCacheBytes > opts.BlockCacheSize:
		t.Errorf("seed %d: block cache holds %d bytes, capacity %d", seed, l.BlockCacheBytes, opts.BlockCacheSize)
	case l.OpenTables <= 0 || l.OpenTables > files || l.TableIndexBytes <= 0 || l.TableFilterBytes <= 0:
		t.Errorf("seed %d: %d open tables of %d live, index %d bytes, filters %d", seed, l.OpenTables, files, l.TableIndexBytes, l.TableFilterBytes)
	case l.WALBufferBytes <= 0:
		t.Errorf("seed %d: WAL buffers %d bytes", seed, l.WALBufferBytes)
	}
}
