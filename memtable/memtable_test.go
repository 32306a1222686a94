package memtable_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/kvlab/kvlab/internal/base"
	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/memtable"
)

// checkGet compares m.Get with the model's answer.
func checkGet(t *testing.T, seed uint64, m *memtable.Memtable, mod *model, ukey []byte, seq base.SeqNum) {
	t.Helper()
	gv, gk, gf := m.Get(ukey, seq)
	wv, wk, wf := mod.get(ukey, seq)
	if gf != wf || (wf && (gk != wk || !bytes.Equal(gv, wv))) {
		t.Fatalf("seed %d: Get(%q, %d) = %q, %v, %v; want %q, %v, %v", seed, ukey, seq, gv, gk, gf, wv, wk, wf)
	}
	if gf && gk == base.KindSet && gv == nil {
		t.Fatalf("seed %d: Get(%q, %d) returned a nil value for a set", seed, ukey, seq)
	}
	if gf && gk == base.KindDelete && gv != nil {
		t.Fatalf("seed %d: Get(%q, %d) returned value %q for a tombstone", seed, ukey, seq, gv)
	}
}

func TestAddGetRandomAgainstModel(t *testing.T) {
	for _, tc := range []struct {
		name     string
		alphabet string
		maxLen   int
		n        int
	}{
		{"dense", "ab", 3, 3000},
		{"medium", "abcdefgh", 4, 5000},
		{"sparse", "abcdefghijklmnopqrstuvwxyz0123456789", 16, 5000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, seed := newRand(t)
			g := keyGen{r, tc.alphabet, tc.maxLen}
			m := memtable.New(memtable.WithSeed(seed), memtable.WithChunkSize(memtable.MinChunkSize))
			mod := &model{}
			for i := range tc.n {
				seq := base.SeqNum(r.IntN(2 * tc.n))
				kind := base.Kind(r.IntN(2))
				ukey, value := g.key(), g.value()
				if kind == base.KindDelete {
					value = nil
				}
				err := m.Add(seq, kind, ukey, value)
				if fresh := mod.add(seq, kind, ukey, value); fresh != (err == nil) {
					t.Fatalf("seed %d: Add(%d, %v, %q) = %v; model says fresh=%v", seed, seq, kind, ukey, err, fresh)
				} else if !fresh && !errors.Is(err, memtable.ErrRecordExists) {
					t.Fatalf("seed %d: duplicate Add returned %v, want ErrRecordExists", seed, err)
				}
				if m.Len() != len(mod.ents) {
					t.Fatalf("seed %d: Len %d, want %d", seed, m.Len(), len(mod.ents))
				}
				for range 3 {
					checkGet(t, seed, m, mod, g.key(), base.SeqNum(r.IntN(2*tc.n+2)))
				}
				if i%500 == 0 {
					if err := m.CheckInvariants(); err != nil {
						t.Fatalf("seed %d: after %d adds: %v", seed, i, err)
					}
				}
			}
			for _, e := range mod.ents {
				ukey := base.UserKey(e.ik)
				s := base.Seq(e.ik)
				checkGet(t, seed, m, mod, ukey, s)
				checkGet(t, seed, m, mod, ukey, base.MaxSeqNum)
				if s > 0 {
					checkGet(t, seed, m, mod, ukey, s-1)
				}
			}
			if err := m.CheckInvariants(); err != nil {
				t.Fatalf("seed %d: %v", seed, err)
			}
		})
	}
}

