package lsm

import (
	"bytes"
	"sort"

	"github.com/kvlab/kvlab/internal/base"
	"github.com/kvlab/kvlab/internal/rangedel"
	"github.com/kvlab/kvlab/lsm/manifest"
)

// rangeDelCompactor handles the range tombstones of one flush or
// compaction. It fragments the inputs' tombstones together, then, as the
// point entries stream past in order:
//
//   - covered reports the entries a tombstone deletes for every reader
//     that could see them: the nearest tombstone above the entry's sequence
//     number lies in the same snapshot stripe (see versionFilter), so no
//     snapshot sees the entry without the tombstone;
//   - the output keeps, per fragment, the newest tombstone of each stripe
//     (an older one in the same stripe hides nothing more), and drops a
//     tombstone of the first stripe, seen by every reader, when no level
//     below the output holds a table overlapping it (isBase): it then hides
//     nothing but the entries this job drops;
//   - emit hands each kept fragment to the output table under
//     construction before the first entry at or after its start, and
//     canSplit keeps a table from ending inside (or just at the end of) a
//     fragment it holds, so that the user-key ranges of a level's tables,
//     tombstones included, stay disjoint.
type rangeDelCompactor struct {
	f    *versionFilter
	in   []rangedel.Fragment // the inputs' fragments
	ci   int                 // covered's cursor into in
	out  []rangedel.Fragment // the fragments to write, with their kept seqs
	next int                 // the first fragment of out not yet emitted
	// lastEnd is the end of the last fragment emitted to the current
	// output table; nil when it has none.
	lastEnd []byte
}

// newRangeDelCompactor gathers the tombstones of sets. isBase, when not
// nil, reports whether no deeper level overlaps [start, end).
func newRangeDelCompactor(sets []*rangedel.Set, f *versionFilter, isBase func(start, end []byte) bool) *rangeDelCompactor {
	rc := &rangeDelCompactor{f: f}
	var ts []rangedel.Tombstone
	for _, s := range sets {
		ts = s.AppendTombstones(ts, base.MaxSeqNum, nil, nil)
	}
	rc.in = rangedel.Fragments(ts)
	for _, fr := range rc.in {
		var kept []base.SeqNum
		lastStripe := -1
		for _, s := range fr.Seqs { // newest first
			st := f.stripe(s)
			if st == lastStripe {
				continue
			}
			lastStripe = st
			if st == 0 && isBase != nil && isBase(fr.Start, fr.End) {
				continue
			}
			kept = append(kept, s)
		}
		if len(kept) > 0 {
			rc.out = append(rc.out, rangedel.Fragment{Start: fr.Start, End: fr.End, Seqs: kept})
		}
	}
	return rc
}

// empty reports whether the job has no tombstone at all.
func (rc *rangeDelCompactor) empty() bool { return len(rc.in) == 0 }

// covered reports whether the entry (ukey, seq) may be dropped because a
// tombstone deletes it for every reader. Entries must come in key order.
func (rc *rangeDelCompactor) covered(ukey []byte, seq base.SeqNum) bool {
	for rc.ci < len(rc.in) && bytes.Compare(rc.in[rc.ci].End, ukey) <= 0 {
		rc.ci++
	}
	if rc.ci == len(rc.in) || bytes.Compare(rc.in[rc.ci].Start, ukey) > 0 {
		return false
	}
	seqs := rc.in[rc.ci].Seqs // descending
	// The nearest tombstone above seq: the last one > seq.
	i := sort.Search(len(seqs), func(i int) bool { return seqs[i] <= seq }) - 1
	return i >= 0 && rc.f.stripe(seqs[i]) == rc.f.stripe(seq)
}

// canSplit reports whether the current output table may end before the
// entry ukey: neither a fragment it holds nor one that would start the next
// table may touch the user key where they meet.
func (rc *rangeDelCompactor) canSplit(ukey []byte) bool {
	if rc.lastEnd == nil {
		return true
	}
	if bytes.Compare(rc.lastEnd, ukey) >= 0 {
		return false
	}
	if rc.next < len(rc.out) && bytes.Compare(rc.out[rc.next].Start, ukey) <= 0 &&
		bytes.Equal(rc.out[rc.next].Start, rc.lastEnd) {
		return false
	}
	return true
}

// startTable notes that a new output table begins.
func (rc *rangeDelCompactor) startTable() { rc.lastEnd = nil }

// pending reports whether fragments remain to be emitted.
func (rc *rangeDelCompactor) pending() bool { return rc.next < len(rc.out) }

// emit adds to tb the fragments that start at or before ukey (all of them
// when ukey is nil).
func (rc *rangeDelCompactor) emit(tb *tableBuilder, ukey []byte) error {
	for rc.next < len(rc.out) && (ukey == nil || bytes.Compare(rc.out[rc.next].Start, ukey) <= 0) {
		fr := rc.out[rc.next]
		if err := tb.addRangeDel(fr); err != nil {
			return err
		}
		rc.lastEnd = fr.End
		rc.next++
	}
	return nil
}

// isBaseForRange reports whether no level below the job's output level
// holds a table overlapping [start, end) in v.
func isBaseForRange(v *manifest.Version, outputLevel int, start, end []byte) bool {
	for level := outputLevel + 1; level < manifest.NumLevels; level++ {
		for _, t := range v.Overlaps(level, start, end) {
			if bytes.Compare(t.SmallestUser(), end) < 0 {
				return false
			}
		}
	}
	return true
}

// inputRangeDels returns the non-empty tombstone sets of tables.
func (db *DB) inputRangeDels(tables []*manifest.TableMeta) ([]*rangedel.Set, error) {
	var sets []*rangedel.Set
	for _, t := range tables {
		s, err := db.tableRangeDels(t)
		if err != nil {
			return nil, err
		}
		if s.Len() > 0 {
			sets = append(sets, s)
		}
	}
	return sets, nil
}
