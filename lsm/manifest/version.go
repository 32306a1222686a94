package manifest

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"
	"sort"
	"sync"

	"github.com/kvlab/kvlab/internal/base"
	"github.com/kvlab/kvlab/kv"
)

// Version is an immutable snapshot of the tree: the tables of every level.
//
// L0 is ordered newest first: by LargestSeq descending, then FileNum
// descending; its tables may overlap. Every other level is sorted by
// Smallest, and its tables do not overlap in user keys: each table's largest
// user key is below the next one's smallest user key, so a user key lives in
// at most one table per level (compaction must not split a user key's
// versions across two output tables).
//
// A Version and its TableMeta values are never modified: Apply returns a new
// one that shares the unchanged levels. It is safe for concurrent use.
type Version struct {
	Levels [NumLevels][]*TableMeta

	filesOnce sync.Once
	files     map[uint64]int // fileNum -> level, built on first use
}

// fileIndex returns the version's fileNum -> level map (shared; read-only).
func (v *Version) fileIndex() map[uint64]int {
	v.filesOnce.Do(func() {
		n := 0
		for _, l := range v.Levels {
			n += len(l)
		}
		v.files = make(map[uint64]int, n)
		for level, l := range v.Levels {
			for _, t := range l {
				v.files[t.FileNum] = level
			}
		}
	})
	return v.files
}

// LevelSize returns the total size of the tables of level.
func (v *Version) LevelSize(level int) uint64 {
	var n uint64
	for _, t := range v.Levels[level] {
		n += t.Size
	}
	return n
}

// NumFiles returns the number of tables in level.
func (v *Version) NumFiles(level int) int { return len(v.Levels[level]) }

// AllFiles returns a new map from the file number of every table to its
// level, for obsolete-file collection.
func (v *Version) AllFiles() map[uint64]int {
	idx := v.fileIndex()
	m := make(map[uint64]int, len(idx))
	for k, l := range idx {
		m[k] = l
	}
	return m
}

// Overlaps returns the tables of level whose user-key range intersects
// [smallest, largest] (user keys, both inclusive; a nil bound is
// unbounded), in the level's order. For L1 and below it binary-searches.
// The returned slice is new; its tables are shared.
func (v *Version) Overlaps(level int, smallest, largest []byte) []*TableMeta {
	tables := v.Levels[level]
	if level == 0 {
		var out []*TableMeta
		for _, t := range tables {
			if overlaps(t, smallest, largest) {
				out = append(out, t)
			}
		}
		return out
	}
	i := 0
	if smallest != nil {
		i = sort.Search(len(tables), func(i int) bool {
			return bytes.Compare(tables[i].LargestUser(), smallest) >= 0
		})
	}
	j := len(tables)
	if largest != nil {
		j = i + sort.Search(len(tables)-i, func(k int) bool {
			return bytes.Compare(tables[i+k].SmallestUser(), largest) > 0
		})
	}
	if i >= j {
		return nil
	}
	return slices.Clone(tables[i:j])
}

// overlaps reports whether t's user-key range intersects [smallest, largest].
func overlaps(t *TableMeta, smallest, largest []byte) bool {
	if smallest != nil && bytes.Compare(t.LargestUser(), smallest) < 0 {
		return false
	}
	if largest != nil && bytes.Compare(t.SmallestUser(), largest) > 0 {
		return false
	}
	return true
}

// Apply returns a new Version: v with the edits applied in order (within an
// edit, deletions before additions). It checks that every deleted table is
// in the level named, that no file number is in two places, that every
// table is valid and that L1 and below stay sorted without user-key
// overlap; a violation is reported with an error wrapping kv.ErrCorruption,
// and v is unchanged either way. Scalar fields of the edits are ignored.
func (v *Version) Apply(edits ...*VersionEdit) (*Version, error) {
	b := newBuilder(v)
	for _, e := range edits {
		if err := b.apply(e); err != nil {
			return nil, err
		}
	}
	return b.finish()
}

// builder accumulates edits against a base version.
type builder struct {
	base    *Version
	index   map[uint64]int // base's fileNum -> level
	deleted [NumLevels]map[uint64]bool
	added   [NumLevels]map[uint64]*TableMeta
}

func newBuilder(v *Version) *builder {
	if v == nil {
		v = &Version{}
	}
	return &builder{base: v, index: v.fileIndex()}
}

func versionCorrupt(format string, args ...any) error {
	return kv.Corruptf("", -1, "manifest: "+format, args...)
}

// where returns the level that holds num after the edits applied so far.
func (b *builder) where(num uint64) (int, bool) {
	for level, m := range b.added {
		if m[num] != nil {
			return level, true
		}
	}
	if level, ok := b.index[num]; ok && !b.deleted[level][num] {
		return level, true
	}
	return 0, false
}

