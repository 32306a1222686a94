package sstable

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/kvlab/kvlab/internal/base"
	"github.com/kvlab/kvlab/vfs"
)

// Benchmarks. The big tables hold 1M entries with 16-byte user keys (even
// numbers, so odd numbers are absent keys within the table's range) and
// 100-byte values that snappy halves, like db_bench's defaults. They are
// built once per process in a temporary directory on the OS file system,
// so that reads without the block cache go through pread (from the OS page
// cache).
//
//	go test -run '^$' -bench . -benchtime 2s ./sstable/

const (
	benchKeys     = 1_000_000
	benchValueLen = 100
)

var bench struct {
	once      sync.Once
	dir       string
	withBF    string // table with a 10 bits/key filter
	withoutBF string // table without filter
	err       error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if bench.dir != "" {
		os.RemoveAll(bench.dir)
	}
	os.Exit(code)
}

// benchUserKey returns i as 16 decimal digits.
func benchUserKey(dst []byte, i int) []byte {
	dst = append(dst[:0], "0000000000000000"...)
	for j := 15; j >= 0 && i > 0; j-- {
		dst[j] = byte('0' + i%10)
		i /= 10
	}
	return dst
}

// benchValues is db_bench's trick: values are slices of a pool of data that
// compresses to about half its size.
var benchValues = func() []byte {
	r := rand.New(rand.NewPCG(5, 6))
	var pool []byte
	for len(pool) < 1<<20 {
		for range 50 {
			pool = append(pool, byte('a'+r.IntN(26)))
		}
		pool = append(pool, bytes.Repeat([]byte{'x'}, 50)...)
	}
	return pool
}()

func benchValue(r *rand.Rand) []byte {
	off := r.IntN(len(benchValues) - benchValueLen)
	return benchValues[off : off+benchValueLen]
}

// writeBenchTable writes benchKeys entries to f and returns the raw bytes
// of keys and values added.
func writeBenchTable(f vfs.File, opts WriterOptions) (int64, error) {
	w := NewWriter(f, opts)
	r := rand.New(rand.NewPCG(1, 2))
	var k, ik []byte
	var raw int64
	for i := range benchKeys {
		k = benchUserKey(k, 2*i)
		ik = base.AppendInternalKey(ik[:0], k, base.SeqNum(i+1), base.KindSet)
		v := benchValue(r)
		if err := w.Add(ik, v); err != nil {
			return 0, err
		}
		raw += int64(len(ik) + len(v))
	}
	_, err := w.Finish()
	return raw, err
}

func benchTables(b *testing.B) {
	bench.once.Do(func() {
		if bench.dir, bench.err = os.MkdirTemp("", "sstable-bench-"); bench.err != nil {
			return
		}
		for _, x := range []struct {
			name *string
			bits int
		}{{&bench.withBF, 10}, {&bench.withoutBF, 0}} {
			*x.name = filepath.Join(bench.dir, fmt.Sprintf("bits%d.sst", x.bits))
			f, err := vfs.Default.Create(*x.name, vfs.KindSSTable)
			if err != nil {
				bench.err = err
				return
			}
			opts := DefaultWriterOptions()
			opts.BloomBitsPerKey = x.bits
			if _, err := writeBenchTable(f, opts); err != nil {
				bench.err = err
				return
			}
			if bench.err = f.Close(); bench.err != nil {
				return
			}
		}
	})
	if bench.err != nil {
		b.Fatal(bench.err)
	}
}

func openBench(b *testing.B, name string, cache *Cache) *Reader {
	f, err := vfs.Default.Open(name, vfs.KindSSTable)
	if err != nil {
		b.Fatal(err)
	}
	rd, err := Open(f, name, 1, ReaderOptions{Cache: cache})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { rd.Close() })
	return rd
}

