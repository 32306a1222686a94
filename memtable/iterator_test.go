package memtable_test

import (
	"bytes"
	"fmt"
	"slices"
	"testing"

	"github.com/kvlab/kvlab/internal/base"
	"github.com/kvlab/kvlab/memtable"
)

// modelIter is the model of Iter: a position in the bounded entries, -1 when
// not positioned.
type modelIter struct {
	ents []entry
	pos  int
}

func (mi *modelIter) set(i int) bool {
	if i < 0 || i >= len(mi.ents) {
		mi.pos = -1
		return false
	}
	mi.pos = i
	return true
}

func (mi *modelIter) first() bool { return mi.set(0) }
func (mi *modelIter) last() bool  { return mi.set(len(mi.ents) - 1) }

func (mi *modelIter) seekGE(ik []byte) bool {
	return mi.set(slices.IndexFunc(mi.ents, func(e entry) bool { return base.Compare(e.ik, ik) >= 0 }))
}

func (mi *modelIter) seekLT(ik []byte) bool {
	i := len(mi.ents) - 1
	for i >= 0 && base.Compare(mi.ents[i].ik, ik) >= 0 {
		i--
	}
	return mi.set(i)
}

func (mi *modelIter) next() bool {
	if mi.pos < 0 {
		return false
	}
	return mi.set(mi.pos + 1)
}

func (mi *modelIter) prev() bool {
	if mi.pos < 0 {
		return false
	}
	return mi.set(mi.pos - 1)
}

// sameAs reports how it differs from mi, or "".
func sameAs(it *memtable.Iter, mi *modelIter, ok bool) string {
	want := mi.pos >= 0
	if ok != want || it.Valid() != want {
		var wk string
		if want {
			wk = base.Format(mi.ents[mi.pos].ik)
		}
		var gk string
		if it.Valid() {
			gk = base.Format(it.Key())
		}
		return fmt.Sprintf("returned %v, Valid %v at %s; model valid %v at %s", ok, it.Valid(), gk, want, wk)
	}
	if !want {
		if it.Key() != nil || it.Value() != nil {
			return "invalid iterator has a key or value"
		}
		return ""
	}
	e := mi.ents[mi.pos]
	if !bytes.Equal(it.Key(), e.ik) || !bytes.Equal(it.Value(), e.value) || it.Value() == nil {
		return fmt.Sprintf("at %s=%q, model at %s=%q", base.Format(it.Key()), it.Value(), base.Format(e.ik), e.value)
	}
	return ""
}

// checkIterAll walks m forward and backward without bounds against mod.
func checkIterAll(t *testing.T, seed uint64, m *memtable.Memtable, mod *model) {
	t.Helper()
	it := m.NewIter(nil, nil)
	defer it.Close()
	mi := &modelIter{ents: mod.ents, pos: -1}
	ok, want := it.First(), mi.first()
	for i := 0; ; i++ {
		if d := sameAs(it, mi, ok); d != "" {
			t.Fatalf("seed %d: forward step %d: %s", seed, i, d)
		}
		if !want {
			break
		}
		ok, want = it.Next(), mi.next()
	}
	ok, want = it.Last(), mi.last()
	for i := 0; ; i++ {
		if d := sameAs(it, mi, ok); d != "" {
			t.Fatalf("seed %d: backward step %d: %s", seed, i, d)
		}
		if !want {
			break
		}
		ok, want = it.Prev(), mi.prev()
	}
}

