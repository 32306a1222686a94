package lsm

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"sort"
	"strconv"
	"testing"

	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/vfs"
)

// tinyOptions make memtables, tables and levels small, so that a few
// thousand writes exercise flushes, every level of compaction, trivial
// moves and manifest rewrites.
func tinyOptions() Options {
	o := DefaultOptions()
	o.MemtableSize = 64 << 10
	o.L1TargetSize = 64 << 10
	o.LevelRatio = 2
	o.TargetFileSize = 16 << 10
	o.L0CompactionTrigger = 2
	o.L0SlowdownTrigger = 4
	o.L0StopTrigger = 6
	o.BlockSize = 512
	o.BlockCacheSize = 64 << 10
	o.MaxManifestSize = 4 << 10
	return o
}

// testSeed returns the seed of a randomized test (LSM_SEED overrides) and
// logs it.
func testSeed(t testing.TB) uint64 {
	t.Helper()
	seed := rand.Uint64()
	if s := os.Getenv("LSM_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("LSM_SEED=%q: %v", s, err)
		}
		seed = v
	}
	t.Logf("seed %d (rerun with LSM_SEED=%d)", seed, seed)
	return seed
}

// model is the reference: a map of the live keys.
type model map[string]string

func (m model) keys() []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// verify checks db against m with Gets and a forward and a backward scan.
func verify(t testing.TB, seed uint64, db kv.Engine, m model) {
	t.Helper()
	keys := m.keys()
	for _, k := range keys {
		v, err := db.Get([]byte(k))
		if err != nil || string(v) != m[k] {
			t.Fatalf("seed %d: Get(%q) = %q, %v; want %q", seed, k, v, err, m[k])
		}
	}
	it, err := db.NewIterator(kv.IterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	i := 0
	for ok := it.First(); ok; ok = it.Next() {
		if i >= len(keys) || string(it.Key()) != keys[i] || string(it.Value()) != m[keys[i]] {
			want := "<end>"
			if i < len(keys) {
				want = keys[i]
			}
			t.Fatalf("seed %d: scan %d: got %q=%q, want %q", seed, i, it.Key(), it.Value(), want)
		}
		i++
	}
	if err := it.Err(); err != nil {
		t.Fatalf("seed %d: scan: %v", seed, err)
	}
	if i != len(keys) {
		t.Fatalf("seed %d: scan found %d keys, want %d", seed, i, len(keys))
	}
	for ok := it.Last(); ok; ok = it.Prev() {
		i--
		if i < 0 || string(it.Key()) != keys[i] {
			t.Fatalf("seed %d: reverse scan at %d: got %q", seed, i, it.Key())
		}
	}
	if i != 0 || it.Err() != nil {
		t.Fatalf("seed %d: reverse scan stopped at %d: %v", seed, i, it.Err())
	}
}

// check runs the integrity check and fails the test on damage.
func check(t testing.TB, seed uint64, db *DB) {
	t.Helper()
	var buf bytes.Buffer
	if err := db.Check(&buf); err != nil {
		t.Fatalf("seed %d: Check: %v\n%s", seed, err, buf.String())
	}
}

func key(i int) []byte { return []byte(fmt.Sprintf("key%08d", i)) }

func value(rng *rand.Rand, n int) []byte {
	v := make([]byte, n)
	for i := range v {
		v[i] = byte('a' + rng.IntN(26))
	}
	return v
}

func mustOpen(t testing.TB, fs vfs.FS, dir string, o Options) *DB {
	t.Helper()
	db, err := Open(fs, dir, o)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return db
}

// waitIdle waits until no flush or compaction is pending.
func waitIdle(t testing.TB, db *DB) {
	t.Helper()
	db.mu.Lock()
	defer db.mu.Unlock()
	for {
		if db.bgErr != nil {
			t.Fatalf("background error: %v", db.bgErr)
		}
		if len(db.imms) == 0 && !db.flushing && len(db.compacting) == 0 &&
			db.picker.Pick(db.version, func(uint64) bool { return false }) == nil {
			return
		}
		db.bgCond.Wait()
	}
}

// settle waits until background work is done or has failed.
func settle(db *DB) {
	db.mu.Lock()
	defer db.mu.Unlock()
	for db.bgErr == nil && (len(db.imms) > 0 || db.flushing || len(db.compacting) > 0 ||
		db.picker.Pick(db.version, func(uint64) bool { return false }) != nil) {
		db.bgCond.Wait()
	}
}

func isNotFound(err error) bool { return errors.Is(err, kv.ErrNotFound) }
