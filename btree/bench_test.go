package btree

import (
	"encoding/binary"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/kv/memory"
	"github.com/kvlab/kvlab/vfs"
)

// The benchmarks use 16-byte keys and 100-byte values on the OS file
// system (a temporary directory) without sync, beside the in-memory engine
// (kv/memory) as a zero-I/O yardstick in the same run:
//
//	go test -run XXX -bench . -benchtime 200000x ./btree/
//
// Each reports write and read amplification and pages per op as metrics.
// Environment variables change the store: BTREE_BENCH_KEYS its key count
// (below), BTREE_BENCH_VALUE the value size in bytes (4096 for the 4 KiB
// value figures) and BTREE_BENCH_POOL the B+tree's pool size in bytes (the
// default is DefaultOptions'; kvlab bench's fair sizing gives 1/8 of the
// data). The regression guard docs/performance.md records:
//
//	BTREE_BENCH_KEYS=1000000 go test -run XXX -bench 'Get$|Scan100' -count 6 ./btree/ | tee new.txt
//	benchstat old.txt new.txt

var benchValueSize = envInt("BTREE_BENCH_VALUE", 100)

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// benchOptions are the B+tree's options in the benchmarks.
func benchOptions() Options {
	o := DefaultOptions()
	o.PoolSize = int64(envInt("BTREE_BENCH_POOL", int(o.PoolSize)))
	return o
}

func benchKey(buf []byte, i uint64) []byte {
	binary.BigEndian.PutUint64(buf[:8], i*0x9e3779b97f4a7c15) // scrambled: random order
	binary.BigEndian.PutUint64(buf[8:16], i)
	return buf[:16]
}

func seqKey(buf []byte, i uint64) []byte {
	binary.BigEndian.PutUint64(buf[:8], 0)
	binary.BigEndian.PutUint64(buf[8:16], i)
	return buf[:16]
}

type benchEngine struct {
	name string
	open func(b *testing.B) kv.Engine
}

// benchEngines are the B+tree reading through its mapping of the pages
// file (the default, "btree") and with pread into the pool ("btree-pread",
// Options.Mmap off), and the in-memory engine.
func benchEngines() []benchEngine {
	btree := func(mmap bool) func(b *testing.B) kv.Engine {
		return func(b *testing.B) kv.Engine {
			o := benchOptions()
			o.Mmap = mmap
			db, err := Open(vfs.Default, b.TempDir(), o)
			if err != nil {
				b.Fatal(err)
			}
			return db
		}
	}
	return []benchEngine{
		{"btree", btree(true)},
		{"btree-pread", btree(false)},
		{"memory", func(b *testing.B) kv.Engine { return memory.New() }},
	}
}

func reportAmp(b *testing.B, db kv.Engine, before kv.Stats) {
	d := db.Stats().Sub(before)
	if wa := d.WriteAmp(); wa > 0 {
		b.ReportMetric(wa, "write-amp")
	}
	if d.Ops.Gets > 0 {
		b.ReportMetric(d.BlocksPerGet(), "pages/get")
	}
	if d.BTree != nil {
		b.ReportMetric(d.BTree.FillFactor, "fill")
	}
}

// fill writes n keys in batches of 1000 operations.
func fill(b *testing.B, db kv.Engine, n int, key func([]byte, uint64) []byte) {
	var batch kv.Batch
	var kb [16]byte
	val := make([]byte, benchValueSize)
	for i := 0; i < n; i++ {
		batch.Put(key(kb[:], uint64(i)), val)
		if batch.Len() == 1000 || i == n-1 {
			if err := db.Write(&batch, kv.WriteOptions{}); err != nil {
				b.Fatal(err)
			}
			batch.Reset()
		}
	}
}

func BenchmarkFillRandom(b *testing.B) { benchFill(b, benchKey) }
func BenchmarkFillSeq(b *testing.B)    { benchFill(b, seqKey) }

