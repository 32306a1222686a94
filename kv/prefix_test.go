package kv

import (
	"bytes"
	"testing"
)

func TestPrefixBounds(t *testing.T) {
	for _, c := range []struct{ p, lo, hi string }{
		{"", "", "\x00nil"},
		{"a", "a", "b"},
		{"user/", "user/", "user0"},
		{"a\xff", "a\xff", "b"},
		{"\xff\xff", "\xff\xff", "\x00nil"},
		{"a\xfe\xff", "a\xfe\xff", "a\xff"},
	} {
		lo, hi := PrefixBounds([]byte(c.p))
		if string(lo) != c.lo {
			t.Errorf("PrefixBounds(%q) lower = %q, want %q", c.p, lo, c.lo)
		}
		if c.hi == "\x00nil" {
			if hi != nil {
				t.Errorf("PrefixBounds(%q) upper = %q, want nil", c.p, hi)
			}
		} else if string(hi) != c.hi {
			t.Errorf("PrefixBounds(%q) upper = %q, want %q", c.p, hi, c.hi)
		}
	}
	// Exhaustively over short keys: Contains agrees with HasPrefix.
	alphabet := []byte{0, 1, 'a', 0xfe, 0xff}
	var keys [][]byte
	var gen func(k []byte)
	gen = func(k []byte) {
		keys = append(keys, append([]byte{}, k...))
		if len(k) < 3 {
			for _, c := range alphabet {
				gen(append(k, c))
			}
		}
	}
	gen(nil)
	for _, p := range keys {
		o := PrefixOptions(p)
		for _, k := range keys {
			if got, want := o.Contains(k), bytes.HasPrefix(k, p); got != want {
				t.Fatalf("prefix %q, key %q: Contains = %v, HasPrefix = %v", p, k, got, want)
			}
		}
	}
}
