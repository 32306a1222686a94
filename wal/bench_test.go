package wal_test

import (
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/kvlab/kvlab/vfs"
	"github.com/kvlab/kvlab/wal"
)

// Benchmarks run on the operating system's file system in b.TempDir(). The
// yardstick is the disk's sequential write bandwidth:
//
//	dd if=/dev/zero of=/tmp/ddtest bs=1M count=1024 conv=fdatasync
//
// Both report MB/s; "fsyncs/rec" says how well group commit shares syncs.

// BenchmarkAppend appends records without syncing; the final Close (which
// syncs) is timed, as dd's conv=fdatasync is.
func BenchmarkAppend(b *testing.B) {
	for _, size := range []int{100, 4096} {
		b.Run(fmt.Sprintf("size=%d", size), func(b *testing.B) {
			acct := vfs.NewAccounting(vfs.Default)
			w, err := wal.Create(acct, filepath.Join(b.TempDir(), "000001.log"), 1, wal.Options{})
			if err != nil {
				b.Fatal(err)
			}
			rec := record(newRand(1), 0, size)
			b.SetBytes(int64(size))
			b.ResetTimer()
			for range b.N {
				if _, err := w.Append(rec); err != nil {
					b.Fatal(err)
				}
			}
			if err := w.Close(); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			reportSyncs(b, acct)
		})
	}
}

// BenchmarkAppendSync appends records with AppendSync from 1, 4 and 16
// goroutines: group commit should make fsyncs per record fall as writers
// are added.
func BenchmarkAppendSync(b *testing.B) {
	for _, size := range []int{100, 4096} {
		for _, writers := range []int{1, 4, 16} {
			b.Run(fmt.Sprintf("size=%d/writers=%d", size, writers), func(b *testing.B) {
				acct := vfs.NewAccounting(vfs.Default)
				w, err := wal.Create(acct, filepath.Join(b.TempDir(), "000001.log"), 1, wal.Options{})
				if err != nil {
					b.Fatal(err)
				}
				rec := record(newRand(1), 0, size)
				b.SetBytes(int64(size))
				b.ResetTimer()
				var wg sync.WaitGroup
				for g := range writers {
					n := b.N / writers
					if g < b.N%writers {
						n++
					}
					wg.Go(func() {
						for range n {
							if _, err := w.AppendSync(rec); err != nil {
								b.Error(err)
								return
							}
						}
					})
				}
				wg.Wait()
				b.StopTimer()
				if err := w.Close(); err != nil {
					b.Fatal(err)
				}
				reportSyncs(b, acct)
			})
		}
	}
}

func reportSyncs(b *testing.B, acct *vfs.Accounting) {
	b.ReportMetric(float64(acct.Stats()[vfs.KindWAL].Syncs)/float64(b.N), "fsyncs/rec")
}
