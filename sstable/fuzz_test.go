package sstable

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/kvlab/kvlab/internal/base"
	"github.com/kvlab/kvlab/kv"
)

// FuzzReader opens arbitrary bytes as a table — once with checksums
// verified, once trusting them so that the fuzzer reaches the block, index,
// filter, range-deletion and properties parsers — and reads everything,
// range tombstones included (checkRangeDels). It must never
// panic; errors must match kv.ErrCorruption; scans must be well ordered and
// agree both ways; with verified checksums, Get must agree with the scan.
//
// The seed corpus in testdata/fuzz/FuzzReader holds small valid tables;
// regenerate it with SSTABLE_WRITE_FUZZ_CORPUS=1 go test -run TestWriteFuzzCorpus.
func FuzzReader(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, skip := range []bool{false, true} {
			rd, err := Open(&bytesFile{data: data}, "fuzz.sst", 1, ReaderOptions{Cache: NewCache(64 << 10), skipChecksums: skip})
			if err != nil {
				if !errors.Is(err, kv.ErrCorruption) {
					t.Fatalf("Open: %v does not match ErrCorruption", err)
				}
				continue
			}
			checkRangeDels(t, rd)
			var fwd, rev []kvEntry
			it := rd.NewIter(nil, nil)
			for ok := it.First(); ok; ok = it.Next() {
				fwd = append(fwd, kvEntry{bytes.Clone(it.Key()), bytes.Clone(it.Value())})
			}
			ferr := it.Close()
			it = rd.NewIter(nil, nil)
			for ok := it.Last(); ok; ok = it.Prev() {
				rev = append(rev, kvEntry{bytes.Clone(it.Key()), bytes.Clone(it.Value())})
			}
			rerr := it.Close()
			for _, err := range []error{ferr, rerr} {
				if err != nil && !errors.Is(err, kv.ErrCorruption) {
					t.Fatalf("scan: %v does not match ErrCorruption", err)
				}
			}
			for i := 1; i < len(fwd); i++ {
				if base.Compare(fwd[i-1].ikey, fwd[i].ikey) >= 0 {
					t.Fatalf("forward scan out of order at %d", i)
				}
			}
			if ferr == nil && rerr == nil {
				checkWellOrdered(t, fwd, rev)
			}
			for i, e := range fwd {
				ukey := base.UserKey(e.ikey)
				v, kind, found, err := rd.Get(ukey, base.MaxSeqNum)
				if err != nil {
					if !errors.Is(err, kv.ErrCorruption) {
						t.Fatalf("Get: %v does not match ErrCorruption", err)
					}
					continue
				}
				newest := i == 0 || !bytes.Equal(base.UserKey(fwd[i-1].ikey), ukey)
				if !skip && ferr == nil && newest && (!found || kind != base.KindOf(e.ikey) || !bytes.Equal(v, e.value)) {
					t.Fatalf("Get(%q) = %v %s %q, scan has %v", ukey, found, kind, v, e)
				}
			}
			rd.Close()
		}
	})
}

// fuzzSeeds returns small valid tables of several shapes.
func fuzzSeeds(tb testing.TB) [][]byte {
	var seeds [][]byte
	for i, opts := range []WriterOptions{
		{BlockSize: 64, RestartInterval: 1, BloomBitsPerKey: 10},
		{BlockSize: 128, RestartInterval: 3, Compression: NoCompression},
		{BlockSize: 4096, RestartInterval: 16, BloomBitsPerKey: 4},
		{BlockSize: 32, RestartInterval: 2, BloomBitsPerKey: 1, Compression: NoCompression},
	} {
		var es []kvEntry
		for j := range 6 + 4*i {
			uk := fmt.Appendf(nil, "key%02d", j/2)
			kind := base.KindSet
			v := bytes.Repeat([]byte{byte('a' + j%3)}, j%4*5)
			if j%5 == 4 {
				kind, v = base.KindDelete, nil
			}
			es = append(es, kvEntry{base.MakeInternalKey(uk, base.SeqNum(100-j), kind), v})
		}
		sortEntries(es)
		f, _ := buildTable(tb, es, opts)
		seeds = append(seeds, f.data)
	}
	empty, _ := buildTable(tb, nil, DefaultWriterOptions())
	return append(append(seeds, empty.data, []byte(Magic)), rangeDelSeeds(tb)...)
}

// TestWriteFuzzCorpus writes the seed corpus when SSTABLE_WRITE_FUZZ_CORPUS
// is set; otherwise it checks that the checked-in corpus is current.
func TestWriteFuzzCorpus(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzReader")
	for i, seed := range fuzzSeeds(t) {
		name := filepath.Join(dir, fmt.Sprintf("seed-%d", i))
		content := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", seed)
		if os.Getenv("SSTABLE_WRITE_FUZZ_CORPUS") != "" {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(name)
		if err != nil || string(got) != content {
			t.Fatalf("%s is missing or stale (%v): run SSTABLE_WRITE_FUZZ_CORPUS=1 go test -run TestWriteFuzzCorpus ./sstable/", name, err)
		}
	}
}
