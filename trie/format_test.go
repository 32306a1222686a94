package trie

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math/rand/v2"
	"testing"

	"github.com/kvlab/kvlab/kv"
)

// randomTrie builds a trie and its model from seed.
func randomTrie(seed uint64, ops int) (*Trie, model) {
	r := rand.New(rand.NewPCG(seed, 0xf0f0))
	tr, m := New(), model{}
	for range ops {
		k := randKey(r)
		if r.IntN(4) == 0 {
			tr.Delete(k)
			delete(m, string(k))
			continue
		}
		e := Entry{Value: r.Uint64(), Weight: r.Uint64N(1000)}
		tr.PutEntry(k, e)
		m[string(k)] = e
	}
	return tr, m
}

func TestEncodeDecodeRoundTrip(t *testing.T) {
	for seed := uint64(0); seed < uint64(scale(50)); seed++ {
		tr, m := randomTrie(seed, int(seed)*10)
		b, err := tr.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		got, err := Decode(b)
		if err != nil {
			t.Fatalf("seed %d: Decode: %v", seed, err)
		}
		compare(t, got, m, fmt.Sprintf("seed %d decoded", seed))
		// The decoded trie is writable like any other.
		got.PutEntry([]byte("zz"), Entry{Value: 1, Weight: 5})
		got.Delete([]byte("zz"))
		compare(t, got, m, fmt.Sprintf("seed %d decoded+written", seed))
		// Encoding is deterministic: the decoded trie encodes the same.
		b2, _ := got.MarshalBinary()
		if !bytes.Equal(b, b2) {
			t.Fatalf("seed %d: re-encoding differs", seed)
		}
		// Compact keeps the contents and drops the garbage.
		tr.Compact()
		compare(t, tr, m, fmt.Sprintf("seed %d compacted", seed))
		if st := tr.Stats(); st.GarbageBytes != 0 {
			t.Fatalf("seed %d: %d garbage bytes after Compact", seed, st.GarbageBytes)
		}
		var buf bytes.Buffer
		if _, err := tr.WriteTo(&buf); err != nil {
			t.Fatal(err)
		}
		if _, err := Load(&buf); err != nil {
			t.Fatalf("seed %d: Load: %v", seed, err)
		}
	}
}

// reseal recomputes both checksums so that a test can reach the checks
// behind them.
func reseal(b []byte) {
	binary.LittleEndian.PutUint32(b[hdrBodyCRCOff:], maskCRC(crc32.Checksum(b[headerSize:], castagnoli)))
	binary.LittleEndian.PutUint32(b[hdrHeaderCRCOff:], maskCRC(crc32.Checksum(b[:hdrHeaderCRCOff], castagnoli)))
}

