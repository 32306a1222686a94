package invertedindex

import (
	"errors"
	"testing"

	"github.com/kvlab/kvlab/kv"
)

// FuzzParseQuery: the parser never panics, every error is a *ParseError
// with a position inside the input, and a parsed query renders to a string
// that parses again.
func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{"a", `"a b"`, "pre*", "+a -b", "a OR b", "f:w", "(a (b OR c)) -d", `f:"x y"`, "f:(a b)",
		"((", `"`, "OR", "a OR", ":x", "*", "+", "a:b:c", "(a OR +b)", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := ParseQuery(s)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Pos < 0 || pe.Pos > len(s) {
				t.Fatalf("%q: error %v", s, err)
			}
			return
		}
		_ = q.String()
	})
}

// FuzzChunk: decoding an arbitrary chunk never panics; what decodes
// without error is consistent, and a valid chunk re-encodes to itself.
func FuzzChunk(f *testing.F) {
	f.Add(uint64(10), appendChunk(nil, []posting{{doc: 3, len: 4, pos: []uint32{0, 2}}, {doc: 10, len: 1, pos: []uint32{5}}}))
	f.Add(uint64(1), appendChunk(nil, []posting{{doc: 1, len: 0, pos: []uint32{0}}}))
	f.Add(uint64(7), []byte{1, 0, 1, 0, 0, 1, 1, 1, 1, 0})
	f.Fuzz(func(t *testing.T, last uint64, v []byte) {
		var c chunk
		if err := parseChunk(&c, last, v); err != nil {
			if !errors.Is(err, kv.ErrCorruption) {
				t.Fatalf("error %v does not match kv.ErrCorruption", err)
			}
			return
		}
		if err := c.decodeAll(); err != nil {
			if !errors.Is(err, kv.ErrCorruption) {
				t.Fatalf("error %v does not match kv.ErrCorruption", err)
			}
			return
		}
		ps := c.postings(nil)
		if len(ps) != c.n || ps[len(ps)-1].doc != last {
			t.Fatalf("%d postings ending at %d; header says %d ending at %d", len(ps), ps[len(ps)-1].doc, c.n, last)
		}
		if got := appendChunk(nil, ps); string(got) != string(v) {
			// Non-minimal varints decode but re-encode shorter; the
			// re-encoding must decode to the same postings.
			var c2 chunk
			if err := parseChunk(&c2, last, got); err != nil {
				t.Fatal(err)
			}
			if err := c2.decodeAll(); err != nil {
				t.Fatal(err)
			}
			ps2 := c2.postings(nil)
			for i := range ps {
				if ps[i].doc != ps2[i].doc || ps[i].len != ps2[i].len || len(ps[i].pos) != len(ps2[i].pos) {
					t.Fatalf("re-encoding changed posting %d", i)
				}
			}
		}
	})
}

// FuzzDocRecord: decoding an arbitrary document record never panics and
// fails only with kv.ErrCorruption; a decoded record re-encodes to a value
// that decodes to the same record.
func FuzzDocRecord(f *testing.F) {
	r := docRecord{ID: "x", Text: []textField{{0, 2, "a b"}, {3, 0, ""}}, Stored: []storedField{{"k", "v"}}}
	f.Add(r.encode(nil), 4)
	f.Add([]byte{0, 0, 0}, 1)
	f.Fuzz(func(t *testing.T, v []byte, nFields int) {
		nFields = nFields & 0xff
		d, err := decodeDocRecord(v, nFields)
		if err != nil {
			if !errors.Is(err, kv.ErrCorruption) {
				t.Fatalf("error %v does not match kv.ErrCorruption", err)
			}
			return
		}
		d2, err := decodeDocRecord(d.encode(nil), nFields)
		if err != nil || d2.ID != d.ID || len(d2.Text) != len(d.Text) || len(d2.Stored) != len(d.Stored) {
			t.Fatalf("round trip: %v", err)
		}
	})
}

// FuzzStats: decoding arbitrary statistics never panics; a decoded value
// re-encodes to itself.
func FuzzStats(f *testing.F) {
	s := stats{NextDoc: 5, LiveDocs: 3, Deleted: 1, Postings: 20, Chunks: 4, Fields: []fieldStats{{3, 30}}}
	f.Add(s.encode())
	f.Fuzz(func(t *testing.T, v []byte) {
		s, err := decodeStats(v)
		if err != nil {
			if !errors.Is(err, kv.ErrCorruption) {
				t.Fatalf("error %v does not match kv.ErrCorruption", err)
			}
			return
		}
		if _, err := decodeStats(s.encode()); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzChunkKey: parsing an arbitrary key never panics, and a parsed key is
// rebuilt exactly.
func FuzzChunkKey(f *testing.F) {
	f.Add(chunkKey(nil, 3, "term", 99))
	f.Fuzz(func(t *testing.T, k []byte) {
		field, term, last, ok := parseChunkKey(k)
		if !ok {
			return
		}
		if got := chunkKey(nil, field, string(term), last); string(got) != string(k) {
			// A non-minimal field varint parses but rebuilds shorter.
			if f2, t2, l2, ok2 := parseChunkKey(got); !ok2 || f2 != field || string(t2) != string(term) || l2 != last {
				t.Fatalf("key %q rebuilt as %q", k, got)
			}
		}
	})
}

func TestParseErrorsNamePositions(t *testing.T) {
	for q, want := range map[string]int{
		`a (b`:      2,
		`a "b c`:    2,
		`a)`:        1,
		`OR a`:      0,
		`a OR`:      2,
		`a OR -b`:   5,
		`x: y`:      2,
		`:y`:        0,
		`*`:         0,
		`+ a`:       0,
		`()`:        0,
		`a ""`:      2,
		`(a OR (b`:  6,
		`f:"x" g:(`: 8,
		`pre.fix*`:  3,
	} {
		_, err := ParseQuery(q)
		var pe *ParseError
		if !errors.As(err, &pe) || pe.Pos != want {
			t.Errorf("%q: error %v, want one at position %d", q, err, want)
		}
	}
}
