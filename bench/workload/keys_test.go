package workload

import (
	"bytes"
	"compress/flate"
	"testing"

	"github.com/golang/snappy"
)

func TestKeysOrderAndMissing(t *testing.T) {
	f := KeyFormat{Size: 16}
	prev := f.Key(0)
	for n := uint64(1); n < 2000; n++ {
		k := f.Key(n)
		if len(k) != 16 || bytes.Compare(prev, k) >= 0 {
			t.Fatalf("key %d %q does not sort after %q", n, k, prev)
		}
		m := make([]byte, 16)
		f.EncodeMissing(m, n-1)
		if !(bytes.Compare(prev, m) < 0 && bytes.Compare(m, k) < 0) {
			t.Fatalf("missing key %q is not between %q and %q", m, prev, k)
		}
		prev = k
	}
	h := KeyFormat{Size: 8, Hashed: true}
	seen := map[string]bool{}
	for n := uint64(0); n < 5000; n++ {
		seen[string(h.Key(n))] = true
	}
	m := make([]byte, 8)
	for n := uint64(0); n < 5000; n++ {
		h.EncodeMissing(m, n)
		if seen[string(m)] {
			t.Fatalf("missing key of %d is a present key", n)
		}
	}
	if len(seen) != 5000 {
		t.Fatalf("hashed keys collide: %d distinct of 5000", len(seen))
	}
	if (KeyFormat{Size: 7}).Validate() == nil {
		t.Fatal("7-byte keys accepted")
	}
}

// TestEachValueCompressible compresses each value on its own, as a table
// block of unrelated keys sees it: with the default 100-byte values cut
// from a client's start, each must shrink to about the compressibility.
func TestEachValueCompressible(t *testing.T) {
	for _, c := range []float64{0.25, 0.5} {
		src := NewValueSource(1, c, DefaultValueSize)
		for stream := range uint64(4) {
			g := ValueGen{src: src, r: NewRNG(1, stream), size: ValueSize{DefaultValueSize, DefaultValueSize}, pos: valueStart(1, stream<<8)}
			in, out := 0, 0
			for range 1000 {
				v := g.Next()
				in += len(v)
				out += len(snappy.Encode(nil, v))
			}
			if ratio := float64(out) / float64(in); ratio > c+0.1 {
				t.Errorf("compressibility %g, stream %d: snappy kept %.2f of each value", c, stream, ratio)
			}
		}
	}
}

func TestValueSizesAndCompressibility(t *testing.T) {
	for _, c := range []float64{0.25, 0.5, 1} {
		src := NewValueSource(1, c, 1000)
		g := ValueGen{src: src, r: NewRNG(1, 1), size: ValueSize{100, 1000}}
		var all bytes.Buffer
		for range 2000 {
			v := g.Next()
			if len(v) < 100 || len(v) > 1000 {
				t.Fatalf("value of %d bytes outside 100-1000", len(v))
			}
			all.Write(v)
		}
		var z bytes.Buffer
		w, _ := flate.NewWriter(&z, flate.BestSpeed)
		w.Write(all.Bytes())
		w.Close()
		ratio := float64(z.Len()) / float64(all.Len())
		if ratio < c-0.1 || ratio > c+0.15 {
			t.Errorf("compressibility %g: deflate kept %.2f of the bytes", c, ratio)
		}
	}
	for in, want := range map[string]ValueSize{"100": {100, 100}, "1KiB": {1024, 1024}, "10-4KiB": {10, 4096}} {
		if got, err := ParseValueSize(in); err != nil || got != want {
			t.Errorf("ParseValueSize(%q) = %v, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "x", "-5", "10-5", "1GiB"} {
		if _, err := ParseValueSize(bad); err == nil {
			t.Errorf("ParseValueSize(%q) accepted", bad)
		}
	}
}

// TestKeyFormatRoundTrip: Decode inverts Encode in every style, hashed or
// not, and refuses missing keys; YCSB-style keys read as "user" and
// digits and sort in number order when not hashed.
func TestKeyFormatRoundTrip(t *testing.T) {
	for _, f := range []KeyFormat{
		{Size: 16}, {Size: 8, Hashed: true}, {Size: 16, Hashed: true},
		{Size: YCSBKeySize, Style: KeyYCSB}, {Size: YCSBKeySize, Style: KeyYCSB, Hashed: true},
		{Size: 16, Style: KeyYCSB, Hashed: true}, {Size: 30, Style: KeyYCSB, Hashed: true},
	} {
		if err := f.Validate(); err != nil {
			t.Fatalf("%v: %v", f, err)
		}
		seen := map[string]bool{}
		var prev []byte
		for _, n := range []uint64{0, 1, 2, 3, 9, 10, 99, 1000, 123456, 999999, 1 << 20} {
			k := f.Key(n)
			if got, ok := f.Decode(k); !ok || got != n {
				t.Fatalf("%v: key %q of %d decodes as %d, %v", f, k, n, got, ok)
			}
			if seen[string(k)] {
				t.Fatalf("%v: key %q repeats", f, k)
			}
			seen[string(k)] = true
			m := make([]byte, f.Size)
			f.EncodeMissing(m, n)
			if got, ok := f.Decode(m); ok && got < 1<<62 {
				t.Fatalf("%v: missing key %q decodes", f, m)
			}
			if f.Style == KeyYCSB {
				if !bytes.HasPrefix(k, []byte("user")) || len(bytes.Trim(k[4:], "0123456789.")) > 0 {
					t.Fatalf("%v: key %q is not user and digits", f, k)
				}
				if !f.Hashed && prev != nil && bytes.Compare(prev, k) >= 0 {
					t.Fatalf("%v: key %q does not sort after %q", f, k, prev)
				}
			}
			prev = k
		}
	}
	k := KeyFormat{Size: YCSBKeySize, Style: KeyYCSB}.Key(42)
	if string(k) != "user0000000000000000042" {
		t.Fatalf("ycsb key of 42 = %q", k)
	}
	if (KeyFormat{Size: 13, Style: KeyYCSB}).Validate() == nil {
		t.Fatal("13-byte YCSB keys accepted")
	}
	if _, err := ParseKeyStyle("hex"); err == nil {
		t.Fatal("key format hex accepted")
	}
}

func TestPermutationInverse(t *testing.T) {
	for _, n := range []uint64{1, 2, 7, 1000, 1e12, 1e19} {
		p := NewPermutation(n, 99)
		for i := uint64(0); i < min(n, 500); i++ {
			x := i * (n / min(n, 500))
			if got := p.Inverse(p.At(x)); got != x {
				t.Fatalf("n %d: Inverse(At(%d)) = %d", n, x, got)
			}
		}
	}
	for _, z := range []uint64{0, 1, 42, 1<<64 - 1, 0xdeadbeef} {
		if got := unmix64(mix64(z)); got != z {
			t.Fatalf("unmix64(mix64(%d)) = %d", z, got)
		}
	}
}
