package trie_test

// Benchmarks against the yardsticks on a real word list. Run them with
//
//	go test -run '^$' -bench . -benchmem ./trie/
//
// TRIEBENCH_KEYS sets the number of keys (default 1M: GOROOT's identifiers
// and selectors topped up with package-qualified identifiers). The whole
// of GOROOT/src is read once per process, which takes seconds. Every
// structure is built once and shared by the read benchmarks. For one
// table of ratios — heap bytes per key and TopK percentiles included —
// run "go run ./cmd/kvlab suggest bench".

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"sync"
	"testing"

	"github.com/kvlab/kvlab/internal/units"
	"github.com/kvlab/kvlab/trie"
	"github.com/kvlab/kvlab/trie/triebench"
)

var benchWords = sync.OnceValues(func() ([]triebench.Word, error) {
	n := int64(1_000_000)
	if s := os.Getenv("TRIEBENCH_KEYS"); s != "" {
		v, err := units.ParseCount(s)
		if err != nil {
			return nil, fmt.Errorf("TRIEBENCH_KEYS: %w", err)
		}
		n = v
	}
	words, _, err := triebench.GoWords(int(n), 0)
	if err != nil {
		return nil, err
	}
	if len(words) > int(n) {
		words = words[:n]
	}
	return words, nil
})

func loadWords(b *testing.B) []triebench.Word {
	words, err := benchWords()
	if errors.Is(err, triebench.ErrNoGoroot) {
		b.Skip(err)
	}
	if err != nil {
		b.Fatal(err)
	}
	return words
}

// built caches one built structure per name across benchmarks.
var (
	builtMu sync.Mutex
	built   = map[string]triebench.Structure{}
)

func structures(b *testing.B) ([]triebench.Structure, []triebench.Word) {
	words := loadWords(b)
	builtMu.Lock()
	defer builtMu.Unlock()
	var out []triebench.Structure
	for _, s := range triebench.NewStructures() {
		if have, ok := built[s.Name()]; ok {
			out = append(out, have)
			continue
		}
		s.Build(words)
		built[s.Name()] = s
		out = append(out, s)
	}
	return out, words
}

func heapAlloc() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// BenchmarkInsert builds each structure from all the words; an op is one
// whole build. It reports inserts/s and heap-B/key, the live heap the
// structure adds.
func BenchmarkInsert(b *testing.B) {
	words := loadWords(b)
	for i, s := range triebench.NewStructures() {
		b.Run(s.Name(), func(b *testing.B) {
			var perKey float64
			for b.Loop() {
				b.StopTimer()
				s = nil // the previous build must not count in before
				before := heapAlloc()
				s = triebench.NewStructures()[i]
				b.StartTimer()
				s.Build(words)
				b.StopTimer()
				perKey = float64(int64(heapAlloc())-int64(before)) / float64(len(words))
				b.StartTimer()
			}
			b.ReportMetric(float64(len(words)*b.N)/b.Elapsed().Seconds(), "inserts/s")
			b.ReportMetric(perKey, "heap-B/key")
		})
	}
}

// BenchmarkGet looks up every word in a random order.
func BenchmarkGet(b *testing.B) {
	ss, words := structures(b)
	perm := rand.New(rand.NewPCG(1, 2)).Perm(len(words))
	bkeys := make([][]byte, len(words))
	for i, w := range words {
		bkeys[i] = []byte(w.Key)
	}
	for _, s := range ss {
		b.Run(s.Name(), func(b *testing.B) {
			i := 0
			for b.Loop() {
				j := perm[i%len(perm)]
				if _, ok := s.Get(words[j].Key, bkeys[j]); !ok {
					b.Fatalf("%s: %q missing", s.Name(), words[j].Key)
				}
				i++
			}
		})
	}
}

// BenchmarkWalkPrefix walks 2-byte prefixes; it reports keys/s.
func BenchmarkWalkPrefix(b *testing.B) {
	ss, words := structures(b)
	var prefixes []string
	seen := map[string]bool{}
	for _, w := range words {
		if len(w.Key) >= 2 && !seen[w.Key[:2]] {
			seen[w.Key[:2]] = true
			prefixes = append(prefixes, w.Key[:2])
		}
	}
	for _, s := range ss {
		if _, ok := s.WalkPrefix("a"); !ok {
			continue
		}
		b.Run(s.Name(), func(b *testing.B) {
			keys := 0
			i := 0
			for b.Loop() {
				n, _ := s.WalkPrefix(prefixes[i%len(prefixes)])
				keys += n
				i++
			}
			b.ReportMetric(float64(keys)/b.Elapsed().Seconds(), "keys/s")
		})
	}
}

// BenchmarkTopK asks for the 10 heaviest completions of 1-, 2- and 3-byte
// prefixes of random words: best-first in the trie, a range scan in the
// sorted slice, walk-and-sort in the radix trees.
func BenchmarkTopK(b *testing.B) {
	ss, words := structures(b)
	r := rand.New(rand.NewPCG(3, 4))
	for l := 1; l <= 3; l++ {
		var qs []string
		for len(qs) < 1000 {
			if w := words[r.IntN(len(words))].Key; len(w) >= l {
				qs = append(qs, w[:l])
			}
		}
		for _, s := range ss {
			if s.Name() == "map" {
				continue
			}
			b.Run(fmt.Sprintf("%dbyte/%s", l, s.Name()), func(b *testing.B) {
				i := 0
				for b.Loop() {
					s.TopK(qs[i%len(qs)], 10)
					i++
				}
			})
		}
		b.Run(fmt.Sprintf("%dbyte/trie-fuzzy", l), func(b *testing.B) {
			tr := ss[0].(interface{ Trie() *trie.Trie }).Trie()
			i := 0
			for b.Loop() {
				tr.FuzzyTopK([]byte(qs[i%len(qs)]), 10)
				i++
			}
		})
	}
}

// BenchmarkLoad compares decoding the serialized form with rebuilding the
// trie by inserting every word.
func BenchmarkLoad(b *testing.B) {
	words := loadWords(b)
	tr := trie.New()
	for _, w := range words {
		tr.PutEntry([]byte(w.Key), trie.Entry{Weight: w.Weight})
	}
	blob, _ := tr.MarshalBinary()
	b.Run("decode", func(b *testing.B) {
		b.SetBytes(int64(len(blob)))
		for b.Loop() {
			if _, err := trie.Decode(blob); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("rebuild", func(b *testing.B) {
		var buf []byte
		for b.Loop() {
			t := trie.New()
			for _, w := range words {
				buf = append(buf[:0], w.Key...)
				t.PutEntry(buf, trie.Entry{Weight: w.Weight})
			}
		}
	})
}
