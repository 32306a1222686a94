package kvtest

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/kvlab/kvlab/kv"
)

// model is the reference: a plain map, sorted when iterated.
type model map[string]string

func (m model) apply(b *kv.Batch) {
	r := b.Reader()
	for {
		kind, k, v, ok := r.Next()
		if !ok {
			return
		}
		switch kind {
		case kv.OpSet:
			m[string(k)] = string(v)
		case kv.OpDelete:
			delete(m, string(k))
		case kv.OpDeleteRange:
			for key := range m {
				if key >= string(k) && key < string(v) {
					delete(m, key)
				}
			}
		}
	}
}

func (m model) clone() model {
	c := make(model, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// sorted returns the keys within o's bounds, ascending.
func (m model) sorted(o kv.IterOptions) []string {
	var keys []string
	for k := range m {
		if o.Contains([]byte(k)) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

func (m model) equal(o model) bool {
	if len(m) != len(o) {
		return false
	}
	for k, v := range m {
		if w, ok := o[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// diff describes how got differs from want, briefly.
func (m model) diff(got model) string {
	var out []string
	for _, k := range m.sorted(kv.IterOptions{}) {
		if v, ok := got[k]; !ok {
			out = append(out, fmt.Sprintf("missing %q", k))
		} else if v != m[k] {
			out = append(out, fmt.Sprintf("%q = %.20q, want %.20q", k, v, m[k]))
		}
	}
	for _, k := range got.sorted(kv.IterOptions{}) {
		if _, ok := m[k]; !ok {
			out = append(out, fmt.Sprintf("unexpected %q", k))
		}
	}
	if len(out) > 8 {
		out = append(out[:8], fmt.Sprintf("... %d differences", len(out)))
	}
	return fmt.Sprint(out)
}

// reader is what the checks read through: an engine or a snapshot.
type reader interface {
	Get(key []byte) ([]byte, error)
	NewIterator(o kv.IterOptions) (kv.Iterator, error)
}

// readAll returns the whole contents of an engine or snapshot through an
// iterator.
func readAll(db reader) (model, error) {
	it, err := db.NewIterator(kv.IterOptions{})
	if err != nil {
		return nil, err
	}
	m := model{}
	var prev []byte
	for ok := it.First(); ok; ok = it.Next() {
		if prev != nil && bytes.Compare(prev, it.Key()) >= 0 {
			it.Close()
			return nil, fmt.Errorf("iterator out of order: %q then %q", prev, it.Key())
		}
		prev = append(prev[:0], it.Key()...)
		m[string(it.Key())] = string(it.Value())
	}
	return m, it.Close()
}

// checkDB compares the engine with the model through Get on every key the
// model or keys name and through a full scan.
func checkDB(t *testing.T, db reader, want model, keys []string, ctx string) {
	t.Helper()
	got, err := readAll(db)
	if err != nil {
		t.Fatalf("%s: scan: %v", ctx, err)
	}
	if !want.equal(got) {
		t.Fatalf("%s: scan differs from model: %s", ctx, want.diff(got))
	}
	for _, k := range append(keys, want.sorted(kv.IterOptions{})...) {
		v, err := db.Get([]byte(k))
		w, ok := want[k]
		switch {
		case ok && err != nil:
			t.Fatalf("%s: Get(%q): %v, want %.20q", ctx, k, err, w)
		case ok && string(v) != w:
			t.Fatalf("%s: Get(%q) = %.20q, want %.20q", ctx, k, v, w)
		case !ok && !errors.Is(err, kv.ErrNotFound):
			t.Fatalf("%s: Get(%q) = %.20q, %v; want ErrNotFound", ctx, k, v, err)
		}
	}
}

// keyGen draws keys from a small space so that overwrites and deletes hit.
type keyGen struct {
	r     *rand.Rand
	space int
}

func (g keyGen) key() string {
	n := g.r.IntN(g.space)
	switch n % 7 {
	case 0:
		return fmt.Sprintf("k%d", n) // short, varying length
	case 1:
		return fmt.Sprintf("key/%08d/%s", n, bytes.Repeat([]byte("x"), n%40))
	default:
		return fmt.Sprintf("key/%08d", n)
	}
}

// span returns the bounds of a random DeleteRange: mostly a short run of
// the numbered keys (so that a range removes a few keys, not most of the
// store), sometimes two arbitrary keys, sometimes an empty range.
func (g keyGen) span() (start, end string) {
	switch g.r.IntN(10) {
	case 0:
		a, b := g.key(), g.key()
		return min(a, b), max(a, b)
	case 1:
		k := g.key()
		return k, k
	}
	n := g.r.IntN(g.space)
	return fmt.Sprintf("key/%08d", n), fmt.Sprintf("key/%08d", n+1+g.r.IntN(max(g.space/25, 2)))
}

func randValue(r *rand.Rand) string {
	switch r.IntN(20) {
	case 0:
		return ""
	case 1:
		return string(randBytes(r, 4000+r.IntN(8000)))
	}
	return string(randBytes(r, r.IntN(120)))
}

func randBytes(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('a' + r.IntN(26))
	}
	return b
}