func TestGetVersionsAndTombstones(t *testing.T) {
	m := memtable.New()
	k := []byte("k")
	mustAdd(t, m, 10, base.KindSet, k, []byte("v10"))
	mustAdd(t, m, 20, base.KindDelete, k, nil)
	mustAdd(t, m, 30, base.KindSet, k, []byte("v30"))
	mustAdd(t, m, 25, base.KindSet, []byte("j"), []byte("other"))
	mustAdd(t, m, 26, base.KindSet, []byte("l"), []byte("other"))
	for _, tc := range []struct {
		seq   base.SeqNum
		value string
		kind  base.Kind
		found bool
	}{
		{9, "", 0, false},
		{10, "v10", base.KindSet, true},
		{19, "v10", base.KindSet, true},
		{20, "", base.KindDelete, true},
		{29, "", base.KindDelete, true},
		{30, "v30", base.KindSet, true},
		{base.MaxSeqNum, "v30", base.KindSet, true},
		{^base.SeqNum(0), "v30", base.KindSet, true}, // clamped to MaxSeqNum
	} {
		v, kind, found := m.Get(k, tc.seq)
		if found != tc.found || kind != tc.kind || string(v) != tc.value {
			t.Errorf("Get(k, %d) = %q, %v, %v; want %q, %v, %v", tc.seq, v, kind, found, tc.value, tc.kind, tc.found)
		}
	}
	if _, _, found := m.Get([]byte("kk"), base.MaxSeqNum); found {
		t.Errorf("Get of an absent key found something")
	}
}

func TestEmptyKeysAndValues(t *testing.T) {
	m := memtable.New()
	if !m.Empty() || m.Len() != 0 {
		t.Fatalf("new memtable: Empty %v, Len %d", m.Empty(), m.Len())
	}
	if _, _, found := m.Get(nil, base.MaxSeqNum); found {
		t.Fatalf("Get on an empty memtable found something")
	}
	mustAdd(t, m, 1, base.KindSet, []byte("a"), []byte("x"))
	mustAdd(t, m, 2, base.KindSet, nil, nil)
	mustAdd(t, m, 3, base.KindSet, []byte{}, []byte("e"))
	mustAdd(t, m, 4, base.KindSet, []byte("b"), []byte{})
	if m.Empty() || m.Len() != 4 {
		t.Fatalf("Empty %v, Len %d; want false, 4", m.Empty(), m.Len())
	}
	if v, kind, found := m.Get(nil, 2); !found || kind != base.KindSet || v == nil || len(v) != 0 {
		t.Errorf("Get(nil, 2) = %q (nil %v), %v, %v; want empty non-nil set", v, v == nil, kind, found)
	}
	if v, _, found := m.Get([]byte{}, 3); !found || string(v) != "e" {
		t.Errorf("Get(empty, 3) = %q, %v; want e", v, found)
	}
	if v, _, found := m.Get([]byte("b"), 9); !found || v == nil || len(v) != 0 {
		t.Errorf("Get(b) = %q (nil %v), %v; want empty non-nil", v, v == nil, found)
	}
	// The empty key sorts first; its versions newest first.
	it := m.NewIter(nil, nil)
	var got []string
	for ok := it.First(); ok; ok = it.Next() {
		if it.Value() == nil {
			t.Errorf("Value nil at %s", base.Format(it.Key()))
		}
		got = append(got, base.Format(it.Key()))
	}
	want := []string{`""#3,SET`, `""#2,SET`, `"a"#1,SET`, `"b"#4,SET`}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("iteration %v, want %v", got, want)
	}
	// An empty (non-nil) lower bound is a bound that includes the empty key;
	// an empty upper bound excludes everything.
	if it := m.NewIter([]byte{}, nil); !it.First() || len(base.UserKey(it.Key())) != 0 {
		t.Errorf("First with lower=[] did not find the empty key")
	}
	if it := m.NewIter(nil, []byte{}); it.First() || it.Last() {
		t.Errorf("upper=[] yielded an entry")
	}
}

