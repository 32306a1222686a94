package peers

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/kvlab/kvlab/kv"
)

// Short db_bench-style benchmarks of each adapter with its default
// settings: 16-byte keys, 100-byte values. The kvlab bench command is the
// real harness; these check the adapters' own overhead.

const benchKeys = 10000

func benchKey(i int) []byte { return fmt.Appendf(nil, "key%013d", i) }

func BenchmarkFillRandom(b *testing.B) {
	for _, pc := range peerCases {
		b.Run(pc.name, func(b *testing.B) {
			db, err := openPeer(pc.name, b.TempDir(), nil)
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			r := rand.New(rand.NewPCG(1, 2))
			val := make([]byte, 100)
			b.SetBytes(116)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := db.Put(benchKey(r.IntN(1<<30)), val); err != nil {
					b.Fatal(err)
				}
			}
			if err := db.Sync(); err != nil {
				b.Fatal(err)
			}
		})
	}
}

func BenchmarkReadRandom(b *testing.B) {
	for _, pc := range peerCases {
		b.Run(pc.name, func(b *testing.B) {
			db, err := openPeer(pc.name, b.TempDir(), nil)
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			var batch kv.Batch
			val := make([]byte, 100)
			for i := 0; i < benchKeys; i++ {
				batch.Put(benchKey(i), val)
				if batch.Len() == 1000 {
					if err := db.Write(&batch, kv.WriteOptions{}); err != nil {
						b.Fatal(err)
					}
					batch.Reset()
				}
			}
			r := rand.New(rand.NewPCG(3, 4))
			b.SetBytes(100)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := db.Get(benchKey(r.IntN(benchKeys))); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkScan(b *testing.B) {
	for _, pc := range peerCases {
		b.Run(pc.name, func(b *testing.B) {
			db, err := openPeer(pc.name, b.TempDir(), nil)
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			var batch kv.Batch
			val := make([]byte, 100)
			for i := 0; i < benchKeys; i++ {
				batch.Put(benchKey(i), val)
			}
			if err := db.Write(&batch, kv.WriteOptions{}); err != nil {
				b.Fatal(err)
			}
			r := rand.New(rand.NewPCG(5, 6))
			b.ResetTimer()
			for i := 0; i < b.N; i++ { // seek, then read 50 keys
				it, err := db.NewIterator(kv.IterOptions{})
				if err != nil {
					b.Fatal(err)
				}
				n := 0
				for ok := it.SeekGE(benchKey(r.IntN(benchKeys))); ok && n < 50; ok = it.Next() {
					_ = it.Value()
					n++
				}
				if err := it.Close(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
