package kv

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"testing"
)

type op struct {
	kind       OpKind
	key, value []byte
}

func randomBatch(r *rand.Rand) (*Batch, []op) {
	var b Batch
	var ops []op
	for i := r.IntN(30); i > 0; i-- {
		k := make([]byte, r.IntN(40))
		for j := range k {
			k[j] = byte(r.IntN(256))
		}
		switch {
		case r.IntN(10) == 0:
			end := append(bytes.Clone(k), byte(r.IntN(256)))
			b.DeleteRange(k, end)
			ops = append(ops, op{OpDeleteRange, k, end})
		case r.IntN(3) == 0:
			b.Delete(k)
			ops = append(ops, op{OpDelete, k, nil})
		default:
			v := bytes.Repeat([]byte{byte(i)}, r.IntN(300))
			b.Put(k, v)
			ops = append(ops, op{OpSet, k, v})
		}
	}
	return &b, ops
}

func readOps(t *testing.T, b *Batch) []op {
	t.Helper()
	var got []op
	r := b.Reader()
	for kind, k, v, ok := r.Next(); ok; kind, k, v, ok = r.Next() {
		got = append(got, op{kind, k, v})
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	return got
}

func TestBatchRoundTrip(t *testing.T) {
	seed := rand.Uint64()
	r := rand.New(rand.NewPCG(seed, 0))
	for trial := 0; trial < 200; trial++ {
		b, ops := randomBatch(r)
		var c Batch
		if err := c.SetRepr(b.Repr()); err != nil {
			t.Fatalf("seed %d: SetRepr of a valid repr: %v", seed, err)
		}
		for _, bb := range []*Batch{b, &c} {
			got := readOps(t, bb)
			if len(got) != len(ops) || bb.Len() != len(ops) || bb.UserBytes() != b.UserBytes() {
				t.Fatalf("seed %d: %d ops read, Len %d, want %d", seed, len(got), bb.Len(), len(ops))
			}
			for i := range ops {
				if got[i].kind != ops[i].kind || !bytes.Equal(got[i].key, ops[i].key) || !bytes.Equal(got[i].value, ops[i].value) {
					t.Fatalf("seed %d: op %d = %v, want %v", seed, i, got[i], ops[i])
				}
			}
		}
	}
}

func TestBatchAppendAndReset(t *testing.T) {
	var a, b Batch
	a.Put([]byte("a"), []byte("1"))
	b.Delete([]byte("b"))
	b.Put([]byte("c"), []byte("33"))
	a.Append(&b)
	if a.Len() != 3 || a.UserBytes() != 2+1+3 {
		t.Fatalf("after Append: Len %d UserBytes %d", a.Len(), a.UserBytes())
	}
	var c Batch
	if err := c.SetRepr(a.Repr()); err != nil || c.Len() != 3 {
		t.Fatalf("SetRepr(appended) = %v, Len %d", err, c.Len())
	}
	a.Reset()
	if !a.Empty() || a.Repr() != nil {
		t.Fatal("Reset left operations behind")
	}
}

func TestBatchRejectsOversizedAndCorrupt(t *testing.T) {
	var b Batch
	b.Put(make([]byte, MaxKeySize+1), nil)
	if !errors.Is(b.Err(), ErrKeyTooLarge) || !b.Empty() {
		t.Fatalf("oversized key: Err %v, Len %d", b.Err(), b.Len())
	}
	var good Batch
	good.Put([]byte("key"), []byte("value"))
	repr := good.Repr()
	for _, bad := range [][]byte{
		{1, 2},                                  // shorter than the header
		append([]byte{2, 0, 0, 0}, repr[4:]...), // count says 2, one op present
		{1, 0, 0, 0, 7, 1, 'k'},                 // unknown kind
		{1, 0, 0, 0, 1, 50, 'k'},                // key length past the end
		{1, 0, 0, 0, 1, 1, 'k', 0xff},           // bad value varint
	} {
		var c Batch
		if err := c.SetRepr(bad); !errors.Is(err, ErrCorruption) || !c.Empty() {
			t.Errorf("SetRepr(%x) = %v (Len %d), want ErrCorruption and an empty batch", bad, err, c.Len())
		}
	}
}

// FuzzBatchSetRepr: any input either decodes to a batch whose repr reads
// back the same operations, or fails with ErrCorruption; never a panic.
func FuzzBatchSetRepr(f *testing.F) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 8 {
		b, _ := randomBatch(r)
		f.Add(b.Repr())
	}
	f.Add([]byte{})
	f.Add([]byte{1, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		var b Batch
		if err := b.SetRepr(data); err != nil {
			if !errors.Is(err, ErrCorruption) {
				t.Fatalf("SetRepr error %v does not match ErrCorruption", err)
			}
			return
		}
		var c Batch
		if err := c.SetRepr(b.Repr()); err != nil {
			t.Fatalf("re-decoding a decoded batch: %v", err)
		}
		if len(readOps(t, &c)) != b.Len() {
			t.Fatal("re-decoded batch differs")
		}
	})
}

