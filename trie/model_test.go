package trie

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"testing"
)

// scale returns n, a tenth of it with -short, ten times it with
// KVTEST_LONG=1.
func scale(n int) int {
	switch {
	case os.Getenv("KVTEST_LONG") != "":
		return 10 * n
	case testing.Short():
		return max(n/10, 1)
	}
	return n
}

// model is the reference: a map plus sorting.
type model map[string]Entry

func (m model) sortedKeys() []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// randKey draws keys from a small alphabet so that they share prefixes,
// split edges and merge back when deleted.
func randKey(r *rand.Rand) []byte {
	n := r.IntN(7)
	k := make([]byte, n)
	for i := range k {
		k[i] = "abcd\x00\xff"[r.IntN(6)]
	}
	return k
}

// compare checks t against m in full: Get, Lookup, iteration, Check.
func compare(t *testing.T, tr *Trie, m model, ctx string) {
	t.Helper()
	if err := tr.Check(); err != nil {
		t.Fatalf("%s: Check: %v", ctx, err)
	}
	if tr.Len() != len(m) {
		t.Fatalf("%s: Len %d, model %d", ctx, tr.Len(), len(m))
	}
	keys := m.sortedKeys()
	var got []string
	for k, e := range tr.All() {
		got = append(got, string(k))
		if m[string(k)] != e {
			t.Fatalf("%s: All: %q has %v, model %v", ctx, k, e, m[string(k)])
		}
	}
	if !slices.Equal(got, keys) && !(len(got) == 0 && len(keys) == 0) {
		t.Fatalf("%s: All = %q, model %q", ctx, got, keys)
	}
	for _, k := range keys {
		if e, ok := tr.Lookup([]byte(k)); !ok || e != m[k] {
			t.Fatalf("%s: Lookup(%q) = %v %v, model %v", ctx, k, e, ok, m[k])
		}
	}
}

func TestRandomOpsAgainstModel(t *testing.T) {
	seeds := scale(40)
	for seed := uint64(1); seed <= uint64(seeds); seed++ {
		r := rand.New(rand.NewPCG(seed, 0x7e1e))
		tr := New()
		m := model{}
		ops := 400
		for i := 0; i < ops; i++ {
			k := randKey(r)
			ctx := fmt.Sprintf("seed %d op %d", seed, i)
			switch op := r.IntN(10); {
			case op < 3:
				e := Entry{Value: r.Uint64N(100), Weight: r.Uint64N(50)}
				added := tr.PutEntry(k, e)
				_, had := m[string(k)]
				if added == had {
					t.Fatalf("%s: PutEntry(%q) added=%v, model had=%v", ctx, k, added, had)
				}
				m[string(k)] = e
			case op < 4:
				v := r.Uint64N(100)
				tr.Put(k, v)
				e := m[string(k)]
				e.Value = v
				m[string(k)] = e
			case op < 5:
				w := r.Uint64N(50)
				_, had := m[string(k)]
				if tr.SetWeight(k, w) != had {
					t.Fatalf("%s: SetWeight(%q) disagrees on presence", ctx, k)
				}
				if had {
					e := m[string(k)]
					e.Weight = w
					m[string(k)] = e
				}
			case op < 6:
				d := r.Uint64N(5)
				e := m[string(k)]
				e.Weight += d
				m[string(k)] = e
				if got := tr.AddWeight(k, d); got != e.Weight {
					t.Fatalf("%s: AddWeight(%q) = %d, want %d", ctx, k, got, e.Weight)
				}
			default:
				_, had := m[string(k)]
				if tr.Delete(k) != had {
					t.Fatalf("%s: Delete(%q) disagrees on presence", ctx, k)
				}
				delete(m, string(k))
			}
			if _, ok := tr.Get(k); ok != (func() bool { _, ok := m[string(k)]; return ok })() {
				t.Fatalf("%s: Get(%q) presence wrong", ctx, k)
			}
			if err := tr.Check(); err != nil {
				t.Fatalf("%s: after op on %q: %v", ctx, k, err)
			}
			if i%50 == 0 {
				checkQueries(t, tr, m, r, ctx)
			}
		}
		compare(t, tr, m, fmt.Sprintf("seed %d end", seed))
		checkQueries(t, tr, m, r, fmt.Sprintf("seed %d end", seed))
		// Delete everything: the trie must shrink back to a bare root.
		for _, k := range m.sortedKeys() {
			tr.Delete([]byte(k))
		}
		if st := tr.Stats(); st.Nodes != 1 || tr.Len() != 0 || tr.MaxWeight() != 0 {
			t.Fatalf("seed %d: emptied trie has %d nodes, Len %d, max %d", seed, st.Nodes, tr.Len(), tr.MaxWeight())
		}
	}
}