func TestAddRejectsBadInput(t *testing.T) {
	m := memtable.New()
	size := m.ApproximateSize()
	for _, tc := range []struct {
		name        string
		seq         base.SeqNum
		kind        base.Kind
		ukey, value []byte
		is          error
	}{
		{"key too large", 1, base.KindSet, make([]byte, kv.MaxKeySize+1), nil, kv.ErrKeyTooLarge},
		{"seq too large", base.MaxSeqNum + 1, base.KindSet, []byte("k"), nil, nil},
		{"bad kind", 1, base.KindMax + 1, []byte("k"), nil, nil},
	} {
		err := m.Add(tc.seq, tc.kind, tc.ukey, tc.value)
		if err == nil || !strings.HasPrefix(err.Error(), "memtable: ") {
			t.Errorf("%s: Add = %v, want an error prefixed memtable:", tc.name, err)
		}
		if tc.is != nil && !errors.Is(err, tc.is) {
			t.Errorf("%s: Add = %v, want errors.Is %v", tc.name, err, tc.is)
		}
	}
	mustAdd(t, m, 7, base.KindSet, []byte("k"), []byte("v"))
	if err := m.Add(7, base.KindSet, []byte("k"), []byte("w")); !errors.Is(err, memtable.ErrRecordExists) {
		t.Errorf("duplicate Add = %v, want ErrRecordExists", err)
	}
	if err := m.Add(7, base.KindDelete, []byte("k"), nil); err != nil {
		t.Errorf("same key and seq, other kind: %v", err)
	}
	if m.Len() != 2 || m.ApproximateSize() <= size {
		t.Errorf("Len %d, size %d after two good adds", m.Len(), m.ApproximateSize())
	}
	// The maximum key size is accepted.
	mustAdd(t, m, 8, base.KindSet, make([]byte, kv.MaxKeySize), []byte("big"))
	if v, _, _ := m.Get(make([]byte, kv.MaxKeySize), 8); string(v) != "big" {
		t.Errorf("max-size key: Get = %q", v)
	}
}

func TestApproximateSizeIsExactAndMonotonic(t *testing.T) {
	r, seed := newRand(t)
	g := keyGen{r, "abcdefghij", 12}
	m := memtable.New(memtable.WithSeed(seed), memtable.WithChunkSize(memtable.MinChunkSize))
	if got := m.ApproximateSize(); got != memtable.HeadSize {
		t.Fatalf("empty memtable: ApproximateSize %d, want the head's %d", got, memtable.HeadSize)
	}
	want := int64(memtable.HeadSize)
	prev := m.ApproximateSize()
	for i := range 3000 {
		ukey, value := g.key(), g.value()
		if r.IntN(50) == 0 {
			value = make([]byte, r.IntN(3*memtable.MinChunkSize)) // sometimes larger than a chunk
		}
		seq := base.SeqNum(i)
		mustAdd(t, m, seq, base.KindSet, ukey, value)
		h := m.HeightOf(base.MakeInternalKey(ukey, seq, base.KindSet))
		if h < 1 || h > memtable.MaxHeight {
			t.Fatalf("seed %d: height %d", seed, h)
		}
		want += memtable.NodeSize(h, len(ukey), len(value))
		got := m.ApproximateSize()
		if got <= prev || got != want {
			t.Fatalf("seed %d: after add %d: ApproximateSize %d (previous %d), want %d", seed, i, got, prev, want)
		}
		if a := m.ArenaSize(); a < got {
			t.Fatalf("seed %d: ArenaSize %d < ApproximateSize %d", seed, a, got)
		}
		prev = got
	}
	if err := m.CheckInvariants(); err != nil {
		t.Fatalf("seed %d: %v", seed, err)
	}
}

func TestSmallMemtableStaysSmall(t *testing.T) {
	m := memtable.New()
	if a := m.ArenaSize(); a > 16<<10 {
		t.Errorf("empty memtable holds %d bytes of arena", a)
	}
	for i := range 100 {
		mustAdd(t, m, base.SeqNum(i), base.KindSet, []byte{byte(i)}, []byte("v"))
	}
	if a := m.ArenaSize(); a > 48<<10 {
		t.Errorf("100 tiny entries hold %d bytes of arena", a)
	}
}

