package trie

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"github.com/kvlab/kvlab/kv"
)

// FuzzDecode: no input makes Decode panic; every error matches
// kv.ErrCorruption; whatever decodes passes Check and encodes back to the
// same bytes.
func FuzzDecode(f *testing.F) {
	for _, seed := range []uint64{0, 1, 2, 3} {
		tr, _ := randomTrie(seed, int(seed)*20)
		b, _ := tr.MarshalBinary()
		f.Add(b)
	}
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		tr, err := Decode(data)
		if err != nil {
			if !errors.Is(err, kv.ErrCorruption) {
				t.Fatalf("error %v does not match kv.ErrCorruption", err)
			}
			return
		}
		if err := tr.Check(); err != nil {
			t.Fatalf("decoded trie fails Check: %v", err)
		}
		// Walks and queries work on whatever decoded.
		n := 0
		for range tr.All() {
			n++
		}
		if n != tr.Len() {
			t.Fatalf("All yields %d keys, Len %d", n, tr.Len())
		}
		tr.TopK(nil, 3)
		tr.FuzzyTopK([]byte("ab"), 3)
		b, _ := tr.MarshalBinary()
		tr2, err := Decode(b)
		if err != nil {
			t.Fatalf("re-encoded trie does not decode: %v", err)
		}
		b2, _ := tr2.MarshalBinary()
		if !bytes.Equal(b, b2) {
			t.Fatal("encoding is not stable")
		}
	})
}

// FuzzOps runs an operation sequence read from the input against the model
// and checks every result and the invariants.
func FuzzOps(f *testing.F) {
	f.Add([]byte("\x00abc\x01\x00ab\x02\x03abc\x04ab"))
	f.Add([]byte("\x00a\x00ab\x00abc\x03a\x03ab\x05a"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tr, m := New(), model{}
		for i := 0; len(data) >= 2 && i < 200; i++ {
			op := data[0]
			n := int(data[1]) % 5
			data = data[2:]
			n = min(n, len(data))
			k := data[:n]
			data = data[n:]
			w := uint64(op >> 3)
			ctx := fmt.Sprintf("op %d (%d %q)", i, op&7, k)
			switch op & 7 {
			case 0, 1:
				tr.PutEntry(k, Entry{Value: uint64(i), Weight: w})
				m[string(k)] = Entry{Value: uint64(i), Weight: w}
			case 2:
				if _, ok := m[string(k)]; ok {
					e := m[string(k)]
					e.Weight = w
					m[string(k)] = e
				}
				tr.SetWeight(k, w)
			case 3:
				e := m[string(k)]
				e.Weight += w
				m[string(k)] = e
				tr.AddWeight(k, w)
			case 4, 5:
				tr.Delete(k)
				delete(m, string(k))
			case 6:
				checkTopK(t, tr, m, k, int(w%4)+1, false, ctx)
			case 7:
				checkTopK(t, tr, m, k, int(w%4)+1, true, ctx)
			}
			if err := tr.Check(); err != nil {
				t.Fatalf("%s: %v", ctx, err)
			}
		}
		compare(t, tr, m, "end")
	})
}
