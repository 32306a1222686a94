// Package rangedel holds the range tombstones of the LSM engine and the
// fragmentation that makes them cheap to query.
//
// A range tombstone (Tombstone) deletes the user keys of [Start, End)
// written before it: an entry with sequence number s under a key k in the
// range is hidden from a reader at sequence number r when the tombstone's
// sequence number t satisfies s < t <= r. Tombstones may overlap freely.
//
// Fragments cuts a set of tombstones at every start and end key into
// fragments that never overlap: two fragments either are disjoint or do not
// both exist, and every fragment lists the sequence numbers of all the
// tombstones covering it, newest first. A Set is a sorted slice of
// fragments, answering "which tombstones cover k" with one binary search;
// a Cursor walks a Set (or its flattened Spans) in step with an iterator
// so that testing a key costs O(1) when keys arrive in order. Pebble's
// keyspan package and RocksDB's FragmentedRangeTombstoneList follow the
// same idea.
package rangedel

import (
	"bytes"
	"cmp"
	"slices"
	"sort"

	"github.com/kvlab/kvlab/internal/base"
)

// Tombstone deletes the user keys of [Start, End) older than Seq.
type Tombstone struct {
	Start, End []byte
	Seq        base.SeqNum
}

// Fragment is a piece [Start, End) of the key space and the sequence
// numbers of the tombstones covering all of it, strictly descending.
type Fragment struct {
	Start, End []byte
	Seqs       []base.SeqNum
}

// Contains reports whether key lies in [f.Start, f.End).
func (f *Fragment) Contains(key []byte) bool {
	return bytes.Compare(f.Start, key) <= 0 && bytes.Compare(key, f.End) < 0
}

// Visible returns the newest sequence number of f at or below seq, or 0
// when f has none (a tombstone at sequence number 0 hides nothing).
func (f *Fragment) Visible(seq base.SeqNum) base.SeqNum {
	i := sort.Search(len(f.Seqs), func(i int) bool { return f.Seqs[i] <= seq })
	if i == len(f.Seqs) {
		return 0
	}
	return f.Seqs[i]
}

// Fragments returns the fragments of ts, sorted by Start and pairwise
// disjoint. Tombstones with Start >= End are ignored. The fragments' keys
// alias the tombstones' keys; ts is reordered.
func Fragments(ts []Tombstone) []Fragment {
	n := 0
	for _, t := range ts {
		if bytes.Compare(t.Start, t.End) < 0 {
			ts[n] = t
			n++
		}
	}
	ts = ts[:n]
	if n == 0 {
		return nil
	}
	slices.SortFunc(ts, func(a, b Tombstone) int { return bytes.Compare(a.Start, b.Start) })
	bounds := make([][]byte, 0, 2*n)
	for _, t := range ts {
		bounds = append(bounds, t.Start, t.End)
	}
	slices.SortFunc(bounds, bytes.Compare)
	bounds = slices.CompactFunc(bounds, bytes.Equal)

	var frags []Fragment
	var active []Tombstone
	var seqs []base.SeqNum // backing store of every fragment's Seqs
	j := 0
	for i := 0; i+1 < len(bounds); i++ {
		lo, hi := bounds[i], bounds[i+1]
		k := 0
		for _, t := range active {
			if bytes.Compare(t.End, lo) > 0 {
				active[k] = t
				k++
			}
		}
		active = active[:k]
		for j < len(ts) && bytes.Equal(ts[j].Start, lo) {
			active = append(active, ts[j])
			j++
		}
		if len(active) == 0 {
			continue
		}
		from := len(seqs)
		for _, t := range active {
			seqs = append(seqs, t.Seq)
		}
		s := seqs[from:]
		slices.SortFunc(s, func(a, b base.SeqNum) int { return cmp.Compare(b, a) }) // newest first
		s = slices.Compact(s)
		seqs = seqs[:from+len(s)]
		frags = append(frags, Fragment{Start: lo, End: hi, Seqs: s[:len(s):len(s)]})
	}
	return frags
}

// Set is an immutable, sorted slice of disjoint fragments (as Fragments
// returns). The zero Set is empty. It is safe for concurrent use.
type Set struct {
	frags []Fragment
}

// NewSet returns the Set of fragments, which must be sorted and disjoint.
func NewSet(frags []Fragment) *Set { return &Set{frags: frags} }

// Len returns the number of fragments; 0 for a nil Set.
func (s *Set) Len() int {
	if s == nil {
		return 0
	}
	return len(s.frags)
}

// Fragments returns the fragments (shared: do not modify).
func (s *Set) Fragments() []Fragment {
	if s == nil {
		return nil
	}
	return s.frags
}

// Find returns the fragment containing key, or nil.
func (s *Set) Find(key []byte) *Fragment {
	if s == nil {
		return nil
	}
	i := sort.Search(len(s.frags), func(i int) bool { return bytes.Compare(s.frags[i].End, key) > 0 })
	if i < len(s.frags) && bytes.Compare(s.frags[i].Start, key) <= 0 {
		return &s.frags[i]
	}
	return nil
}

// MaxSeq returns the sequence number of the newest tombstone covering key
// that a reader at seq sees, or 0 when there is none.
func (s *Set) MaxSeq(key []byte, seq base.SeqNum) base.SeqNum {
	if f := s.Find(key); f != nil {
		return f.Visible(seq)
	}
	return 0
}

// AppendTombstones appends the tombstones of s that a reader at seq sees
// and that overlap [lower, upper) (nil bounds are open), one per fragment
// and sequence number. It binary-searches the first fragment in range.
func (s *Set) AppendTombstones(dst []Tombstone, seq base.SeqNum, lower, upper []byte) []Tombstone {
	frags := s.Fragments()
	i := 0
	if lower != nil {
		i = sort.Search(len(frags), func(j int) bool { return bytes.Compare(frags[j].End, lower) > 0 })
	}
	for ; i < len(frags); i++ {
		f := &frags[i]
		if upper != nil && bytes.Compare(f.Start, upper) >= 0 {
			break
		}
		for _, q := range f.Seqs {
			if q <= seq {
				dst = append(dst, Tombstone{Start: f.Start, End: f.End, Seq: q})
			}
		}
	}
	return dst
}

// Overlaps reports whether [start, end) meets [lower, upper); nil bounds
// are open.
func Overlaps(start, end, lower, upper []byte) bool {
	return (upper == nil || bytes.Compare(start, upper) < 0) && (lower == nil || bytes.Compare(end, lower) > 0)
}
