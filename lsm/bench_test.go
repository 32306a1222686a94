package lsm

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/kv/memory"
	"github.com/kvlab/kvlab/vfs"
)

// The benchmarks follow db_bench: 16-byte keys, 100-byte values, one
// goroutine, no sync, on the operating system's files in a temporary
// directory. The memory engine runs beside them as the zero-I/O yardstick.
// Compare with kvlab bench for the peers:
//
//	go test -run '^$' -bench . -benchtime 1000000x ./lsm/

func benchKey(buf []byte, n uint64) []byte {
	buf = buf[:16]
	binary.BigEndian.PutUint64(buf, n*0x9E3779B97F4A7C15)
	binary.BigEndian.PutUint64(buf[8:], n)
	return buf
}

func benchEngines(b *testing.B, fn func(b *testing.B, db kv.Engine)) {
	benchEnginesWith(b, DefaultOptions(), fn)
}

// benchEnginesWith is benchEngines with the LSM opened with opts.
func benchEnginesWith(b *testing.B, opts Options, fn func(b *testing.B, db kv.Engine)) {
	b.Run("lsm", func(b *testing.B) {
		db, err := Open(vfs.Default, b.TempDir(), opts)
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		fn(b, db)
	})
	b.Run("memory", func(b *testing.B) {
		db := memory.New()
		defer db.Close()
		fn(b, db)
	})
}

func BenchmarkFillRandom(b *testing.B) {
	benchEngines(b, func(b *testing.B, db kv.Engine) {
		rng := rand.New(rand.NewPCG(1, 2))
		val := make([]byte, 100)
		var kb [16]byte
		b.SetBytes(116)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			for j := range val {
				val[j] = byte(rng.Uint32())
			}
			if err := db.Put(benchKey(kb[:], rng.Uint64N(uint64(b.N))), val); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkReadRandom(b *testing.B) {
	benchEngines(b, func(b *testing.B, db kv.Engine) {
		const n = 1 << 20
		val := make([]byte, 100)
		var kb [16]byte
		var batch kv.Batch
		for i := uint64(0); i < n; i++ {
			batch.Put(benchKey(kb[:], i), val)
			if batch.Len() == 1000 || i == n-1 {
				if err := db.Write(&batch, kv.WriteOptions{}); err != nil {
					b.Fatal(err)
				}
				batch.Reset()
			}
		}
		if l, ok := db.(*DB); ok {
			waitIdle(b, l)
		}
		rng := rand.New(rand.NewPCG(3, 4))
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if _, err := db.Get(benchKey(kb[:], rng.Uint64N(n))); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkFillSmall measures the commit path alone: Puts into a store
// that never fills its memtable (64 MiB by default), so no flush or
// compaction runs, as kvlab bench fillrandom at 300k with the default
// memtable. Keys are kvlab bench's: a random number below 2^20 as 8
// big-endian bytes, then '.' padding (so they share their first 5 bytes).
// Every 256k Puts the store is replaced by a fresh one, outside the timing.
func BenchmarkFillSmall(b *testing.B) {
	b.Run("lsm", func(b *testing.B) {
		rng := rand.New(rand.NewPCG(1, 2))
		val := make([]byte, 100)
		var kb [16]byte
		copy(kb[8:], "........")
		var db *DB
		reopen := func() {
			if db != nil {
				if err := db.Close(); err != nil {
					b.Fatal(err)
				}
			}
			var err error
			if db, err = Open(vfs.Default, b.TempDir(), DefaultOptions()); err != nil {
				b.Fatal(err)
			}
		}
		reopen()
		b.SetBytes(116)
		b.ResetTimer()
		var cpu time.Duration
		start := cpuTime()
		for i := 0; i < b.N; i++ {
			if i%(256<<10) == 0 && i > 0 {
				b.StopTimer()
				cpu += cpuTime() - start
				reopen()
				start = cpuTime()
				b.StartTimer()
			}
			binary.LittleEndian.PutUint64(val, rng.Uint64())
			binary.BigEndian.PutUint64(kb[:8], rng.Uint64N(1<<20))
			if err := db.Put(kb[:], val); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		cpu += cpuTime() - start
		if start > 0 {
			b.ReportMetric(float64(cpu)/float64(b.N), "cpu-ns/op")
		}
		if err := db.Close(); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkScan100 measures 100-key scans (kvlab bench seekrandom
// --scan-length 100): a SeekGE to a random key and 99 Next calls, over 1M
// keys spread over the memtable, L0 and the levels as a fill leaves them.
//
// "cold" has kvlab bench's fair sizing at 1M keys (a memtable of 1/16 of
// the data, a block cache of 1/8), so that most blocks a scan needs miss
// the cache; "hot" has a cache that holds every block, leaving the
// iterators' own work.
func BenchmarkScan100(b *testing.B) {
	opts := DefaultOptions()
	opts.MemtableSize = 7 << 20
	opts.L1TargetSize = 14 << 20
	opts.TargetFileSize = 7 << 20
	for _, c := range []struct {
		name  string
		cache int64
	}{{"cold", 14 << 20}, {"hot", 512 << 20}} {
		opts.BlockCacheSize = c.cache
		b.Run(c.name, func(b *testing.B) { benchScan(b, opts) })
	}
}

func benchScan(b *testing.B, opts Options) {
	benchEnginesWith(b, opts, func(b *testing.B, db kv.Engine) {
		const n = 1 << 20
		loadRandom(b, db, n)
		// One full scan warms the cache (it all stays there when hot).
		it, err := db.NewIterator(kv.IterOptions{})
		if err != nil {
			b.Fatal(err)
		}
		for ok := it.First(); ok; ok = it.Next() {
		}
		if err := it.Close(); err != nil {
			b.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(5, 6))
		var kb [16]byte
		b.ResetTimer()
		defer reportCPU(b, cpuTime())
		for i := 0; i < b.N; i++ {
			it, err := db.NewIterator(kv.IterOptions{})
			if err != nil {
				b.Fatal(err)
			}
			ok := it.SeekGE(benchKey(kb[:], rng.Uint64N(n)))
			for j := 1; ok && j < 100; j++ {
				ok = it.Next()
			}
			if err := it.Close(); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// loadRandom writes keys 0..n-1 in a random order in batches of 100, as
// kvlab bench's load phase does, with a memtable small enough that the
// store reaches several levels, and waits for compactions to settle.
func loadRandom(b *testing.B, db kv.Engine, n uint64) {
	b.Helper()
	rng := rand.New(rand.NewPCG(7, 8))
	perm := make([]uint64, n)
	for i := range perm {
		perm[i] = uint64(i)
	}
	rng.Shuffle(len(perm), func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
	val := make([]byte, 100)
	var kb [16]byte
	var batch kv.Batch
	for i, k := range perm {
		binary.LittleEndian.PutUint64(val, k)
		batch.Put(benchKey(kb[:], k), val)
		if batch.Len() == 100 || i == len(perm)-1 {
			if err := db.Write(&batch, kv.WriteOptions{}); err != nil {
				b.Fatal(err)
			}
			batch.Reset()
		}
	}
	if l, ok := db.(*DB); ok {
		waitIdle(b, l)
	}
}
