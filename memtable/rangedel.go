package memtable

import (
	"bytes"
	"fmt"
	"sync/atomic"

	"github.com/kvlab/kvlab/internal/base"
	"github.com/kvlab/kvlab/internal/rangedel"
	"github.com/kvlab/kvlab/kv"
)

// rangeDels holds a memtable's range tombstones beside the skiplist: each
// is one record (start, end, sequence number), whatever the number of keys
// it covers. The single writer appends to a slice and publishes the new
// slice header; readers load it and see a prefix that never changes (an
// append writes only past every published length). The fragmented form
// readers query is built on demand and cached for the tombstone count it
// was built from.
type rangeDels struct {
	list  atomic.Pointer[[]rangedel.Tombstone]
	bytes atomic.Int64
	frags atomic.Pointer[fragCache]
}

type fragCache struct {
	n   int
	set *rangedel.Set
}

// rangeDelOverhead is what ApproximateSize counts per range tombstone on
// top of its two keys.
const rangeDelOverhead = 64

// AddRangeDel adds a range tombstone deleting the keys of [start, end)
// older than seq. start and end are copied. An empty range (start == end)
// deletes nothing and adds nothing. It returns an error wrapping
// kv.ErrInvalidRange when start > end, kv.ErrKeyTooLarge for an oversized
// key, or an error for a sequence number above base.MaxSeqNum; the memtable
// is then unchanged.
//
// AddRangeDel must not run concurrently with Add, another AddRangeDel or
// ApplyBatch.
func (m *Memtable) AddRangeDel(seq base.SeqNum, start, end []byte) error {
	if err := kv.CheckKV(start, nil); err != nil {
		return fmt.Errorf("memtable: range tombstone start: %w", err)
	}
	if err := kv.CheckKV(end, nil); err != nil {
		return fmt.Errorf("memtable: range tombstone end: %w", err)
	}
	if seq > base.MaxSeqNum {
		return fmt.Errorf("memtable: sequence number %d above the maximum %d", seq, base.MaxSeqNum)
	}
	switch bytes.Compare(start, end) {
	case 0:
		return nil
	case 1:
		return fmt.Errorf("memtable: range tombstone [%q, %q): %w", start, end, kv.ErrInvalidRange)
	}
	buf := make([]byte, len(start)+len(end))
	copy(buf, start)
	copy(buf[len(start):], end)
	t := rangedel.Tombstone{Start: buf[:len(start):len(start)], End: buf[len(start):], Seq: seq}
	var list []rangedel.Tombstone
	if p := m.rd.list.Load(); p != nil {
		list = *p
	}
	list = append(list, t)
	m.rd.list.Store(&list)
	m.rd.bytes.Add(int64(len(buf)) + rangeDelOverhead)
	return nil
}

// RangeDelCount returns the number of range tombstones in the memtable.
func (m *Memtable) RangeDelCount() int {
	if p := m.rd.list.Load(); p != nil {
		return len(*p)
	}
	return 0
}

// RangeDels returns the memtable's range tombstones, fragmented (see
// package rangedel), or nil when it has none. The result is shared and
// immutable; a later AddRangeDel makes a new one.
func (m *Memtable) RangeDels() *rangedel.Set {
	p := m.rd.list.Load()
	if p == nil || len(*p) == 0 {
		return nil
	}
	list := *p
	if c := m.rd.frags.Load(); c != nil && c.n == len(list) {
		return c.set
	}
	ts := append([]rangedel.Tombstone(nil), list...)
	set := rangedel.NewSet(rangedel.Fragments(ts))
	m.rd.frags.Store(&fragCache{n: len(list), set: set})
	return set
}

// GetEntry is Get without the Bloom filter that also returns the entry's
// sequence number, for a reader that must compare it with a range
// tombstone's.
func (m *Memtable) GetEntry(ukey []byte, seq base.SeqNum) (value []byte, kind base.Kind, entrySeq base.SeqNum, found bool) {
	seq = min(seq, base.MaxSeqNum)
	_, n := m.sl.seek(ukey, base.MakeTrailer(seq, base.KindMax))
	if n == 0 {
		return nil, 0, 0, false
	}
	key, value := m.sl.entry(n)
	if !bytes.Equal(base.UserKey(key), ukey) {
		return nil, 0, 0, false
	}
	if kind = base.KindOf(key); kind == base.KindDelete {
		value = nil
	}
	return value, kind, base.Seq(key), true
}