func TestDecodeRejectsDamage(t *testing.T) {
	tr, _ := randomTrie(7, 300)
	good, _ := tr.MarshalBinary()
	expectCorrupt := func(name string, b []byte) {
		t.Helper()
		got, err := Decode(b)
		if !errors.Is(err, kv.ErrCorruption) {
			t.Fatalf("%s: Decode = %v, %v; want kv.ErrCorruption", name, got, err)
		}
	}
	expectCorrupt("empty", nil)
	expectCorrupt("header only", good[:headerSize-1])
	for i := range good {
		// Every single-bit flip is caught by a checksum.
		b := bytes.Clone(good)
		b[i] ^= 1 << (i % 8)
		expectCorrupt(fmt.Sprintf("bit flip at %d", i), b)
	}
	for n := 0; n < len(good); n += 7 {
		expectCorrupt(fmt.Sprintf("truncated to %d", n), good[:n])
	}
	expectCorrupt("extra byte", append(bytes.Clone(good), 0))

	// Structural damage behind valid checksums.
	mut := func(name string, f func(b []byte) []byte) {
		t.Helper()
		b := f(bytes.Clone(good))
		reseal(b)
		expectCorrupt(name, b)
	}
	mut("version", func(b []byte) []byte { b[hdrVersionOff] = 2; return b })
	mut("flags", func(b []byte) []byte { b[hdrFlagsOff] = 1; return b })
	mut("keys", func(b []byte) []byte { b[hdrKeysOff]++; return b })
	mut("nodes+1", func(b []byte) []byte { b[hdrNodesOff]++; return b })
	mut("nodes-1", func(b []byte) []byte { b[hdrNodesOff]--; return b })
	mut("huge nodes", func(b []byte) []byte { binary.LittleEndian.PutUint64(b[hdrNodesOff:], 1<<40); return b })
	mut("labels", func(b []byte) []byte { b[hdrLabelsOff]++; return b })
	mut("root tag", func(b []byte) []byte { b[headerSize] = 0x80; return b })
	mut("root label", func(b []byte) []byte { b[headerSize+2] = 1; return b })

	// Hand-built bodies that break the trie's invariants.
	body := func(name string, keys, nodes, labels uint64, recs ...[]byte) {
		t.Helper()
		b := make([]byte, headerSize)
		copy(b, magic[:])
		binary.LittleEndian.PutUint16(b[hdrVersionOff:], FormatVersion)
		binary.LittleEndian.PutUint16(b[hdrLenOff:], headerSize)
		binary.LittleEndian.PutUint64(b[hdrKeysOff:], keys)
		binary.LittleEndian.PutUint64(b[hdrNodesOff:], nodes)
		binary.LittleEndian.PutUint64(b[hdrLabelsOff:], labels)
		for _, r := range recs {
			b = append(b, r...)
		}
		binary.LittleEndian.PutUint64(b[hdrBodyLenOff:], uint64(len(b)-headerSize))
		reseal(b)
		expectCorrupt(name, b)
	}
	// root with 2 children "b" then "a": out of order.
	body("unsorted", 2, 3, 2, []byte{0, 2, 0}, []byte{1, 0, 1, 'b', 0, 0}, []byte{1, 0, 1, 'a', 0, 0})
	// root with 2 children both "a": duplicate first byte.
	body("duplicate", 2, 3, 2, []byte{0, 2, 0}, []byte{1, 0, 1, 'a', 0, 0}, []byte{1, 0, 1, 'a', 0, 0})
	// a key-less leaf.
	body("keyless leaf", 0, 2, 1, []byte{0, 1, 0}, []byte{0, 0, 1, 'a'})
	// a key-less node with one child: not compressed.
	body("uncompressed", 1, 3, 2, []byte{0, 1, 0}, []byte{0, 1, 1, 'a'}, []byte{1, 0, 1, 'b', 0, 0})
	// a non-root node with an empty label.
	body("empty label", 1, 2, 0, []byte{0, 1, 0}, []byte{1, 0, 0, 0, 0})
	// more children than nodes.
	body("too many children", 1, 2, 1, []byte{0, 5, 0}, []byte{1, 0, 1, 'a', 0, 0})
	// a node after the root is closed.
	body("orphan", 2, 3, 2, []byte{0, 1, 0}, []byte{1, 0, 1, 'a', 0, 0}, []byte{1, 0, 1, 'b', 0, 0})
	// a varint running off the end.
	body("varint", 1, 2, 1, []byte{0, 1, 0}, []byte{1, 0, 1, 'a', 0xff, 0xff})
}

func TestEmptyTrieRoundTrip(t *testing.T) {
	tr := New()
	b, _ := tr.MarshalBinary()
	got, err := Decode(b)
	if err != nil || got.Len() != 0 || got.Check() != nil {
		t.Fatalf("empty trie: %v %v", got, err)
	}
	tr.Put(nil, 3) // the empty key is a key like any other
	b, _ = tr.MarshalBinary()
	got, err = Decode(b)
	if v, ok := got.Get(nil); err != nil || !ok || v != 3 {
		t.Fatalf("empty key: %d %v %v", v, ok, err)
	}
}

// TestFormatSpecExample checks the example in docs/format/trie.md.
func TestFormatSpecExample(t *testing.T) {
	tr := New()
	tr.PutEntry(nil, Entry{Value: 3})
	tr.PutEntry([]byte("a"), Entry{Value: 1, Weight: 5})
	tr.PutEntry([]byte("ab"), Entry{Value: 2, Weight: 9})
	b, _ := tr.MarshalBinary()
	wantHead := []byte{0x6b, 0x76, 0x6c, 0x61, 0x62, 0x54, 0x52, 0x49, 0x01, 0x00, 0x38, 0x00}
	wantBody := []byte{1, 1, 0, 3, 0, 1, 1, 1, 'a', 1, 5, 1, 0, 1, 'b', 2, 9}
	if !bytes.Equal(b[:12], wantHead) || !bytes.Equal(b[headerSize:], wantBody) {
		t.Fatalf("encoding\n% x\nwant head % x body % x", b, wantHead, wantBody)
	}
	for off, want := range map[int]uint64{hdrKeysOff: 3, hdrNodesOff: 3, hdrLabelsOff: 2, hdrBodyLenOff: 17} {
		if got := binary.LittleEndian.Uint64(b[off:]); got != want {
			t.Fatalf("header field at %d = %d, want %d", off, got, want)
		}
	}
}