func TestIterRandomAgainstModel(t *testing.T) {
	r, seed := newRand(t)
	g := keyGen{r, "abcd", 3}
	for round := range 30 {
		m := memtable.New(memtable.WithSeed(seed + uint64(round)))
		mod := &model{}
		for range r.IntN(400) {
			seq, kind, ukey, value := base.SeqNum(r.IntN(1000)), base.Kind(r.IntN(2)), g.key(), g.value()
			if mod.add(seq, kind, ukey, value) {
				mustAdd(t, m, seq, kind, ukey, value)
			}
		}
		checkIterAll(t, seed, m, mod)

		for range 20 {
			var lower, upper []byte
			if r.IntN(3) > 0 {
				lower = g.key()
			}
			if r.IntN(3) > 0 {
				upper = g.key()
			}
			it := m.NewIter(lower, upper)
			mi := &modelIter{ents: mod.bounded(lower, upper), pos: -1}
			// Unpositioned: Next and Prev stay invalid.
			if d := sameAs(it, mi, it.Next()); d != "" {
				t.Fatalf("seed %d round %d: Next before positioning: %s", seed, round, d)
			}
			var trace []string
			for step := range 200 {
				var ok bool
				var op string
				switch r.IntN(8) {
				case 0:
					op, ok = "First", it.First()
					mi.first()
				case 1:
					op, ok = "Last", it.Last()
					mi.last()
				case 2:
					ik := base.MakeInternalKey(g.key(), base.SeqNum(r.IntN(1001)), base.Kind(r.IntN(2)))
					op, ok = "SeekGE "+base.Format(ik), it.SeekGE(ik)
					mi.seekGE(ik)
				case 3:
					ik := base.MakeInternalKey(g.key(), base.SeqNum(r.IntN(1001)), base.Kind(r.IntN(2)))
					op, ok = "SeekLT "+base.Format(ik), it.SeekLT(ik)
					mi.seekLT(ik)
				case 4, 5:
					op, ok = "Next", it.Next()
					mi.next()
				default:
					op, ok = "Prev", it.Prev()
					mi.prev()
				}
				trace = append(trace, op)
				if d := sameAs(it, mi, ok); d != "" {
					t.Fatalf("seed %d round %d bounds [%q, %q) step %d: after %v: %s", seed, round, lower, upper, step, trace, d)
				}
			}
			if err := it.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
		}
	}
}

func TestIterSeekToSnapshotVersion(t *testing.T) {
	m := memtable.New()
	for _, seq := range []base.SeqNum{5, 10, 15} {
		mustAdd(t, m, seq, base.KindSet, []byte("k"), []byte{byte(seq)})
	}
	mustAdd(t, m, 7, base.KindSet, []byte("m"), []byte("m"))
	it := m.NewIter(nil, nil)
	for _, tc := range []struct {
		seq  base.SeqNum
		want string
	}{
		{base.MaxSeqNum, `"k"#15,SET`},
		{12, `"k"#10,SET`},
		{10, `"k"#10,SET`},
		{4, `"m"#7,SET`}, // no version of k visible: the next key
	} {
		if !it.SeekGE(base.SeekKey(nil, []byte("k"), tc.seq)) || base.Format(it.Key()) != tc.want {
			t.Errorf("SeekGE(k@%d) at %s, want %s", tc.seq, base.Format(it.Key()), tc.want)
		}
	}
	// SeekLT below the newest version of k lands on the previous key.
	if it.SeekLT(base.SeekKey(nil, []byte("k"), base.MaxSeqNum)) {
		t.Errorf("SeekLT before k found %s", base.Format(it.Key()))
	}
	if !it.SeekLT(base.MakeInternalKey([]byte("k"), 9, base.KindSet)) || base.Format(it.Key()) != `"k"#10,SET` {
		t.Errorf("SeekLT(k#9) at %s, want k#10", base.Format(it.Key()))
	}
}

func TestIterAfterClose(t *testing.T) {
	m := memtable.New()
	mustAdd(t, m, 1, base.KindSet, []byte("a"), []byte("1"))
	it := m.NewIter(nil, nil)
	if !it.First() {
		t.Fatal("First on a one-entry table")
	}
	if err := it.Close(); err != nil {
		t.Fatal(err)
	}
	if err := it.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if it.Valid() || it.First() || it.Last() || it.SeekGE(base.SeekKey(nil, nil, 1)) || it.SeekLT([]byte("zzzzzzzzz")) || it.Next() || it.Prev() || it.Err() != nil {
		t.Fatal("closed iterator moved")
	}
}

func TestIterEmptyTable(t *testing.T) {
	m := memtable.New()
	it := m.NewIter(nil, nil)
	ik := base.SeekKey(nil, []byte("x"), base.MaxSeqNum)
	if it.First() || it.Last() || it.SeekGE(ik) || it.SeekLT(ik) || it.Next() || it.Prev() || it.Valid() || it.Key() != nil {
		t.Fatal("iterator over an empty table found an entry")
	}
}
