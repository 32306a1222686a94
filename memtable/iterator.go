package memtable

import (
	"bytes"
	"encoding/binary"

	"github.com/kvlab/kvlab/internal/base"
	"github.com/kvlab/kvlab/kv"
)

// Iter walks a memtable's entries in internal key order — user key
// ascending, then newest first — restricted to user keys in [lower, upper).
// Every version of every key is visited, tombstones included; resolving
// versions against a snapshot is the caller's job (the LSM's merging
// iterator).
//
// Iter has kv.Iterator's method set so that the LSM can merge it with other
// internal iterators, but its keys are internal keys, not user keys.
//
// A new Iter is unpositioned. Every positioning method returns whether the
// iterator now rests on an entry (the same as Valid). Once it runs off either
// end, Next and Prev return false until it is positioned again.
//
// An Iter runs concurrently with Add without locks: it never sees a partial
// entry, and entries that exist throughout the iteration are visited in
// order, exactly once each way. Entries added during the iteration may or
// may not be seen. An Iter is not safe for concurrent use by several
// goroutines.
type Iter struct {
	sl           *skiplist
	node         uint32 // current node; 0 when not positioned
	lower, upper []byte
	key, value   []byte
}

var _ kv.Iterator = (*Iter)(nil)

// NewIter returns an iterator over the entries whose user keys lie in
// [lower, upper); a nil bound is open. The iterator keeps lower and upper:
// the caller must not modify them while the iterator is in use.
func (m *Memtable) NewIter(lower, upper []byte) *Iter {
	return &Iter{sl: &m.sl, lower: lower, upper: upper}
}

// First moves to the first entry whose user key is >= lower.
func (it *Iter) First() bool {
	if it.sl == nil {
		return false
	}
	if it.lower != nil {
		_, n := it.sl.seek(it.lower, seekFirst)
		return it.setForward(n)
	}
	return it.setForward(it.sl.next(headAddr, 0))
}

// Last moves to the last entry whose user key is < upper.
func (it *Iter) Last() bool {
	if it.sl == nil {
		return false
	}
	if it.upper != nil {
		n, _ := it.sl.seek(it.upper, seekFirst)
		return it.setBackward(n)
	}
	return it.setBackward(it.sl.last())
}

// SeekGE moves to the first entry whose internal key is >= ik (and whose user
// key is >= lower). ik must be an internal key (base.Valid). To find the
// newest version of a user key visible at sequence number seq, seek to
// base.SeekKey(nil, ukey, seq); base.MaxSeqNum for the newest of all.
func (it *Iter) SeekGE(ik []byte) bool {
	if it.sl == nil {
		return false
	}
	ukey, trailer := split(ik)
	if it.lower != nil && bytes.Compare(ukey, it.lower) < 0 {
		ukey, trailer = it.lower, seekFirst
	}
	_, n := it.sl.seek(ukey, trailer)
	return it.setForward(n)
}

// SeekLT moves to the last entry whose internal key is < ik (and whose user
// key is < upper). ik must be an internal key (base.Valid).
func (it *Iter) SeekLT(ik []byte) bool {
	if it.sl == nil {
		return false
	}
	ukey, trailer := split(ik)
	if it.upper != nil && bytes.Compare(ukey, it.upper) >= 0 {
		ukey, trailer = it.upper, seekFirst
	}
	n, _ := it.sl.seek(ukey, trailer)
	return it.setBackward(n)
}

// Next moves to the next entry.
func (it *Iter) Next() bool {
	if it.node == 0 {
		return false
	}
	return it.setForward(it.sl.next(it.node, 0))
}

// Prev moves to the previous entry. A skiplist has no back links, so Prev
// searches from the head: O(log n).
func (it *Iter) Prev() bool {
	if it.node == 0 {
		return false
	}
	ukey, trailer := split(it.key)
	n, _ := it.sl.seek(ukey, trailer)
	return it.setBackward(n)
}

// Valid reports whether the iterator rests on an entry.
func (it *Iter) Valid() bool { return it.node != 0 }

// Key returns the current entry's internal key. It aliases the memtable's
// arena: it stays valid and unchanged while the memtable is reachable, and
// must not be modified. It is nil when the iterator is not Valid.
func (it *Iter) Key() []byte { return it.key }

// Value returns the current entry's value, never nil while Valid (empty for
// a tombstone). It aliases the arena like Key.
func (it *Iter) Value() []byte { return it.value }

// Err returns nil: an iterator over memory cannot fail.
func (it *Iter) Err() error { return nil }

// Close releases the iterator; positioning it afterwards returns false. It
// always returns nil and is safe to call twice.
func (it *Iter) Close() error {
	*it = Iter{}
	return nil
}

// setForward rests on node n (0 = none), unless n is at or past upper.
func (it *Iter) setForward(n uint32) bool {
	if n != 0 {
		it.key, it.value = it.sl.entry(n)
		if it.upper == nil || bytes.Compare(base.UserKey(it.key), it.upper) < 0 {
			it.node = n
			return true
		}
	}
	return it.clear()
}

// setBackward rests on node n (headAddr = none), unless n is before lower.
func (it *Iter) setBackward(n uint32) bool {
	if n != headAddr {
		it.key, it.value = it.sl.entry(n)
		if it.lower == nil || bytes.Compare(base.UserKey(it.key), it.lower) >= 0 {
			it.node = n
			return true
		}
	}
	return it.clear()
}

func (it *Iter) clear() bool {
	it.node, it.key, it.value = 0, nil, nil
	return false
}

// split splits an internal key into its user key and trailer. A key too
// short to be an internal key is taken as a user key, sorting before all its
// versions.
func split(ik []byte) ([]byte, uint64) {
	if !base.Valid(ik) {
		return ik, seekFirst
	}
	u := len(ik) - base.TrailerLen
	return ik[:u], binary.LittleEndian.Uint64(ik[u:])
}