func benchFill(b *testing.B, key func([]byte, uint64) []byte) {
	for _, e := range benchEngines() {
		b.Run("engine="+e.name, func(b *testing.B) {
			db := e.open(b)
			defer db.Close()
			before := db.Stats()
			b.SetBytes(16 + int64(benchValueSize))
			b.ResetTimer()
			fill(b, db, b.N, key)
			b.StopTimer()
			reportAmp(b, db, before)
		})
	}
}

// BenchmarkPut measures single Puts (one WAL record each) into a store of
// 100,000 keys.
func BenchmarkPut(b *testing.B) {
	for _, e := range benchEngines() {
		b.Run("engine="+e.name, func(b *testing.B) {
			db := e.open(b)
			defer db.Close()
			fill(b, db, 100000, benchKey)
			before := db.Stats()
			var kb [16]byte
			val := make([]byte, benchValueSize)
			r := rand.New(rand.NewPCG(1, 2))
			b.SetBytes(16 + int64(benchValueSize))
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := db.Put(benchKey(kb[:], r.Uint64N(200000)), val); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			reportAmp(b, db, before)
		})
	}
}

// benchKeys is the store size of the read benchmarks: 200,000 keys, or
// BTREE_BENCH_KEYS (e.g. 1000000 for the 1M-key figures).
var benchKeys = func() uint64 {
	if n, err := strconv.ParseUint(os.Getenv("BTREE_BENCH_KEYS"), 10, 64); err == nil && n > 0 {
		return n
	}
	return 200000
}()

// cpuMeter reports the process's CPU time per operation ("cpu-ns/op")
// beside the wall time: on a loaded machine the wall time measures the
// scheduler as much as the code, the CPU time much less.
type cpuMeter struct{ start time.Duration }

func startCPU() cpuMeter { return cpuMeter{processCPU()} }

func (m cpuMeter) report(b *testing.B) {
	if d := processCPU() - m.start; d > 0 && b.N > 0 {
		b.ReportMetric(float64(d.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}

// filled runs fn on each engine holding benchKeys keys, timer reset.
func filled(b *testing.B, fn func(b *testing.B, db kv.Engine)) {
	for _, e := range benchEngines() {
		b.Run("engine="+e.name, func(b *testing.B) {
			db := e.open(b)
			defer db.Close()
			fill(b, db, int(benchKeys), benchKey)
			// A store at rest, as bbolt's is after its commits: the
			// B+tree's pages checkpointed, none left dirty.
			if f, ok := db.(kv.Flusher); ok {
				if err := f.Flush(); err != nil {
					b.Fatal(err)
				}
			}
			b.ResetTimer()
			m := startCPU()
			fn(b, db)
			b.StopTimer()
			m.report(b)
		})
	}
}

// BenchmarkGet reads random present keys of a 200,000-key store.
func BenchmarkGet(b *testing.B) {
	filled(b, func(b *testing.B, db kv.Engine) {
		before := db.Stats()
		var kb [16]byte
		r := rand.New(rand.NewPCG(1, 2))
		for i := 0; i < b.N; i++ {
			if _, err := db.Get(benchKey(kb[:], r.Uint64N(benchKeys))); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		reportAmp(b, db, before)
	})
}

// BenchmarkGetParallel reads from all cores at once.
func BenchmarkGetParallel(b *testing.B) {
	filled(b, func(b *testing.B, db kv.Engine) {
		b.RunParallel(func(pb *testing.PB) {
			var kb [16]byte
			r := rand.New(rand.NewPCG(rand.Uint64(), 2))
			for pb.Next() {
				if _, err := db.Get(benchKey(kb[:], r.Uint64N(benchKeys))); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
}

// BenchmarkScan100 seeks to a random key and reads the next 100.
func BenchmarkScan100(b *testing.B) {
	filled(b, func(b *testing.B, db kv.Engine) {
		var kb [16]byte
		r := rand.New(rand.NewPCG(1, 2))
		for i := 0; i < b.N; i++ {
			it, err := db.NewIterator(kv.IterOptions{})
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			for ok := it.SeekGE(benchKey(kb[:], r.Uint64N(benchKeys))); ok && n < 100; ok = it.Next() {
				n++
			}
			if err := it.Close(); err != nil {
				b.Fatal(err)
			}
		}
	})
}