func TestGrowsAcrossChunks(t *testing.T) {
	r, seed := newRand(t)
	m := memtable.New(memtable.WithSeed(seed), memtable.WithChunkSize(memtable.MinChunkSize))
	mod := &model{}
	add := func(seq base.SeqNum, ukey, value []byte) {
		mustAdd(t, m, seq, base.KindSet, ukey, value)
		mod.add(seq, base.KindSet, ukey, value)
	}
	val := func(n int) []byte {
		v := make([]byte, n)
		for i := range v {
			v[i] = byte(r.Uint32())
		}
		return v
	}
	seq := base.SeqNum(1)
	for range 20000 {
		add(seq, val(16), val(100))
		seq++
	}
	// Entries larger than a chunk, spanning several slots, and a maximal key
	// whose value starts in a later slot of its chunk.
	add(seq, []byte("huge"), val(5*memtable.MinChunkSize+123))
	add(seq+1, bytes.Repeat([]byte{'K'}, kv.MaxKeySize), val(2*memtable.MinChunkSize))
	add(seq+2, []byte("nearly-a-chunk"), val(memtable.MinChunkSize-memtable.HeadSize))
	for i := range 1000 {
		add(seq+3+base.SeqNum(i), val(16), val(100))
	}
	if c := m.Chunks(); c < 40 {
		t.Fatalf("seed %d: %d chunks; the test meant to fill many", seed, c)
	}
	if err := m.CheckInvariants(); err != nil {
		t.Fatalf("seed %d: %v", seed, err)
	}
	for _, e := range mod.ents {
		checkGet(t, seed, m, mod, base.UserKey(e.ik), base.MaxSeqNum)
	}
	checkIterAll(t, seed, m, mod)
}

func TestErrFullLeavesTableUnchanged(t *testing.T) {
	m := memtable.New(memtable.WithChunkSize(memtable.MinChunkSize))
	m.SetSlotLimit(3)
	v := make([]byte, 1000)
	var n int
	for ; ; n++ {
		err := m.Add(base.SeqNum(n), base.KindSet, []byte{byte(n >> 8), byte(n)}, v)
		if errors.Is(err, memtable.ErrFull) {
			break
		}
		if err != nil || n > 1000 {
			t.Fatalf("Add %d: %v", n, err)
		}
	}
	// Each of the three streams (tall nodes, short nodes, values) has a
	// chunk; the values' filled up first.
	size, ln := m.ApproximateSize(), m.Len()
	if ln != n || n < 10 || size > 3*memtable.MinChunkSize {
		t.Fatalf("full after %d adds: Len %d, size %d", n, ln, size)
	}
	if err := m.Add(1<<20, base.KindSet, []byte("big"), make([]byte, 4*memtable.MinChunkSize)); !errors.Is(err, memtable.ErrFull) {
		t.Fatalf("oversized Add on a full arena: %v", err)
	}
	var b kv.Batch
	b.Put([]byte("x"), []byte("y"))
	b.Put([]byte("z"), make([]byte, 2*memtable.MinChunkSize))
	if err := m.ApplyBatch(&b, 1<<21); !errors.Is(err, memtable.ErrFull) {
		t.Fatalf("ApplyBatch on a full arena: %v", err)
	}
	if m.Len() != ln || m.ApproximateSize() != size {
		t.Fatalf("failed writes changed the table: Len %d→%d, size %d→%d", ln, m.Len(), size, m.ApproximateSize())
	}
	if err := m.CheckInvariants(); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if got, _, found := m.Get([]byte{byte(i >> 8), byte(i)}, base.MaxSeqNum); !found || len(got) != len(v) {
			t.Fatalf("entry %d lost after ErrFull", i)
		}
	}
}

