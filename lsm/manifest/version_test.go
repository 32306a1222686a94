package manifest

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/kvlab/kvlab/kv"
)

// model is the simple reference for Version: file number -> (level, table).
type model struct {
	level map[uint64]int
	meta  map[uint64]*TableMeta
}

func newModel() *model { return &model{level: map[uint64]int{}, meta: map[uint64]*TableMeta{}} }

func (m *model) clone() *model {
	c := newModel()
	for k, v := range m.level {
		c.level[k], c.meta[k] = v, m.meta[k]
	}
	return c
}

// apply applies e to the model, reporting whether its deletions and
// additions are valid (overlap is checked once per batch, by disjoint).
func (m *model) apply(e *VersionEdit) bool {
	for _, d := range e.Deleted {
		l, ok := m.level[d.FileNum]
		if !ok || l != d.Level {
			return false
		}
		delete(m.level, d.FileNum)
		delete(m.meta, d.FileNum)
	}
	for _, a := range e.Added {
		if _, ok := m.level[a.Meta.FileNum]; ok {
			return false
		}
		m.level[a.Meta.FileNum], m.meta[a.Meta.FileNum] = a.Level, a.Meta
	}
	return true
}

// disjoint reports whether L1 and below are free of user-key overlap.
func (m *model) disjoint() bool {
	for l := 1; l < NumLevels; l++ {
		tabs := m.tables(l)
		for i := range tabs {
			for j := range i {
				if overlaps(tabs[j], tabs[i].SmallestUser(), tabs[i].LargestUser()) {
					return false
				}
			}
		}
	}
	return true
}

// tables returns level's tables in the Version's order.
func (m *model) tables(level int) []*TableMeta {
	var out []*TableMeta
	for num, l := range m.level {
		if l == level {
			out = append(out, m.meta[num])
		}
	}
	if level == 0 {
		slices.SortFunc(out, func(a, b *TableMeta) int {
			if a.LargestSeq != b.LargestSeq {
				return -cmpU(a.LargestSeq, b.LargestSeq)
			}
			return -cmpU(a.FileNum, b.FileNum)
		})
	} else {
		slices.SortFunc(out, func(a, b *TableMeta) int { return bytes.Compare(a.SmallestUser(), b.SmallestUser()) })
	}
	return out
}

