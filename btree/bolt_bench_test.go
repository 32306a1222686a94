package btree

import (
	"math/rand/v2"
	"path/filepath"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// The bbolt yardstick: the same workloads on go.etcd.io/bbolt (NoSync,
// 1,000 puts per transaction, 4 KiB pages), run beside the btree engine in
// the same process so that the figures compare as ratios:
//
//	go test -run XXX -bench 'FillRandom|FillSeq|Get$|Scan100' -benchtime 200000x ./btree/

var boltBucket = []byte("kv")

func openBolt(b *testing.B) *bolt.DB {
	db, err := bolt.Open(filepath.Join(b.TempDir(), "bolt.db"), 0o600, &bolt.Options{NoSync: true, NoFreelistSync: true})
	if err != nil {
		b.Fatal(err)
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucket(boltBucket)
		return err
	}); err != nil {
		b.Fatal(err)
	}
	return db
}

func boltFill(b *testing.B, db *bolt.DB, n int, key func([]byte, uint64) []byte) {
	val := make([]byte, benchValueSize)
	for i := 0; i < n; i += 1000 {
		if err := db.Update(func(tx *bolt.Tx) error {
			bk := tx.Bucket(boltBucket)
			for j := i; j < min(n, i+1000); j++ {
				var kb [16]byte
				if err := bk.Put(key(kb[:], uint64(j)), val); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFillRandomBolt(b *testing.B) { benchBoltFill(b, benchKey) }
func BenchmarkFillSeqBolt(b *testing.B)    { benchBoltFill(b, seqKey) }

func benchBoltFill(b *testing.B, key func([]byte, uint64) []byte) {
	db := openBolt(b)
	defer db.Close()
	b.SetBytes(16 + int64(benchValueSize))
	b.ResetTimer()
	boltFill(b, db, b.N, key)
}

// boltFilled returns a bbolt store holding benchKeys keys.
func boltFilled(b *testing.B) *bolt.DB {
	db := openBolt(b)
	boltFill(b, db, int(benchKeys), benchKey)
	b.ResetTimer()
	return db
}

func BenchmarkGetBolt(b *testing.B) {
	db := boltFilled(b)
	defer db.Close()
	var kb [16]byte
	r := rand.New(rand.NewPCG(1, 2))
	defer startCPU().report(b)
	for i := 0; i < b.N; i++ {
		if err := db.View(func(tx *bolt.Tx) error {
			v := tx.Bucket(boltBucket).Get(benchKey(kb[:], r.Uint64N(benchKeys)))
			if v == nil {
				b.Fatal("missing key")
			}
			_ = append([]byte(nil), v...) // the copy kv.Engine.Get returns
			return nil
		}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkScan100Bolt(b *testing.B) {
	db := boltFilled(b)
	defer db.Close()
	var kb [16]byte
	r := rand.New(rand.NewPCG(1, 2))
	defer startCPU().report(b)
	for i := 0; i < b.N; i++ {
		if err := db.View(func(tx *bolt.Tx) error {
			c := tx.Bucket(boltBucket).Cursor()
			n := 0
			for k, _ := c.Seek(benchKey(kb[:], r.Uint64N(benchKeys))); k != nil && n < 100; k, _ = c.Next() {
				n++
			}
			return nil
		}); err != nil {
			b.Fatal(err)
		}
	}
}