// checkQueries compares Seek, prefix walks, LongestPrefix and TopK with the
// model for a few random probes.
func checkQueries(t *testing.T, tr *Trie, m model, r *rand.Rand, ctx string) {
	t.Helper()
	keys := m.sortedKeys()
	for range 8 {
		p := randKey(r)
		// From / Seek.
		i, _ := slices.BinarySearch(keys, string(p))
		var got []string
		for k := range tr.From(p) {
			got = append(got, string(k))
		}
		if want := keys[i:]; !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Fatalf("%s: From(%q) = %q, want %q", ctx, p, got, want)
		}
		// Prefix and WalkPrefix with early stop.
		var want []string
		for _, k := range keys {
			if bytes.HasPrefix([]byte(k), p) {
				want = append(want, k)
			}
		}
		got = got[:0]
		for k, e := range tr.Prefix(p) {
			got = append(got, string(k))
			if e != m[string(k)] {
				t.Fatalf("%s: Prefix(%q): %q entry %v, model %v", ctx, p, k, e, m[string(k)])
			}
		}
		if !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Fatalf("%s: Prefix(%q) = %q, want %q", ctx, p, got, want)
		}
		if len(want) > 1 {
			n := 0
			done := tr.WalkPrefix(p, func([]byte, Entry) bool { n++; return n < 2 })
			if done || n != 2 {
				t.Fatalf("%s: WalkPrefix(%q) early stop: done=%v after %d", ctx, p, done, n)
			}
		}
		// LongestPrefix.
		wantN := -1
		for j := len(p); j >= 0; j-- {
			if _, ok := m[string(p[:j])]; ok {
				wantN = j
				break
			}
		}
		n, e, ok := tr.LongestPrefix(p)
		if ok != (wantN >= 0) || (ok && (n != wantN || e != m[string(p[:n])])) {
			t.Fatalf("%s: LongestPrefix(%q) = %d %v %v, want %d", ctx, p, n, e, ok, wantN)
		}
		// TopK and FuzzyTopK against brute force.
		k := 1 + r.IntN(6)
		checkTopK(t, tr, m, p, k, false, ctx)
		checkTopK(t, tr, m, p, k, true, ctx)
	}
}

// bruteTopK is the reference TopK: filter, sort, cut.
func bruteTopK(m model, match func(k string) bool, k int) []Completion {
	var all []Completion
	for key, e := range m {
		if match(key) {
			all = append(all, Completion{Key: []byte(key), Value: e.Value, Weight: e.Weight})
		}
	}
	slices.SortFunc(all, func(a, b Completion) int {
		if a.Weight != b.Weight {
			if a.Weight > b.Weight {
				return -1
			}
			return 1
		}
		return bytes.Compare(a.Key, b.Key)
	})
	return all[:min(k, len(all))]
}

// withinOne reports whether some prefix of key is within Levenshtein
// distance 1 of p.
func withinOne(key, p string) bool {
	for j := 0; j <= len(key); j++ {
		if lev(key[:j], p) <= 1 {
			return true
		}
	}
	return false
}

func lev(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := prev[j-1]
			if a[i-1] != b[j-1] {
				c++
			}
			cur[j] = min(c, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func checkTopK(t *testing.T, tr *Trie, m model, p []byte, k int, fuzzy bool, ctx string) {
	t.Helper()
	var got, want []Completion
	if fuzzy {
		got = tr.FuzzyTopK(p, k)
		want = bruteTopK(m, func(key string) bool { return withinOne(key, string(p)) }, k)
	} else {
		got = tr.TopK(p, k)
		want = bruteTopK(m, func(key string) bool { return bytes.HasPrefix([]byte(key), p) }, k)
	}
	if !equalCompletions(got, want) {
		t.Fatalf("%s: TopK(%q, %d, fuzzy=%v) =\n%v\nwant\n%v", ctx, p, k, fuzzy, fmtC(got), fmtC(want))
	}
}

func equalCompletions(a, b []Completion) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i].Key, b[i].Key) || a[i].Value != b[i].Value || a[i].Weight != b[i].Weight {
			return false
		}
	}
	return true
}

func fmtC(cs []Completion) string {
	var b bytes.Buffer
	for _, c := range cs {
		fmt.Fprintf(&b, "  %q w=%d v=%d\n", c.Key, c.Weight, c.Value)
	}
	return b.String()
}

// TestGarbageIsReclaimed deletes most of a trie of long keys: the label
// arena is rewritten along the way, Compact gives back the rest, and the
// contents stay right throughout.
func TestGarbageIsReclaimed(t *testing.T) {
	tr, m := New(), model{}
	r := rand.New(rand.NewPCG(21, 1))
	n := scale(20000)
	for i := range n {
		k := fmt.Appendf(nil, "%08x/%s", r.Uint32(), bytes.Repeat([]byte{'a' + byte(i%26)}, 20))
		e := Entry{Value: uint64(i), Weight: uint64(i)}
		tr.PutEntry(k, e)
		m[string(k)] = e
	}
	before := tr.Stats().ArenaBytes
	compactions := 0
	for i, k := range m.sortedKeys() {
		if i%10 == 0 {
			continue
		}
		garbage := tr.labGarbage
		tr.Delete([]byte(k))
		delete(m, k)
		if tr.labGarbage < garbage {
			compactions++
		}
	}
	if compactions == 0 && n >= 10000 {
		t.Fatal("the label arena was never rewritten")
	}
	compare(t, tr, m, "after deletes")
	tr.Compact()
	compare(t, tr, m, "after Compact")
	if after := tr.Stats().ArenaBytes; after > before/5 {
		t.Fatalf("arena %d bytes after deleting 90%% and Compact, was %d", after, before)
	}
}