func cmpU(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (m *model) check(t *testing.T, seed uint64, step int, v *Version) {
	t.Helper()
	if err := v.CheckOrder(); err != nil {
		t.Fatalf("seed %d step %d: CheckOrder: %v\n%s", seed, step, err, v)
	}
	for l := range NumLevels {
		want := m.tables(l)
		if !slices.Equal(v.Levels[l], want) && !(len(want) == 0 && len(v.Levels[l]) == 0) {
			t.Fatalf("seed %d step %d: L%d = %v, model %v", seed, step, l, v.Levels[l], want)
		}
		var size uint64
		for _, tb := range want {
			size += tb.Size
		}
		if v.LevelSize(l) != size || v.NumFiles(l) != len(want) {
			t.Fatalf("seed %d step %d: L%d size %d files %d, model %d %d", seed, step, l, v.LevelSize(l), v.NumFiles(l), size, len(want))
		}
	}
	all := v.AllFiles()
	if len(all) != len(m.level) {
		t.Fatalf("seed %d step %d: AllFiles has %d entries, model %d", seed, step, len(all), len(m.level))
	}
	for k, l := range m.level {
		if all[k] != l {
			t.Fatalf("seed %d step %d: AllFiles[%d] = %d, model %d", seed, step, k, all[k], l)
		}
	}
}

// genEdit returns a random edit against the model: usually valid, sometimes
// not (deleting a missing table, adding a duplicate or an overlapping one).
func genEdit(r *rand.Rand, m *model, nextNum *uint64, seq *uint64) *VersionEdit {
	e := &VersionEdit{}
	existing := func() (uint64, int, bool) {
		if len(m.level) == 0 {
			return 0, 0, false
		}
		nums := make([]uint64, 0, len(m.level))
		for k := range m.level {
			nums = append(nums, k)
		}
		slices.Sort(nums)
		n := nums[r.IntN(len(nums))]
		return n, m.level[n], true
	}
	newTable := func() *TableMeta {
		a, b := r.IntN(500), r.IntN(500)
		lo, hi := min(a, b), max(a, b)
		if r.IntN(2) == 0 {
			hi = min(lo+r.IntN(20), 499)
		}
		*seq += 10
		*nextNum++
		return table(*nextNum, ukey(lo), ukey(hi), *seq-9, *seq)
	}
	for range 1 + r.IntN(3) {
		switch r.IntN(10) {
		case 0, 1, 2: // flush into L0
			e.Added = append(e.Added, NewTable{Level: 0, Meta: newTable()})
		case 3, 4: // add below L0 (may overlap)
			e.Added = append(e.Added, NewTable{Level: 1 + r.IntN(NumLevels-1), Meta: newTable()})
		case 5, 6: // delete
			if n, l, ok := existing(); ok {
				e.Deleted = append(e.Deleted, DeletedTable{Level: l, FileNum: n})
			}
		case 7: // move down one level
			if n, l, ok := existing(); ok && l < NumLevels-1 {
				e.Deleted = append(e.Deleted, DeletedTable{Level: l, FileNum: n})
				e.Added = append(e.Added, NewTable{Level: l + 1, Meta: m.meta[n]})
			}
		case 8: // delete from the wrong level, or a missing table
			if n, l, ok := existing(); ok && r.IntN(2) == 0 {
				e.Deleted = append(e.Deleted, DeletedTable{Level: (l + 1) % NumLevels, FileNum: n})
			} else {
				e.Deleted = append(e.Deleted, DeletedTable{Level: r.IntN(NumLevels), FileNum: *nextNum + 1000})
			}
		case 9: // duplicate file number
			if n, _, ok := existing(); ok {
				tb := *newTable()
				tb.FileNum = n
				e.Added = append(e.Added, NewTable{Level: r.IntN(NumLevels), Meta: &tb})
			}
		}
	}
	return e
}

func TestVersionApplyAgainstModel(t *testing.T) {
	r, seed := newRand(t)
	steps := 3000
	if testing.Short() {
		steps = 500
	}
	m := newModel()
	v := &Version{}
	var nextNum, seq uint64
	valid, invalid := 0, 0
	for step := range steps {
		// Sometimes apply several edits at once.
		edits := []*VersionEdit{genEdit(r, m, &nextNum, &seq)}
		for r.IntN(3) == 0 {
			mm := m.clone()
			mm.apply(edits[len(edits)-1])
			edits = append(edits, genEdit(r, mm, &nextNum, &seq))
		}
		mm := m.clone()
		ok := true
		for _, e := range edits {
			ok = ok && mm.apply(e)
		}
		ok = ok && mm.disjoint()
		nv, err := v.Apply(edits...)
		if ok != (err == nil) {
			t.Fatalf("seed %d step %d: Apply error %v, model valid=%v; edits %+v\n%s", seed, step, err, ok, edits, v)
		}
		if err != nil {
			if !errors.Is(err, kv.ErrCorruption) {
				t.Fatalf("seed %d step %d: error %v does not wrap ErrCorruption", seed, step, err)
			}
			invalid++
			m.check(t, seed, step, v) // v unchanged
			continue
		}
		valid++
		m, v = mm, nv
		m.check(t, seed, step, v)

		// Overlaps against brute force.
		for range 3 {
			var lo, hi []byte
			if r.IntN(5) > 0 {
				lo = []byte(ukey(r.IntN(520)))
			}
			if r.IntN(5) > 0 {
				hi = []byte(ukey(r.IntN(520)))
			}
			for l := range NumLevels {
				var want []*TableMeta
				for _, tb := range m.tables(l) {
					if overlaps(tb, lo, hi) {
						want = append(want, tb)
					}
				}
				if got := v.Overlaps(l, lo, hi); !slices.Equal(got, want) {
					t.Fatalf("seed %d step %d: Overlaps(L%d, %q, %q) = %v, want %v", seed, step, l, lo, hi, got, want)
				}
			}
		}
		// A snapshot recreates the version.
		if step%50 == 0 {
			sv, err := (&Version{}).Apply(v.Snapshot())
			if err != nil {
				t.Fatalf("seed %d step %d: applying snapshot: %v", seed, step, err)
			}
			m.check(t, seed, step, sv)
		}
	}
	if valid < steps/4 || invalid < steps/20 {
		t.Fatalf("seed %d: poor mix: %d valid, %d invalid edits", seed, valid, invalid)
	}
}

func TestVersionApplySharesUnchangedLevels(t *testing.T) {
	v, err := (&Version{}).Apply(&VersionEdit{Added: []NewTable{
		{Level: 0, Meta: table(1, "a", "c", 1, 5)},
		{Level: 2, Meta: table(2, "a", "c", 1, 5)},
	}})
	if err != nil {
		t.Fatal(err)
	}
	nv, err := v.Apply(&VersionEdit{Added: []NewTable{{Level: 0, Meta: table(3, "b", "d", 6, 9)}}})
	if err != nil {
		t.Fatal(err)
	}
	if &nv.Levels[2][0] != &v.Levels[2][0] {
		t.Error("unchanged L2 was copied")
	}
	if len(v.Levels[0]) != 1 || len(nv.Levels[0]) != 2 || nv.Levels[0][0].FileNum != 3 {
		t.Errorf("L0 old %v new %v", v.Levels[0], nv.Levels[0])
	}
}

func TestVersionL0OrderTiesByFileNum(t *testing.T) {
	v, err := (&Version{}).Apply(&VersionEdit{Added: []NewTable{
		{Level: 0, Meta: table(4, "a", "b", 1, 5)},
		{Level: 0, Meta: table(9, "a", "b", 1, 5)},
		{Level: 0, Meta: table(7, "a", "b", 6, 8)},
	}})
	if err != nil {
		t.Fatal(err)
	}
	var got []uint64
	for _, tb := range v.Levels[0] {
		got = append(got, tb.FileNum)
	}
	if !slices.Equal(got, []uint64{7, 9, 4}) {
		t.Fatalf("L0 order %v, want [7 9 4]", got)
	}
}

func TestVersionRejectsSharedUserKeyAcrossTables(t *testing.T) {
	// Two L1 tables meeting at the same user key (different sequence
	// numbers) overlap in user keys.
	_, err := (&Version{}).Apply(&VersionEdit{Added: []NewTable{
		{Level: 1, Meta: table(1, "a", "m", 1, 5)},
		{Level: 1, Meta: table(2, "m", "z", 6, 9)},
	}})
	if !errors.Is(err, kv.ErrCorruption) {
		t.Fatalf("got %v, want corruption", err)
	}
}

func TestCheckOrderDetects(t *testing.T) {
	a, b := table(1, "a", "c", 1, 2), table(2, "d", "f", 3, 4)
	cases := map[string]*Version{
		"L0 oldest first":    {Levels: [NumLevels][]*TableMeta{0: {a, b}}},
		"L1 unsorted":        {Levels: [NumLevels][]*TableMeta{1: {b, a}}},
		"L1 overlap":         {Levels: [NumLevels][]*TableMeta{1: {a, table(2, "b", "f", 3, 4)}}},
		"file in two levels": {Levels: [NumLevels][]*TableMeta{1: {a}, 2: {a}}},
		"invalid table":      {Levels: [NumLevels][]*TableMeta{3: {table(5, "z", "a", 1, 2)}}},
	}
	for name, v := range cases {
		if err := v.CheckOrder(); !errors.Is(err, kv.ErrCorruption) {
			t.Errorf("%s: CheckOrder = %v, want corruption", name, err)
		}
	}
	good := &Version{Levels: [NumLevels][]*TableMeta{0: {b, a}, 1: {renumbered(a, 101), renumbered(b, 102)}}}
	if err := good.CheckOrder(); err != nil {
		t.Errorf("valid version: %v", err)
	}
}

// renumbered returns a copy of t with another file number.
func renumbered(t *TableMeta, num uint64) *TableMeta {
	c := *t
	c.FileNum = num
	return &c
}

func TestOverlapsBoundsInclusive(t *testing.T) {
	v, err := (&Version{}).Apply(&VersionEdit{Added: []NewTable{
		{Level: 1, Meta: table(1, "b", "d", 1, 2)},
		{Level: 1, Meta: table(2, "f", "h", 1, 2)},
	}})
	if err != nil {
		t.Fatal(err)
	}
	check := func(lo, hi string, want ...uint64) {
		t.Helper()
		var l, h []byte
		if lo != "-" {
			l = []byte(lo)
		}
		if hi != "-" {
			h = []byte(hi)
		}
		var got []uint64
		for _, tb := range v.Overlaps(1, l, h) {
			got = append(got, tb.FileNum)
		}
		if !slices.Equal(got, want) {
			t.Errorf("Overlaps(%s, %s) = %v, want %v", lo, hi, got, want)
		}
	}
	check("d", "f", 1, 2)
	check("e", "e")
	check("a", "b", 1)
	check("h", "z", 2)
	check("-", "-", 1, 2)
	check("-", "a")
	check("i", "-")
	check("c", "c", 1)
}