// TestBatchKeepsCounts checks that the figures a batch keeps as it is built
// (Puts, Deletes, MaxKeyLen, UserBytes) match a decoding of its encoding,
// after Put, Delete, Append, SetRepr and Reset.
func TestBatchKeepsCounts(t *testing.T) {
	check := func(what string, b *Batch) {
		t.Helper()
		var puts, dels, ranges, maxKey int
		var user int64
		r := b.Reader()
		for kind, k, v, ok := r.Next(); ok; kind, k, v, ok = r.Next() {
			switch kind {
			case OpSet:
				puts++
			case OpDelete:
				dels++
			case OpDeleteRange:
				ranges++
				maxKey = max(maxKey, len(v))
			}
			maxKey = max(maxKey, len(k))
			user += int64(len(k) + len(v))
		}
		if b.Puts() != puts || b.Deletes() != dels || b.RangeDeletes() != ranges || b.MaxKeyLen() != maxKey || b.UserBytes() != user || b.Len() != puts+dels+ranges {
			t.Fatalf("%s: Puts %d Deletes %d MaxKeyLen %d UserBytes %d Len %d; decoded %d %d %d %d",
				what, b.Puts(), b.Deletes(), b.MaxKeyLen(), b.UserBytes(), b.Len(), puts, dels, maxKey, user)
		}
	}
	var a, b Batch
	check("empty", &a)
	a.Put([]byte("k1"), []byte("value"))
	a.Delete([]byte("a-longer-key"))
	a.Put([]byte("k2"), nil)
	a.DeleteRange([]byte("k3"), []byte("k4-a-long-end"))
	check("built", &a)
	b.Delete([]byte("the-longest-key-of-all"))
	b.Append(&a)
	check("appended", &b)
	var c Batch
	if err := c.SetRepr(b.Repr()); err != nil {
		t.Fatal(err)
	}
	check("SetRepr", &c)
	if c.Puts() != 2 || c.Deletes() != 2 || c.RangeDeletes() != 1 || c.MaxKeyLen() != len("the-longest-key-of-all") {
		t.Fatalf("SetRepr: Puts %d Deletes %d MaxKeyLen %d", c.Puts(), c.Deletes(), c.MaxKeyLen())
	}
	c.Reset()
	check("reset", &c)
	if c.MaxKeyLen() != 0 {
		t.Fatalf("reset: MaxKeyLen %d", c.MaxKeyLen())
	}
}

func TestBatchDeleteRange(t *testing.T) {
	var b Batch
	b.Put([]byte("a"), []byte("1"))
	b.DeleteRange([]byte("b"), []byte("dd"))
	b.Delete([]byte("x"))
	b.DeleteRange([]byte("e"), []byte("e"))
	if b.Len() != 4 || b.Puts() != 1 || b.Deletes() != 1 || b.RangeDeletes() != 2 || b.MaxKeyLen() != 2 {
		t.Fatalf("Len %d Puts %d Deletes %d RangeDeletes %d MaxKeyLen %d", b.Len(), b.Puts(), b.Deletes(), b.RangeDeletes(), b.MaxKeyLen())
	}
	if b.UserBytes() != 2+3+1+2 {
		t.Fatalf("UserBytes %d", b.UserBytes())
	}
	var c Batch
	if err := c.SetRepr(b.Repr()); err != nil {
		t.Fatal(err)
	}
	if c.Len() != 4 || c.Puts() != 1 || c.Deletes() != 1 || c.RangeDeletes() != 2 || c.MaxKeyLen() != 2 || c.UserBytes() != b.UserBytes() {
		t.Fatalf("after SetRepr: Len %d Puts %d Deletes %d RangeDeletes %d", c.Len(), c.Puts(), c.Deletes(), c.RangeDeletes())
	}
	ops := readOps(t, &c)
	if ops[1].kind != OpDeleteRange || string(ops[1].key) != "b" || string(ops[1].value) != "dd" {
		t.Fatalf("op 1 = %v %q %q", ops[1].kind, ops[1].key, ops[1].value)
	}
	var d Batch
	d.Append(&b)
	if d.RangeDeletes() != 2 || d.Deletes() != 1 {
		t.Fatalf("after Append: RangeDeletes %d Deletes %d", d.RangeDeletes(), d.Deletes())
	}

	// An inverted range fails the batch; so does an inverted range in a repr.
	var bad Batch
	bad.DeleteRange([]byte("z"), []byte("a"))
	if !errors.Is(bad.Err(), ErrInvalidRange) {
		t.Fatalf("inverted range: %v", bad.Err())
	}
	repr := append([]byte{}, b.Repr()...)
	i := bytes.Index(repr, []byte("\x01b\x02dd"))
	if i < 0 {
		t.Fatal("range op not found in repr")
	}
	copy(repr[i+1:], "z") // start "z" > end "dd"
	if err := c.SetRepr(repr); !errors.Is(err, ErrCorruption) {
		t.Fatalf("SetRepr of an inverted range: %v, want ErrCorruption", err)
	}
	if OpDeleteRange.String() != "delete-range" {
		t.Fatal(OpDeleteRange.String())
	}
}