func (b *builder) apply(e *VersionEdit) error {
	for _, d := range e.Deleted {
		if d.Level < 0 || d.Level >= NumLevels {
			return versionCorrupt("deleted table %06d: level %d out of range", d.FileNum, d.Level)
		}
		if b.added[d.Level][d.FileNum] != nil {
			delete(b.added[d.Level], d.FileNum)
			continue
		}
		if level, ok := b.index[d.FileNum]; !ok || level != d.Level || b.deleted[level][d.FileNum] {
			return versionCorrupt("deleted table %06d is not in L%d", d.FileNum, d.Level)
		}
		if b.deleted[d.Level] == nil {
			b.deleted[d.Level] = map[uint64]bool{}
		}
		b.deleted[d.Level][d.FileNum] = true
	}
	for _, a := range e.Added {
		if a.Level < 0 || a.Level >= NumLevels {
			return versionCorrupt("added table: level %d out of range", a.Level)
		}
		if err := a.Meta.validate(); err != nil {
			return versionCorrupt("added to L%d: %v", a.Level, err)
		}
		if level, ok := b.where(a.Meta.FileNum); ok {
			return versionCorrupt("added table %06d to L%d is already in L%d", a.Meta.FileNum, a.Level, level)
		}
		if b.added[a.Level] == nil {
			b.added[a.Level] = map[uint64]*TableMeta{}
		}
		b.added[a.Level][a.Meta.FileNum] = a.Meta
	}
	return nil
}

func (b *builder) finish() (*Version, error) {
	nv := &Version{}
	for level := range NumLevels {
		old := b.base.Levels[level]
		if len(b.deleted[level]) == 0 && len(b.added[level]) == 0 {
			nv.Levels[level] = old
			continue
		}
		tables := make([]*TableMeta, 0, len(old)-len(b.deleted[level])+len(b.added[level]))
		for _, t := range old {
			if !b.deleted[level][t.FileNum] {
				tables = append(tables, t)
			}
		}
		for _, t := range b.added[level] {
			tables = append(tables, t)
		}
		if level == 0 {
			slices.SortFunc(tables, compareL0)
		} else {
			slices.SortFunc(tables, compareSorted)
			if err := checkDisjoint(level, tables); err != nil {
				return nil, err
			}
		}
		if len(tables) == 0 {
			tables = nil
		}
		nv.Levels[level] = tables
	}
	return nv, nil
}

// compareL0 orders L0 newest first.
func compareL0(a, b *TableMeta) int {
	if c := cmp.Compare(b.LargestSeq, a.LargestSeq); c != 0 {
		return c
	}
	return cmp.Compare(b.FileNum, a.FileNum)
}

// compareSorted orders L1+ by smallest key.
func compareSorted(a, b *TableMeta) int {
	if c := base.Compare(a.Smallest, b.Smallest); c != 0 {
		return c
	}
	return cmp.Compare(a.FileNum, b.FileNum)
}

// checkDisjoint reports user-key overlap between neighbours of a sorted level.
func checkDisjoint(level int, tables []*TableMeta) error {
	for i := 1; i < len(tables); i++ {
		p, t := tables[i-1], tables[i]
		if bytes.Compare(p.LargestUser(), t.SmallestUser()) >= 0 {
			return versionCorrupt("L%d: table %s overlaps table %s", level, p, t)
		}
	}
	return nil
}

// CheckOrder verifies the invariants of the Version doc comment: every table
// valid, no file number twice, L0 newest first, L1 and below sorted without
// user-key overlap. Violations wrap kv.ErrCorruption. `kvlab check` runs it.
func (v *Version) CheckOrder() error {
	seen := map[uint64]int{}
	for level, tables := range v.Levels {
		for i, t := range tables {
			if err := t.validate(); err != nil {
				return versionCorrupt("L%d: %v", level, err)
			}
			if l, ok := seen[t.FileNum]; ok {
				return versionCorrupt("table %06d is in L%d and L%d", t.FileNum, l, level)
			}
			seen[t.FileNum] = level
			if i == 0 {
				continue
			}
			p := tables[i-1]
			if level == 0 && compareL0(p, t) >= 0 {
				return versionCorrupt("L0: table %06d (largest seq %d) listed before newer table %06d (largest seq %d)", p.FileNum, p.LargestSeq, t.FileNum, t.LargestSeq)
			}
			if level > 0 && compareSorted(p, t) >= 0 {
				return versionCorrupt("L%d: table %s listed before %s", level, p, t)
			}
		}
		if level > 0 {
			if err := checkDisjoint(level, tables); err != nil {
				return err
			}
		}
	}
	return nil
}

// Snapshot returns one edit that recreates v from an empty Version: the
// comparator and every table. The caller sets LogNum, NextFileNum and
// LastSeq before writing it as a new manifest's first record.
func (v *Version) Snapshot() *VersionEdit {
	e := &VersionEdit{Comparator: Comparator}
	for level, tables := range v.Levels {
		for _, t := range tables {
			e.Added = append(e.Added, NewTable{Level: level, Meta: t})
		}
	}
	return e
}

// String renders the version, one line per non-empty level, for debugging.
func (v *Version) String() string {
	var buf bytes.Buffer
	for level, tables := range v.Levels {
		if len(tables) == 0 {
			continue
		}
		fmt.Fprintf(&buf, "L%d:", level)
		for _, t := range tables {
			fmt.Fprintf(&buf, " %s", t)
		}
		buf.WriteByte('\n')
	}
	return buf.String()
}
