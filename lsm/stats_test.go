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