// warm reads every block into the cache.
func warm(b *testing.B, rd *Reader) {
	it := rd.NewIter(nil, nil)
	for ok := it.First(); ok; ok = it.Next() {
	}
	if err := it.Close(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkWrite builds a 1M-entry table; MB/s counts keys and values.
func BenchmarkWrite(b *testing.B) {
	for _, dest := range []string{"mem", "os"} {
		b.Run(dest, func(b *testing.B) {
			dir := b.TempDir()
			mem := &bytesFile{data: make([]byte, 0, 96<<20)}
			for b.Loop() {
				mem.data = mem.data[:0]
				var f vfs.File = mem
				if dest == "os" {
					var err error
					if f, err = vfs.Default.Create(filepath.Join(dir, "w.sst"), vfs.KindSSTable); err != nil {
						b.Fatal(err)
					}
				}
				raw, err := writeBenchTable(f, DefaultWriterOptions())
				if err != nil {
					b.Fatal(err)
				}
				f.Close()
				b.SetBytes(raw)
			}
		})
	}
}

// randomKeys returns n user keys, present (even) or absent (odd).
func randomKeys(n int, absent bool) [][]byte {
	r := rand.New(rand.NewPCG(3, 4))
	keys := make([][]byte, n)
	for i := range keys {
		k := 2 * r.IntN(benchKeys)
		if absent {
			k++
		}
		keys[i] = benchUserKey(nil, k)
	}
	return keys
}

// BenchmarkGet looks up present keys with a warm block cache holding the
// whole table, and with no block cache (every Get reads, checks and
// decompresses a block).
func BenchmarkGet(b *testing.B) {
	benchTables(b)
	keys := randomKeys(1<<16, false)
	for _, mode := range []string{"warm-cache", "no-cache"} {
		b.Run(mode, func(b *testing.B) {
			var cache *Cache
			if mode == "warm-cache" {
				cache = NewCache(256 << 20)
			}
			rd := openBench(b, bench.withBF, cache)
			if cache != nil {
				warm(b, rd)
			}
			i := 0
			for b.Loop() {
				if _, _, found, err := rd.Get(keys[i&(len(keys)-1)], base.MaxSeqNum); !found || err != nil {
					b.Fatalf("Get: %v %v", found, err)
				}
				i++
			}
			st := rd.Stats()
			b.ReportMetric(st.BlocksPerGet(), "blocks/get")
		})
	}
}

// BenchmarkGetAbsent looks up absent keys inside the table's key range,
// with and without the Bloom filter, with a warm cache and without one.
func BenchmarkGetAbsent(b *testing.B) {
	benchTables(b)
	keys := randomKeys(1<<16, true)
	for _, mode := range []string{"warm-cache", "no-cache"} {
		for _, filter := range []bool{true, false} {
			b.Run(fmt.Sprintf("%s/filter=%v", mode, filter), func(b *testing.B) {
				var cache *Cache
				if mode == "warm-cache" {
					cache = NewCache(256 << 20)
				}
				name := bench.withoutBF
				if filter {
					name = bench.withBF
				}
				rd := openBench(b, name, cache)
				if cache != nil {
					warm(b, rd)
				}
				i := 0
				for b.Loop() {
					if _, _, found, err := rd.Get(keys[i&(len(keys)-1)], base.MaxSeqNum); found || err != nil {
						b.Fatalf("Get: %v %v", found, err)
					}
					i++
				}
				st := rd.Stats()
				b.ReportMetric(st.BlocksPerGet(), "blocks/get")
			})
		}
	}
}

// BenchmarkScan iterates over the whole table without a block cache; MB/s
// counts keys and values.
func BenchmarkScan(b *testing.B) {
	benchTables(b)
	rd := openBench(b, bench.withBF, nil)
	p := rd.Properties()
	b.SetBytes(int64(p.RawKeySize + p.RawValueSize))
	for b.Loop() {
		it := rd.NewIter(nil, nil)
		n := 0
		for ok := it.First(); ok; ok = it.Next() {
			n++
		}
		if err := it.Close(); err != nil || n != benchKeys {
			b.Fatalf("scan: %d entries, %v", n, err)
		}
	}
}

// BenchmarkCacheShards compares one CLOCK list under one mutex with the sharded
// cache on parallel Gets served from the cache.
func BenchmarkCacheShards(b *testing.B) {
	benchTables(b)
	keys := randomKeys(1<<16, false)
	for _, shards := range []int{1, maxCacheShards} {
		b.Run(fmt.Sprintf("shards=%d", shards), func(b *testing.B) {
			rd := openBench(b, bench.withBF, newCache(256<<20, shards))
			warm(b, rd)
			b.ResetTimer()
			var next sync.Mutex
			seed := uint64(0)
			b.RunParallel(func(pb *testing.PB) {
				next.Lock()
				seed++
				r := rand.New(rand.NewPCG(seed, 0))
				next.Unlock()
				for pb.Next() {
					if _, _, found, err := rd.Get(keys[r.IntN(len(keys))], base.MaxSeqNum); !found || err != nil {
						b.Fatalf("Get: %v %v", found, err)
					}
				}
			})
		})
	}
}

// BenchmarkCacheGet isolates the cache: parallel lookups of 32k cached
// blocks, one mutex against sixteen.
func BenchmarkCacheGet(b *testing.B) {
	for _, shards := range []int{1, maxCacheShards} {
		b.Run(fmt.Sprintf("shards=%d", shards), func(b *testing.B) {
			c := newCache(1<<30, shards)
			const n = 1 << 15
			for i := range n {
				c.insert(1, uint64(i)*4096, testBlock(4096))
			}
			var next sync.Mutex
			seed := uint64(0)
			b.RunParallel(func(pb *testing.PB) {
				next.Lock()
				seed++
				r := rand.New(rand.NewPCG(seed, 0))
				next.Unlock()
				for pb.Next() {
					if c.get(1, uint64(r.IntN(n))*4096) == nil {
						b.Fatal("miss")
					}
				}
			})
		})
	}
}
