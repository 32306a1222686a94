package lsm

import (
	"bytes"
	"sync"

	"github.com/kvlab/kvlab/internal/base"
	"github.com/kvlab/kvlab/internal/rangedel"
	"github.com/kvlab/kvlab/lsm/manifest"
	"github.com/kvlab/kvlab/sstable"
)

// Range tombstones in the LSM (see doc.go, "Range deletions"): a
// DeleteRange is one record in the memtable (memtable.AddRangeDel) and, once
// flushed, one or more fragments in a table's range-deletion block. Readers
// never test a key against every tombstone: Get asks each source it visits
// for the newest visible tombstone covering the key (a binary search over
// fragments), and an iterator fragments the visible tombstones of its read
// state once and walks them with a cursor in step with its keys.

// rangeDelTables remembers which tables hold range tombstones, so that an
// iterator need not open every table of a version to find out. A table is
// looked up once per process (its file is immutable): when it is written,
// or when a reader first needs it.
type rangeDelTables struct {
	mu sync.Mutex
	m  map[uint64]*rangedel.Set // known tables; nil value: no tombstone
}

func (rt *rangeDelTables) lookup(fileNum uint64) (*rangedel.Set, bool) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	s, ok := rt.m[fileNum]
	return s, ok
}

func (rt *rangeDelTables) record(fileNum uint64, s *rangedel.Set) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if rt.m == nil {
		rt.m = map[uint64]*rangedel.Set{}
	}
	rt.m[fileNum] = s
}

// forget drops a deleted table.
func (rt *rangeDelTables) forget(fileNum uint64) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	delete(rt.m, fileNum)
}

// tableRangeDels returns the range tombstones of table t (nil when none).
func (db *DB) tableRangeDels(t *manifest.TableMeta) (*rangedel.Set, error) {
	if s, ok := db.rdTables.lookup(t.FileNum); ok {
		return s, nil
	}
	r, err := db.tables.get(t.FileNum)
	if err != nil {
		return nil, err
	}
	s := r.RangeDels()
	db.rdTables.record(t.FileNum, s)
	return s, nil
}

// rsRangeDels is what a read state knows of its tables' range tombstones,
// computed once, by the first reader that needs it.
type rsRangeDels struct {
	once sync.Once
	sets []*rangedel.Set // the tables' non-empty sets
	err  error
}

// tableRangeDels returns the non-empty range tombstone sets of rs's tables.
func (rs *readState) tableRangeDels() ([]*rangedel.Set, error) {
	rs.rd.once.Do(func() {
		for _, lvl := range rs.version.Levels {
			for _, t := range lvl {
				s, err := rs.db.tableRangeDels(t)
				if err != nil {
					rs.rd.err = err
					return
				}
				if s.Len() > 0 {
					rs.rd.sets = append(rs.rd.sets, s)
				}
			}
		}
	})
	return rs.rd.sets, rs.rd.err
}

// iterRangeDels returns a cursor over the range tombstones of rs that a
// reader at seq sees within [lower, upper), or nil when there is none.
func (db *DB) iterRangeDels(rs *readState, seq base.SeqNum, lower, upper []byte) (*rangedel.Cursor, error) {
	var ts []rangedel.Tombstone
	if rs.mem.RangeDelCount() > 0 {
		ts = rs.mem.RangeDels().AppendTombstones(ts, seq, lower, upper)
	}
	for _, m := range rs.imms {
		if m.RangeDelCount() > 0 {
			ts = m.RangeDels().AppendTombstones(ts, seq, lower, upper)
		}
	}
	sets, err := rs.tableRangeDels()
	if err != nil {
		return nil, err
	}
	for _, s := range sets {
		ts = s.AppendTombstones(ts, seq, lower, upper)
	}
	if len(ts) == 0 {
		return nil, nil
	}
	return rangedel.NewCursor(rangedel.Spans(ts)), nil
}

// rangeTombstones counts the range tombstones in the store: the memtables'
// records plus the tables' fragment entries (one per fragment and sequence
// number). Stats reports it as Extra["range-tombstones"].
func (db *DB) rangeTombstones() int {
	rs := db.loadReadState()
	defer rs.unref()
	n := rs.mem.RangeDelCount()
	for _, m := range rs.imms {
		n += m.RangeDelCount()
	}
	sets, _ := rs.tableRangeDels()
	for _, s := range sets {
		for _, f := range s.Fragments() {
			n += len(f.Seqs)
		}
	}
	return n
}

// tableGetCovered is Get's slow path in a table with a visible range
// tombstone at sequence number tomb covering key: it finds the newest
// version of key at or below seq and returns it only if it is newer than
// the tombstone. found is true either way: the lookup ends here, as older
// sources hold only older versions.
func tableGetCovered(r *sstable.Reader, key []byte, seq, tomb base.SeqNum) (v []byte, kind base.Kind, err error) {
	it := r.NewIter(nil, nil)
	defer it.Close()
	var kbuf [64]byte
	if it.SeekGE(base.SeekKey(kbuf[:0], key, seq)) {
		ukey, s, k, ok := base.Parse(it.Key())
		if ok && bytes.Equal(ukey, key) && s > tomb {
			if k == base.KindDelete {
				return nil, k, nil
			}
			return bytes.Clone(it.Value()), k, nil
		}
	}
	if err := it.Err(); err != nil {
		return nil, 0, err
	}
	return nil, base.KindDelete, nil
}

// extendBounds widens a table's smallest and largest internal keys (nil
// when it has no point entry) to its range tombstones: a fragment [s, e)
// counts as s and e at the largest trailer, which sorts before every real
// entry of the user key. The user-key range [SmallestUser, LargestUser]
// then contains every key the table's tombstones cover (plus e itself,
// conservatively), so level invariants and overlap tests hold for them.
func extendBounds(smallest, largest []byte, frags []rangedel.Fragment) ([]byte, []byte) {
	if len(frags) == 0 {
		return smallest, largest
	}
	lo := base.MakeInternalKey(frags[0].Start, base.MaxSeqNum, base.KindMax)
	hi := base.MakeInternalKey(frags[len(frags)-1].End, base.MaxSeqNum, base.KindMax)
	if smallest == nil || base.Compare(lo, smallest) < 0 {
		smallest = lo
	}
	if largest == nil || base.Compare(hi, largest) > 0 {
		largest = hi
	}
	return smallest, largest
}
