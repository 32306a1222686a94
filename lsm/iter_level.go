package lsm

import (
	"bytes"
	"sort"

	"github.com/kvlab/kvlab/internal/base"
	"github.com/kvlab/kvlab/lsm/manifest"
	"github.com/kvlab/kvlab/sstable"
)

// levelIter walks the tables of one level below L0 as one sorted run: the
// tables are sorted and do not overlap, so at most one is open at a time,
// and a seek opens only the table that can hold the key.
type levelIter struct {
	tc           *tableCache
	tables       []*manifest.TableMeta
	lower, upper []byte // user-key bounds; nil is open

	idx  int // index of the loaded table; -1 when none
	iter *sstable.Iter
	err  error
}

func newLevelIter(tc *tableCache, tables []*manifest.TableMeta, lower, upper []byte) *levelIter {
	return &levelIter{tc: tc, tables: tables, lower: lower, upper: upper, idx: -1}
}

// load makes table i current; it reports false (with l.err set) when the
// table cannot be opened.
func (l *levelIter) load(i int) bool {
	if l.idx == i && l.iter != nil {
		return true
	}
	if l.iter != nil {
		if err := l.iter.Close(); err != nil && l.err == nil {
			l.err = err
		}
		l.iter = nil
	}
	l.idx = i
	r, err := l.tc.get(l.tables[i].FileNum)
	if err != nil {
		l.err = err
		return false
	}
	l.iter = r.NewIter(l.lower, l.upper)
	return true
}

// inUpper reports whether table i may hold keys below the upper bound.
func (l *levelIter) inUpper(i int) bool {
	return l.upper == nil || bytes.Compare(l.tables[i].SmallestUser(), l.upper) < 0
}

// inLower reports whether table i may hold keys at or above the lower bound.
func (l *levelIter) inLower(i int) bool {
	return l.lower == nil || bytes.Compare(l.tables[i].LargestUser(), l.lower) >= 0
}

func (l *levelIter) forwardFrom(i int, ok bool) bool {
	for !ok {
		if l.err != nil || (l.iter != nil && l.iter.Err() != nil) {
			l.captureErr()
			return false
		}
		i++
		if i >= len(l.tables) || !l.inUpper(i) {
			return false
		}
		if !l.load(i) {
			return false
		}
		ok = l.iter.First()
	}
	return true
}

func (l *levelIter) backwardFrom(i int, ok bool) bool {
	for !ok {
		if l.err != nil || (l.iter != nil && l.iter.Err() != nil) {
			l.captureErr()
			return false
		}
		i--
		if i < 0 || !l.inLower(i) {
			return false
		}
		if !l.load(i) {
			return false
		}
		ok = l.iter.Last()
	}
	return true
}

func (l *levelIter) captureErr() {
	if l.err == nil && l.iter != nil {
		l.err = l.iter.Err()
	}
}

func (l *levelIter) reset() { l.err = nil }

func (l *levelIter) First() bool {
	l.reset()
	i := 0
	if l.lower != nil {
		i = sort.Search(len(l.tables), func(j int) bool { return l.inLower(j) })
	}
	if i >= len(l.tables) || !l.inUpper(i) {
		l.unload()
		return false
	}
	if !l.load(i) {
		return false
	}
	return l.forwardFrom(i, l.iter.First())
}

func (l *levelIter) Last() bool {
	l.reset()
	i := len(l.tables) - 1
	if l.upper != nil {
		i = sort.Search(len(l.tables), func(j int) bool { return !l.inUpper(j) }) - 1
	}
	if i < 0 || !l.inLower(i) {
		l.unload()
		return false
	}
	if !l.load(i) {
		return false
	}
	return l.backwardFrom(i, l.iter.Last())
}

func (l *levelIter) SeekGE(ikey []byte) bool {
	l.reset()
	i := sort.Search(len(l.tables), func(j int) bool { return base.Compare(l.tables[j].Largest, ikey) >= 0 })
	if i >= len(l.tables) || !l.inUpper(i) {
		l.unload()
		return false
	}
	if !l.load(i) {
		return false
	}
	return l.forwardFrom(i, l.iter.SeekGE(ikey))
}

func (l *levelIter) SeekLT(ikey []byte) bool {
	l.reset()
	i := sort.Search(len(l.tables), func(j int) bool { return base.Compare(l.tables[j].Smallest, ikey) >= 0 }) - 1
	if i < 0 || !l.inLower(i) {
		l.unload()
		return false
	}
	if !l.load(i) {
		return false
	}
	return l.backwardFrom(i, l.iter.SeekLT(ikey))
}

func (l *levelIter) Next() bool {
	if l.iter == nil || !l.iter.Valid() {
		return false
	}
	return l.forwardFrom(l.idx, l.iter.Next())
}

func (l *levelIter) Prev() bool {
	if l.iter == nil || !l.iter.Valid() {
		return false
	}
	return l.backwardFrom(l.idx, l.iter.Prev())
}

// unload leaves the iterator unpositioned.
func (l *levelIter) unload() {
	if l.iter != nil {
		if err := l.iter.Close(); err != nil && l.err == nil {
			l.err = err
		}
		l.iter = nil
	}
	l.idx = -1
}

func (l *levelIter) Valid() bool   { return l.err == nil && l.iter != nil && l.iter.Valid() }
func (l *levelIter) Key() []byte   { return l.iter.Key() }
func (l *levelIter) Value() []byte { return l.iter.Value() }
func (l *levelIter) Err() error {
	if l.err != nil {
		return l.err
	}
	if l.iter != nil {
		return l.iter.Err()
	}
	return nil
}

func (l *levelIter) Close() error {
	l.unload()
	return l.err
}
