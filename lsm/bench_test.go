package lsm

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"

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
	b.Run("lsm", func(b *testing.B) {
		db, err := Open(vfs.Default, b.TempDir(), DefaultOptions())
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
