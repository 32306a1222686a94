package lsm

import (
	"bytes"
	"fmt"
	"slices"

	"github.com/kvlab/kvlab/internal/base"
	"github.com/kvlab/kvlab/internal/rangedel"
	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/lsm/manifest"
)

// dbIter is the kv.Iterator of a DB or Snapshot: it walks the merged
// internal keys of one read state and shows, for each user key, the newest
// version with a sequence number <= seq, hiding deleted keys. Writes made
// after the iterator was created have larger sequence numbers, and the read
// state pins the tables it reads, so the iterator sees a consistent snapshot.
//
// Going forward the merged iterator rests on the entry shown. Going backward
// the versions of a key arrive oldest first, so the iterator reads past them
// to the previous key and shows a copy of the newest visible version
// (LevelDB's DBIter does the same). A change of direction re-seeks.
//
// Range tombstones: at creation the iterator fragments the tombstones of
// its read state that seq sees within its bounds (iterRangeDels) and walks
// them with a cursor beside the keys, so a version older than the
// tombstone covering it is hidden like a point deletion, at the cost of a
// comparison or two per key. Without tombstones rd is nil.
type dbIter struct {
	db           *DB
	rs           *readState
	iter         *mergingIter
	seq          base.SeqNum
	lower, upper []byte
	rd           *rangedel.Cursor

	valid   bool
	forward bool
	key     []byte // reverse direction: copy of the current key
	value   []byte // reverse direction: copy of the current value
	seekBuf []byte
	err     error
	closed  bool

	// Steps and user bytes returned since the last positioning call,
	// added to the DB's counters by the next one and by Close: one atomic
	// add per scan instead of two per step.
	steps, bytesRead int64
}

var _ kv.Iterator = (*dbIter)(nil)

// newIter builds an iterator over rs at seq; it takes over the caller's
// reference to rs.
func (db *DB) newIter(rs *readState, seq base.SeqNum, o kv.IterOptions) *dbIter {
	var lower, upper []byte
	if o.LowerBound != nil {
		lower = slices.Clone(o.LowerBound)
	}
	if o.UpperBound != nil {
		upper = slices.Clone(o.UpperBound)
	}
	iters := make([]internalIterator, 0, 2+len(rs.imms)+len(rs.version.Levels[0])+len(rs.version.Levels))
	iters = append(iters, rs.mem.NewIter(lower, upper))
	for i := len(rs.imms) - 1; i >= 0; i-- {
		iters = append(iters, rs.imms[i].NewIter(lower, upper))
	}
	for _, t := range rs.version.Levels[0] {
		iters = append(iters, newLevelIter(db.tables, []*manifest.TableMeta{t}, lower, upper))
	}
	for level := 1; level < len(rs.version.Levels); level++ {
		if tables := rs.version.Levels[level]; len(tables) > 0 {
			iters = append(iters, newLevelIter(db.tables, tables, lower, upper))
		}
	}
	db.stats.iterators.Add(1)
	rd, err := db.iterRangeDels(rs, seq, lower, upper)
	return &dbIter{db: db, rs: rs, iter: newMergingIter(iters), seq: seq, lower: lower, upper: upper, forward: true, rd: rd, err: err}
}

// usable reports whether the iterator may move, setting the error that
// stops it otherwise.
func (it *dbIter) usable() bool {
	if it.closed {
		it.err = fmt.Errorf("lsm: iterator: %w", kv.ErrClosed)
	} else if it.db.closed.Load() {
		it.err = kv.ErrClosed
	}
	if it.err != nil {
		it.valid = false
		return false
	}
	return true
}

func (it *dbIter) seekKey(ukey []byte) []byte {
	it.seekBuf = base.SeekKey(it.seekBuf[:0], ukey, base.MaxSeqNum)
	return it.seekBuf
}

// findNext moves forward from the merged iterator's position to the first
// visible, live user key; with skip set, versions of skipKey and smaller
// keys are passed over.
func (it *dbIter) findNext(skip bool, skipKey []byte) bool {
	it.forward = true
	for ok := it.iter.Valid(); ok; ok = it.iter.Next() {
		ik := it.iter.Key()
		ukey, seq, kind, valid := base.Parse(ik)
		if !valid {
			return it.fail(kv.Corruptf("", -1, "lsm: invalid internal key %x", ik))
		}
		if seq > it.seq {
			continue
		}
		if skip && bytes.Compare(ukey, skipKey) <= 0 {
			continue
		}
		if kind == base.KindDelete || (it.rd != nil && it.rd.Seq(ukey) > seq) {
			skip = true
			skipKey = append(skipKey[:0], ukey...)
			continue
		}
		it.valid = true
		return true
	}
	return it.stop()
}

