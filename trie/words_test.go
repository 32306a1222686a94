package trie_test

import (
	"bytes"
	"errors"
	"os"
	"slices"
	"testing"

	"github.com/kvlab/kvlab/trie"
	"github.com/kvlab/kvlab/trie/triebench"
)

// TestGoWordsEndToEnd runs a real word list — identifiers and selectors
// from the Go sources under GOROOT (200 files with -short, 1000 by
// default, all of them with KVTEST_LONG=1) — through the trie: build, lookups, ordered
// iteration, TopK against sorting, serialization, deleting half.
func TestGoWordsEndToEnd(t *testing.T) {
	maxFiles := 1000
	switch {
	case os.Getenv("KVTEST_LONG") != "":
		maxFiles = 0 // all of them
	case testing.Short():
		maxFiles = 200
	}
	words, info, err := triebench.GoWords(0, maxFiles)
	if errors.Is(err, triebench.ErrNoGoroot) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d words: %s", len(words), info)
	tr := trie.New()
	for i, w := range words {
		tr.PutEntry([]byte(w.Key), trie.Entry{Value: uint64(i), Weight: w.Weight})
	}
	if tr.Len() != len(words) {
		t.Fatalf("Len %d, want %d", tr.Len(), len(words))
	}
	if err := tr.Check(); err != nil {
		t.Fatal(err)
	}
	i := 0
	for k, e := range tr.All() {
		if string(k) != words[i].Key || e.Value != uint64(i) || e.Weight != words[i].Weight {
			t.Fatalf("All[%d] = %q %v, want %q", i, k, e, words[i].Key)
		}
		i++
	}
	for i, w := range words {
		if v, ok := tr.Get([]byte(w.Key)); !ok || v != uint64(i) {
			t.Fatalf("Get(%q) = %d %v", w.Key, v, ok)
		}
	}
	for _, p := range []string{"", "S", "str", "Read", "fmt.", "t.Fat", "http.", "x"} {
		got := tr.TopK([]byte(p), 10)
		var want []triebench.Word
		for _, w := range words {
			if len(w.Key) >= len(p) && w.Key[:len(p)] == p {
				want = append(want, w)
			}
		}
		slices.SortStableFunc(want, func(a, b triebench.Word) int {
			if a.Weight != b.Weight {
				if a.Weight > b.Weight {
					return -1
				}
				return 1
			}
			return 0 // words are sorted by key already
		})
		want = want[:min(10, len(want))]
		if len(got) != len(want) {
			t.Fatalf("TopK(%q): %d results, want %d", p, len(got), len(want))
		}
		for j := range got {
			if string(got[j].Key) != want[j].Key || got[j].Weight != want[j].Weight {
				t.Fatalf("TopK(%q)[%d] = %q/%d, want %q/%d", p, j, got[j].Key, got[j].Weight, want[j].Key, want[j].Weight)
			}
		}
	}
	b, err := tr.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	loaded, err := trie.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	b2, _ := loaded.MarshalBinary()
	if !bytes.Equal(b, b2) {
		t.Fatal("loaded trie encodes differently")
	}
	for i := 0; i < len(words); i += 2 {
		if !loaded.Delete([]byte(words[i].Key)) {
			t.Fatalf("Delete(%q) found nothing", words[i].Key)
		}
	}
	if err := loaded.Check(); err != nil {
		t.Fatal(err)
	}
	if loaded.Len() != len(words)/2 {
		t.Fatalf("after deleting half: Len %d, want %d", loaded.Len(), len(words)/2)
	}
	for i, w := range words {
		if _, ok := loaded.Get([]byte(w.Key)); ok != (i%2 == 1) {
			t.Fatalf("after deleting half: Get(%q) present=%v", w.Key, ok)
		}
	}
}
