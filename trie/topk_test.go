package trie

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"
)

// bigTrie inserts n keys "p<number>..." of assorted lengths with weights
// from w.
func bigTrie(n int, r *rand.Rand, w func(i int) uint64) (*Trie, model) {
	tr, m := New(), model{}
	for i := range n {
		k := []byte(strconv.FormatUint(r.Uint64N(uint64(n)*10), 36))
		if r.IntN(3) == 0 {
			k = append(k, "xyz"[:r.IntN(3)]...)
		}
		e := Entry{Value: uint64(i), Weight: w(i)}
		tr.PutEntry(k, e)
		m[string(k)] = e
	}
	return tr, m
}

func TestTopKRandomWeights(t *testing.T) {
	seed := uint64(11)
	r := rand.New(rand.NewPCG(seed, 1))
	tr, m := bigTrie(scale(20000), r, func(int) uint64 { return r.Uint64N(1 << 20) })
	for _, p := range []string{"", "1", "a", "zz", "12", "q9", "nope!"} {
		for _, k := range []int{1, 10, 100} {
			checkTopK(t, tr, m, []byte(p), k, false, fmt.Sprintf("seed %d", seed))
			checkTopK(t, tr, m, []byte(p), k, true, fmt.Sprintf("seed %d", seed))
		}
	}
}

func TestTopKAllEqualWeights(t *testing.T) {
	r := rand.New(rand.NewPCG(12, 1))
	tr, m := bigTrie(scale(20000), r, func(int) uint64 { return 7 })
	for _, p := range []string{"", "1", "a", "z", "12x"} {
		for _, k := range []int{1, 10, 1000} {
			checkTopK(t, tr, m, []byte(p), k, false, "all equal")
			checkTopK(t, tr, m, []byte(p), k, true, "all equal")
		}
	}
}

func TestTopKOneHeavyKeyDeep(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 1))
	tr, m := bigTrie(scale(20000), r, func(int) uint64 { return r.Uint64N(10) })
	deep := []byte("1aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")
	tr.PutEntry(deep, Entry{Value: 1, Weight: 1 << 40})
	m[string(deep)] = Entry{Value: 1, Weight: 1 << 40}
	for _, p := range []string{"", "1", "1a", "1aaaa"} {
		got := tr.TopK([]byte(p), 3)
		if len(got) == 0 || string(got[0].Key) != string(deep) {
			t.Fatalf("TopK(%q) did not put the heavy key first: %v", p, fmtC(got))
		}
		checkTopK(t, tr, m, []byte(p), 5, false, "heavy deep")
	}
	// Lighten it, then delete it: the recorded maxima must follow.
	tr.SetWeight(deep, 0)
	m[string(deep)] = Entry{Value: 1, Weight: 0}
	checkTopK(t, tr, m, []byte("1"), 5, false, "heavy lightened")
	tr.Delete(deep)
	delete(m, string(deep))
	checkTopK(t, tr, m, []byte("1"), 5, false, "heavy deleted")
	if err := tr.Check(); err != nil {
		t.Fatal(err)
	}
}

func TestTopKEdgeCases(t *testing.T) {
	tr := New()
	if got := tr.TopK(nil, 5); len(got) != 0 {
		t.Fatalf("empty trie: %v", got)
	}
	tr.PutEntry([]byte("ab"), Entry{Weight: 3})
	tr.PutEntry([]byte("abc"), Entry{Weight: 3})
	tr.PutEntry([]byte("b"), Entry{Weight: 9})
	if got := tr.TopK(nil, 0); got != nil {
		t.Fatalf("k=0: %v", got)
	}
	got := tr.TopK([]byte("a"), 10)
	if len(got) != 2 || string(got[0].Key) != "ab" || string(got[1].Key) != "abc" {
		t.Fatalf("TopK(a) = %v", fmtC(got))
	}
	// Keys returned are the caller's: changing them changes nothing.
	got[0].Key[0] = 'z'
	if !tr.Contains([]byte("ab")) {
		t.Fatal("result key aliases the trie")
	}
	// A one-byte typo: "xb" is one substitution from "ab".
	got = tr.FuzzyTopK([]byte("xbc"), 10)
	if len(got) != 1 || string(got[0].Key) != "abc" {
		t.Fatalf("FuzzyTopK(xbc) = %v", fmtC(got))
	}
}

// TestConcurrentReaders: any number of goroutines may read one trie at
// once (run under -race).
func TestConcurrentReaders(t *testing.T) {
	r := rand.New(rand.NewPCG(14, 1))
	tr, m := bigTrie(scale(5000), r, func(int) uint64 { return r.Uint64N(100) })
	want := bruteTopK(m, func(string) bool { return true }, 10)
	done := make(chan error)
	for g := range 4 {
		go func() {
			var err error
			for i := range 200 {
				if got := tr.TopK(nil, 10); !equalCompletions(got, want) {
					err = fmt.Errorf("goroutine %d: TopK differs", g)
				}
				tr.FuzzyTopK([]byte("1a"), 5)
				tr.Get([]byte(strconv.Itoa(i)))
				n := 0
				tr.WalkPrefix([]byte("1"), func([]byte, Entry) bool { n++; return n < 50 })
			}
			done <- err
		}()
	}
	for range 4 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}
