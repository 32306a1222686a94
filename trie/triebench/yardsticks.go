package triebench

import (
	"slices"
	"sort"
	"strings"

	radix "github.com/armon/go-radix"
	iradix "github.com/hashicorp/go-immutable-radix/v2"

	"github.com/kvlab/kvlab/trie"
)

// Structure is one contestant: kvlab's trie or a yardstick, behind the
// operations the benchmark measures. Keys given to Build are copied by
// each structure as a caller with reused buffers would have to.
type Structure interface {
	// Name is the column heading.
	Name() string
	// Build inserts every word (keys are distinct).
	Build(words []Word)
	// Get looks key up and returns its weight.
	Get(key string, bkey []byte) (uint64, bool)
	// WalkPrefix visits every key starting with prefix and returns how
	// many; false when the structure cannot.
	WalkPrefix(prefix string) (int, bool)
	// TopK returns the k heaviest keys under prefix; false when the
	// structure has no way but the generic walk-and-sort.
	TopK(prefix string, k int) ([]string, bool)
}

// NewStructures returns kvlab's trie and the yardsticks, empty.
func NewStructures() []Structure {
	return []Structure{&trieS{}, &goRadixS{}, &iradixS{}, &mapS{}, &sortedS{}}
}

type trieS struct{ t *trie.Trie }

func (s *trieS) Name() string { return "trie" }
func (s *trieS) Build(words []Word) {
	s.t = trie.New()
	var buf []byte
	for _, w := range words {
		buf = append(buf[:0], w.Key...)
		s.t.PutEntry(buf, trie.Entry{Weight: w.Weight})
	}
}
func (s *trieS) Get(_ string, b []byte) (uint64, bool) {
	e, ok := s.t.Lookup(b)
	return e.Weight, ok
}
func (s *trieS) WalkPrefix(prefix string) (int, bool) {
	n := 0
	s.t.WalkPrefix([]byte(prefix), func([]byte, trie.Entry) bool { n++; return true })
	return n, true
}
func (s *trieS) TopK(prefix string, k int) ([]string, bool) {
	res := s.t.TopK([]byte(prefix), k)
	out := make([]string, len(res))
	for i, c := range res {
		out[i] = string(c.Key)
	}
	return out, true
}

// Trie returns the built trie.
func (s *trieS) Trie() *trie.Trie { return s.t }

type goRadixS struct{ t *radix.Tree }

func (s *goRadixS) Name() string { return "go-radix" }
func (s *goRadixS) Build(words []Word) {
	s.t = radix.New()
	for _, w := range words {
		s.t.Insert(strings.Clone(w.Key), w.Weight)
	}
}
func (s *goRadixS) Get(k string, _ []byte) (uint64, bool) {
	v, ok := s.t.Get(k)
	if !ok {
		return 0, false
	}
	return v.(uint64), true
}
func (s *goRadixS) WalkPrefix(prefix string) (int, bool) {
	n := 0
	s.t.WalkPrefix(prefix, func(string, any) bool { n++; return false })
	return n, true
}
func (s *goRadixS) TopK(prefix string, k int) ([]string, bool) {
	var all []Word
	s.t.WalkPrefix(prefix, func(key string, v any) bool {
		all = append(all, Word{key, v.(uint64)})
		return false
	})
	return sortTop(all, k), false
}

type iradixS struct{ t *iradix.Tree[uint64] }

func (s *iradixS) Name() string { return "iradix" }
func (s *iradixS) Build(words []Word) {
	txn := iradix.New[uint64]().Txn()
	for _, w := range words {
		txn.Insert([]byte(w.Key), w.Weight)
	}
	s.t = txn.Commit()
}
func (s *iradixS) Get(_ string, b []byte) (uint64, bool) { return s.t.Get(b) }
func (s *iradixS) WalkPrefix(prefix string) (int, bool) {
	n := 0
	s.t.Root().WalkPrefix([]byte(prefix), func([]byte, uint64) bool { n++; return false })
	return n, true
}
func (s *iradixS) TopK(prefix string, k int) ([]string, bool) {
	var all []Word
	s.t.Root().WalkPrefix([]byte(prefix), func(key []byte, v uint64) bool {
		all = append(all, Word{string(key), v})
		return false
	})
	return sortTop(all, k), false
}

type mapS struct{ m map[string]uint64 }

func (s *mapS) Name() string { return "map" }
func (s *mapS) Build(words []Word) {
	s.m = make(map[string]uint64)
	for _, w := range words {
		s.m[strings.Clone(w.Key)] = w.Weight
	}
}
func (s *mapS) Get(k string, _ []byte) (uint64, bool) { v, ok := s.m[k]; return v, ok }
func (s *mapS) WalkPrefix(string) (int, bool)         { return 0, false }
func (s *mapS) TopK(string, int) ([]string, bool)     { return nil, false }

// sortedS is the baseline: the words sorted by key, binary search for a
// prefix's range, a scan of the range keeping the k best.
type sortedS struct{ w []Word }

func (s *sortedS) Name() string { return "sorted" }
func (s *sortedS) Build(words []Word) {
	s.w = make([]Word, len(words))
	for i, w := range words {
		s.w[i] = Word{strings.Clone(w.Key), w.Weight}
	}
	slices.SortFunc(s.w, func(a, b Word) int { return strings.Compare(a.Key, b.Key) })
}
func (s *sortedS) Get(k string, _ []byte) (uint64, bool) {
	i := sort.Search(len(s.w), func(i int) bool { return s.w[i].Key >= k })
	if i < len(s.w) && s.w[i].Key == k {
		return s.w[i].Weight, true
	}
	return 0, false
}
func (s *sortedS) rangeOf(prefix string) []Word {
	lo := sort.Search(len(s.w), func(i int) bool { return s.w[i].Key >= prefix })
	hi := lo + sort.Search(len(s.w)-lo, func(i int) bool { return !strings.HasPrefix(s.w[lo+i].Key, prefix) })
	return s.w[lo:hi]
}
func (s *sortedS) WalkPrefix(prefix string) (int, bool) {
	n := 0
	for _, w := range s.rangeOf(prefix) {
		if w.Weight != ^uint64(0) {
			n++
		}
	}
	return n, true
}
func (s *sortedS) TopK(prefix string, k int) ([]string, bool) {
	// A bounded selection over the range: the k best so far, sorted.
	best := make([]Word, 0, k+1)
	for _, w := range s.rangeOf(prefix) {
		if len(best) == k && !better(w, best[k-1]) {
			continue
		}
		i := sort.Search(len(best), func(i int) bool { return better(w, best[i]) })
		best = slices.Insert(best, i, w)
		if len(best) > k {
			best = best[:k]
		}
	}
	out := make([]string, len(best))
	for i, w := range best {
		out[i] = w.Key
	}
	return out, true
}

// better orders words heaviest first, then by key.
func better(a, b Word) bool {
	if a.Weight != b.Weight {
		return a.Weight > b.Weight
	}
	return a.Key < b.Key
}

// sortTop sorts all and returns the k best keys: the walk-and-sort way.
func sortTop(all []Word, k int) []string {
	slices.SortFunc(all, func(a, b Word) int {
		if better(a, b) {
			return -1
		}
		if better(b, a) {
			return 1
		}
		return 0
	})
	out := make([]string, min(k, len(all)))
	for i := range out {
		out[i] = all[i].Key
	}
	return out
}
