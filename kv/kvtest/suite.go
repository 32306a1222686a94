// Package kvtest is the conformance suite every kvlab engine must pass: the
// floor, not the ceiling, of its tests.
//
//	func TestConformance(t *testing.T) {
//		kvtest.Run(t, func(fs vfs.FS, dir string) (kv.Engine, error) {
//			return lsm.Open(fs, dir, lsm.DefaultOptions())
//		})
//	}
//
// Run covers basic operations and bad input, iterator bounds, seeks and
// direction changes, batch atomicity, range deletes, a randomized test
// against an in-memory model, concurrent readers and writers (meaningful
// under -race), snapshots (for engines implementing kv.Snapshotter), persistence
// across Close and Open, the directory lock, crash recovery on vfs.MemFS
// crash clones, and fault injection with vfs.FaultFS. Options drop the parts
// an engine cannot take part in (Volatile, NoVFS).
//
// Randomized tests print their seed on failure; set KVTEST_SEED to replay
// one. Under -short the randomized parts run a smaller budget; set
// KVTEST_LONG=1 for a much longer campaign.
package kvtest

import (
	"math/rand/v2"
	"os"
	"strconv"
	"testing"

	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/vfs"
)

// OpenFunc opens (creating if needed) an engine's store in dir on fs.
type OpenFunc func(fs vfs.FS, dir string) (kv.Engine, error)

// Option adjusts what Run covers.
type Option func(*config)

type config struct {
	volatile     bool
	noVFS        bool
	maxKeySize   int
	snapshotIter bool
	openRO       OpenFunc
	exactErrors  bool
	noRange      bool
}

// NoDeleteRange declares an engine without range deletes: it must refuse
// a batch holding a DeleteRange with an error wrapping kv.ErrNotSupported
// and apply none of it, and the suite leaves range deletes out of its
// random tests.
func NoDeleteRange() Option { return func(c *config) { c.noRange = true } }

// Volatile declares an engine that keeps nothing across Close: persistence,
// locking, crash and fault tests are skipped.
func Volatile() Option { return func(c *config) { c.volatile = true } }

// NoVFS declares an engine that does its own I/O rather than through the fs
// it is given (such as a third-party engine): it is opened on the OS file
// system in a temporary directory, and the crash and fault tests, which need
// kvlab's vfs, are skipped.
func NoVFS() Option { return func(c *config) { c.noVFS = true } }

// MaxKeySize declares the engine's largest accepted key, when smaller than
// kv.MaxKeySize. Keys up to it must work; one byte more must fail with
// kv.ErrKeyTooLarge.
func MaxKeySize(n int) Option { return func(c *config) { c.maxKeySize = n } }

// SnapshotIterators declares that the engine's iterators see a point-in-time
// snapshot; the suite then also checks that a concurrent iterator never sees
// a batch half applied.
func SnapshotIterators() Option { return func(c *config) { c.snapshotIter = true } }

// Run runs the conformance suite against the engine open opens.
func Run(t *testing.T, open OpenFunc, opts ...Option) {
	c := config{maxKeySize: kv.MaxKeySize}
	for _, o := range opts {
		o(&c)
	}
	s := &suite{open: open, cfg: c}
	t.Run("Basic", s.testBasic)
	t.Run("BadInput", s.testBadInput)
	t.Run("Closed", s.testClosed)
	t.Run("IteratorAfterClose", s.testIteratorAfterClose)
	t.Run("Stats", s.testStats)
	t.Run("Iterator", s.testIterator)
	t.Run("IteratorDuringWrites", s.testIteratorDuringWrites)
	t.Run("Batch", s.testBatch)
	t.Run("DeleteRange", s.testDeleteRange)
	t.Run("RandomModel", s.testRandomModel)
	t.Run("Concurrent", s.testConcurrent)
	t.Run("Snapshot", s.testSnapshot)
	t.Run("SnapshotConcurrent", s.testSnapshotConcurrent)
	t.Run("SnapshotAfterClose", s.testSnapshotAfterClose)
	if c.snapshotIter {
		t.Run("SnapshotAtomicity", s.testSnapshotAtomicity)
	}
	if c.exactErrors {
		t.Run("ErrorVocabulary", s.testErrorVocabulary)
	}
	if c.volatile {
		return
	}
	t.Run("Persistence", s.testPersistence)
	t.Run("Lock", s.testLock)
	if c.noVFS {
		return
	}
	if c.openRO != nil {
		t.Run("ReadOnly", s.testReadOnly)
	}
	t.Run("Maintenance", s.testMaintenance)
	t.Run("Crash", s.testCrash)
	t.Run("Fault", s.testFault)
}

type suite struct {
	open OpenFunc
	cfg  config
}

// fresh opens a new, empty store for one test.
func (s *suite) fresh(t *testing.T) (kv.Engine, vfs.FS, string) {
	t.Helper()
	var fs vfs.FS
	dir := "/db"
	if s.cfg.noVFS || s.cfg.volatile {
		fs, dir = vfs.Default, t.TempDir()
	} else {
		fs = vfs.NewMem()
		if err := fs.MkdirAll(dir); err != nil {
			t.Fatal(err)
		}
	}
	db, err := s.open(fs, dir)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db, fs, dir
}

// newRand returns a seeded generator and its seed; KVTEST_SEED overrides.
func newRand(t *testing.T) (*rand.Rand, uint64) {
	t.Helper()
	seed := rand.Uint64()
	if s := os.Getenv("KVTEST_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("KVTEST_SEED=%q: %v", s, err)
		}
		seed = v
	}
	return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), seed
}

// budget scales a randomized test's size: n normally, n/4 under -short,
// 10n with KVTEST_LONG=1.
func budget(n int) int {
	switch {
	case os.Getenv("KVTEST_LONG") != "":
		return n * 10
	case testing.Short():
		return max(n/4, 1)
	}
	return n
}
