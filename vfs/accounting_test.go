package vfs

import (
	"io"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/kvlab/kvlab/kv"
)

// TestIOStatsMirrorsKV fails to compile if vfs.IOStats and kv.IOStats drift.
func TestIOStatsMirrorsKV(t *testing.T) {
	s := IOStats{BytesWritten: 1, BytesRead: 2, BytesSynced: 3, Writes: 4, Reads: 5, Syncs: 6}
	k := kv.IOStats(s)
	if k.BytesSynced != 3 || k.Syncs != 6 {
		t.Fatal(k)
	}
}

func TestAccountingCountsExactBytes(t *testing.T) {
	for _, osfs := range []bool{false, true} {
		seed := rand.Uint64()
		r := rand.New(rand.NewPCG(seed, 1))
		var base FS = NewMem()
		dir := "/d"
		if osfs {
			base, dir = Default, t.TempDir()
		} else {
			base.MkdirAll(dir)
		}
		acc := NewAccounting(base)
		var wantW, wantR, wantSynced [2]int64
		var writes, syncs [2]int64
		kinds := []Kind{KindWAL, KindSSTable}
		for i, k := range kinds {
			name := filepath.Join(dir, string(k))
			f, err := acc.Create(name, k)
			if err != nil {
				t.Fatal(err)
			}
			var pending int64
			for j := 0; j < 50; j++ {
				p := make([]byte, r.IntN(5000))
				if r.IntN(3) == 0 {
					n, _ := f.WriteAt(p, int64(r.IntN(1000)))
					wantW[i] += int64(n)
					pending += int64(n)
				} else {
					n, _ := f.Write(p)
					wantW[i] += int64(n)
					pending += int64(n)
				}
				writes[i]++
				if r.IntN(5) == 0 {
					f.Sync()
					syncs[i]++
					wantSynced[i] += pending
					pending = 0
				}
			}
			size, _ := f.Size()
			f.Close()
			rf, _ := acc.Open(name, k)
			for j := 0; j < 30; j++ {
				p := make([]byte, r.IntN(3000))
				n, err := rf.ReadAt(p, int64(r.IntN(int(size)+100)))
				if err != nil && err != io.EOF {
					t.Fatal(err)
				}
				wantR[i] += int64(n)
			}
			rf.Close()
		}
		st := acc.Stats()
		for i, k := range kinds {
			got := st[k]
			if got.BytesWritten != wantW[i] || got.BytesRead != wantR[i] || got.BytesSynced != wantSynced[i] ||
				got.Writes != writes[i] || got.Syncs != syncs[i] || got.Reads != 30 {
				t.Fatalf("os=%v seed %d kind %s: counted %+v; want written %d read %d synced %d writes %d syncs %d reads 30",
					osfs, seed, k, got, wantW[i], wantR[i], wantSynced[i], writes[i], syncs[i])
			}
		}
		if tot := acc.Total(); tot.BytesWritten != wantW[0]+wantW[1] {
			t.Fatalf("Total = %+v", tot)
		}
	}
}