func TestApplyBatch(t *testing.T) {
	m := memtable.New()
	var b kv.Batch
	b.Put([]byte("a"), []byte("1"))
	b.Put([]byte("b"), []byte("2"))
	b.Delete([]byte("a"))
	b.Put([]byte("c"), nil)
	if err := m.ApplyBatch(&b, 100); err != nil {
		t.Fatal(err)
	}
	if m.Len() != 4 {
		t.Fatalf("Len %d, want 4", m.Len())
	}
	var got []string
	it := m.NewIter(nil, nil)
	for ok := it.First(); ok; ok = it.Next() {
		got = append(got, base.Format(it.Key())+"="+string(it.Value()))
	}
	want := `"a"#102,DEL= "a"#100,SET=1 "b"#101,SET=2 "c"#103,SET=`
	if strings.Join(got, " ") != want {
		t.Fatalf("entries %q, want %q", strings.Join(got, " "), want)
	}
	if _, kind, _ := m.Get([]byte("a"), 101); kind != base.KindSet {
		t.Errorf("a at 101: kind %v, want SET", kind)
	}
	if err := m.ApplyBatch(&kv.Batch{}, 5); err != nil || m.Len() != 4 {
		t.Errorf("empty batch: %v, Len %d", err, m.Len())
	}

	// A batch that failed while being built adds nothing.
	var bad kv.Batch
	bad.Put([]byte("ok"), nil)
	bad.Put(make([]byte, kv.MaxKeySize+1), nil)
	if err := m.ApplyBatch(&bad, 200); !errors.Is(err, kv.ErrKeyTooLarge) || m.Len() != 4 {
		t.Errorf("bad batch: %v, Len %d", err, m.Len())
	}
	// Sequence numbers past the maximum add nothing.
	if err := m.ApplyBatch(&b, base.MaxSeqNum-2); err == nil || m.Len() != 4 {
		t.Errorf("batch past MaxSeqNum: %v, Len %d", err, m.Len())
	}
	var one kv.Batch
	one.Put([]byte("z"), nil)
	if err := m.ApplyBatch(&one, base.MaxSeqNum); err != nil {
		t.Errorf("one op at MaxSeqNum: %v", err)
	}
}

func mustAdd(t testing.TB, m *memtable.Memtable, seq base.SeqNum, kind base.Kind, ukey, value []byte) {
	t.Helper()
	if err := m.Add(seq, kind, ukey, value); err != nil {
		t.Fatalf("Add(%d, %v, %q): %v", seq, kind, ukey, err)
	}
}

// TestLinkWindowsAgainstModel checks the links' key windows (node.go):
// the first keys share a prefix, so the windows start past it; later keys
// mix ones with that prefix (windows that tie, differ, or fall short of 4
// bytes) with ones that lack it, are shorter than it or empty, which must
// be compared in full.
func TestLinkWindowsAgainstModel(t *testing.T) {
	r, seed := newRand(t)
	g := keyGen{r, "ab\x00\xff", 6}
	key := func(i int) []byte {
		switch {
		case i < 40:
			return append([]byte("user/a"), g.key()...)
		case r.IntN(10) < 7:
			return append([]byte("user/"), g.key()...)
		case r.IntN(2) == 0:
			return []byte("user/")[:r.IntN(6)]
		default:
			return g.key()
		}
	}
	m := memtable.New(memtable.WithSeed(seed), memtable.WithChunkSize(memtable.MinChunkSize))
	mod := &model{}
	const n = 4000
	for i := range n {
		seq := base.SeqNum(r.IntN(2 * n))
		ukey, value := key(i), g.value()
		err := m.Add(seq, base.KindSet, ukey, value)
		if fresh := mod.add(seq, base.KindSet, ukey, value); fresh != (err == nil) {
			t.Fatalf("seed %d: Add(%d, %q) = %v; model says fresh=%v", seed, seq, ukey, err, fresh)
		}
		checkGet(t, seed, m, mod, key(i), base.SeqNum(r.IntN(2*n+2)))
	}
	for _, e := range mod.ents {
		checkGet(t, seed, m, mod, base.UserKey(e.ik), base.Seq(e.ik))
	}
	if err := m.CheckInvariants(); err != nil {
		t.Fatalf("seed %d: %v", seed, err)
	}
	it := m.NewIter(nil, nil)
	i := 0
	for ok := it.First(); ok; ok = it.Next() {
		if i >= len(mod.ents) || !bytes.Equal(it.Key(), mod.ents[i].ik) {
			t.Fatalf("seed %d: entry %d is %s", seed, i, base.Format(it.Key()))
		}
		i++
	}
	if i != len(mod.ents) {
		t.Fatalf("seed %d: iterated %d entries, want %d", seed, i, len(mod.ents))
	}
}