// findPrev moves backward from the merged iterator's position to the
// previous visible, live user key and copies it.
func (it *dbIter) findPrev() bool {
	it.forward = false
	found := false // it.key/it.value hold a visible set
	for ok := it.iter.Valid(); ok; ok = it.iter.Prev() {
		ik := it.iter.Key()
		ukey, seq, kind, valid := base.Parse(ik)
		if !valid {
			return it.fail(kv.Corruptf("", -1, "lsm: invalid internal key %x", ik))
		}
		if seq > it.seq {
			continue
		}
		if found && bytes.Compare(ukey, it.key) < 0 {
			it.valid = true
			return true
		}
		if kind == base.KindDelete || (it.rd != nil && it.rd.Seq(ukey) > seq) {
			found = false
			continue
		}
		found = true
		it.key = append(it.key[:0], ukey...)
		it.value = append(it.value[:0], it.iter.Value()...)
	}
	if err := it.iter.Err(); err != nil {
		return it.fail(err)
	}
	it.valid = found
	return found
}

func (it *dbIter) stop() bool {
	it.valid = false
	if err := it.iter.Err(); err != nil {
		it.err = err
	}
	return false
}

func (it *dbIter) fail(err error) bool {
	it.valid = false
	it.err = err
	return false
}

func (it *dbIter) count() {
	it.db.stats.seeks.Add(1)
	it.flushStats()
}

// flushStats adds the steps and bytes counted locally to the DB's stats.
func (it *dbIter) flushStats() {
	if it.steps != 0 {
		it.db.stats.steps.Add(it.steps)
		it.steps = 0
	}
	if it.bytesRead != 0 {
		it.db.stats.userBytesRead.Add(it.bytesRead)
		it.bytesRead = 0
	}
}

// First moves to the smallest key >= LowerBound.
func (it *dbIter) First() bool {
	if !it.usable() {
		return false
	}
	it.count()
	it.iter.First()
	return it.done(it.findNext(false, nil))
}

// Last moves to the largest key < UpperBound.
func (it *dbIter) Last() bool {
	if !it.usable() {
		return false
	}
	it.count()
	it.iter.Last()
	return it.done(it.findPrev())
}

// SeekGE moves to the smallest key >= key.
func (it *dbIter) SeekGE(key []byte) bool {
	if !it.usable() {
		return false
	}
	it.count()
	if it.lower != nil && bytes.Compare(key, it.lower) < 0 {
		key = it.lower
	}
	it.iter.SeekGE(it.seekKey(key))
	return it.done(it.findNext(false, nil))
}

// SeekLT moves to the largest key < key.
func (it *dbIter) SeekLT(key []byte) bool {
	if !it.usable() {
		return false
	}
	it.count()
	if it.upper != nil && bytes.Compare(key, it.upper) > 0 {
		key = it.upper
	}
	it.iter.SeekLT(it.seekKey(key))
	return it.done(it.findPrev())
}

// Next moves to the next larger key.
func (it *dbIter) Next() bool {
	if !it.usable() || !it.valid {
		return false
	}
	it.steps++
	if !it.forward {
		// The merged iterator rests before the current key's versions:
		// seek to them and skip them.
		cur := append([]byte(nil), it.key...)
		it.iter.SeekGE(it.seekKey(cur))
		return it.done(it.findNext(true, cur))
	}
	cur := append(it.key[:0], base.UserKey(it.iter.Key())...)
	it.key = cur
	it.iter.Next()
	return it.done(it.findNext(true, cur))
}

// Prev moves to the next smaller key.
func (it *dbIter) Prev() bool {
	if !it.usable() || !it.valid {
		return false
	}
	it.steps++
	if it.forward {
		cur := base.UserKey(it.iter.Key())
		it.iter.SeekLT(it.seekKey(cur))
	} else {
		// The merged iterator already rests on the last (oldest)
		// version of the previous key: findPrev continues from there.
		if !it.iter.Valid() {
			return it.stop()
		}
	}
	return it.done(it.findPrev())
}

// done counts the bytes a positioning call returns.
func (it *dbIter) done(ok bool) bool {
	if ok {
		it.bytesRead += int64(len(it.Key()) + len(it.Value()))
	}
	return ok
}

// Valid reports whether the iterator rests on a key.
func (it *dbIter) Valid() bool { return it.valid }

// Key returns the current key, nil when the iterator is not positioned.
func (it *dbIter) Key() []byte {
	if !it.valid {
		return nil
	}
	if it.forward {
		return base.UserKey(it.iter.Key())
	}
	return it.key
}

// Value returns the current value, never nil while Valid, nil otherwise.
func (it *dbIter) Value() []byte {
	if !it.valid {
		return nil
	}
	var v []byte
	if it.forward {
		v = it.iter.Value()
	} else {
		v = it.value
	}
	if v == nil {
		v = []byte{}
	}
	return v
}

// Err returns the error that stopped the iterator.
func (it *dbIter) Err() error { return it.err }

// Close releases the iterator's read state.
func (it *dbIter) Close() error {
	if it.closed {
		return it.err
	}
	it.closed = true
	it.valid = false
	it.flushStats()
	if err := it.iter.Close(); err != nil && it.err == nil {
		it.err = err
	}
	it.rs.unref()
	return it.err
}
