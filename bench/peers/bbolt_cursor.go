package peers

import (
	"bytes"
	"slices"
	"sync"

	bolt "go.etcd.io/bbolt"

	"github.com/kvlab/kvlab/kv"
)

// boltCursor reads the bucket in chunks, each under its own short read
// transaction, into an arena it owns: a read transaction held for the
// iterator's life would block a writer that must grow the memory map —
// forever, if that writer is the iterator's own goroutine. A chunk holds
// consecutive keys in ascending order; moving past either end of it reads
// the next chunk strictly beyond the current key, so no key that exists
// throughout is skipped or repeated.
type boltCursor struct {
	db           *bolt.DB
	lower, upper []byte

	arena  []byte
	ents   []boltEntry
	i      int  // current entry
	atEnd  bool // no key follows the chunk (within the bounds)
	atHead bool // no key precedes the chunk (within the bounds)
	size   int  // entries per chunk; doubles while the iterator steps
	pivot  []byte
	failed error // the error that stopped the cursor
}

type boltEntry struct{ k, v, end int } // arena[k:v] is the key, arena[v:end] the value

const (
	boltChunkMin = 16
	boltChunkMax = 512
)

func (c *boltCursor) key() []byte {
	e := c.ents[c.i]
	return c.arena[e.k:e.v:e.v]
}

func (c *boltCursor) value() ([]byte, error) {
	e := c.ents[c.i]
	return c.arena[e.v:e.end:e.end], nil
}

func (c *boltCursor) err() error { return c.failed }

// close returns the cursor's buffers to boltBuffers.
func (c *boltCursor) close() error {
	if c.arena != nil && cap(c.arena) <= 1<<20 {
		boltBuffers.Put(&boltBuffer{arena: c.arena[:0], ents: c.ents[:0]})
	}
	c.arena, c.ents = nil, nil
	return nil
}

// boltBuffer is a cursor's arena and entries, pooled so that short scans
// (a seek and a few steps, the common benchmark case) allocate nothing in
// steady state: the adapter's copying should not be what is measured.
type boltBuffer struct {
	arena []byte
	ents  []boltEntry
}

var boltBuffers = sync.Pool{New: func() any { return &boltBuffer{} }}

func newBoltCursor(db *bolt.DB, o kv.IterOptions) *boltCursor {
	buf := boltBuffers.Get().(*boltBuffer)
	return &boltCursor{db: db, lower: o.LowerBound, upper: o.UpperBound, arena: buf.arena, ents: buf.ents}
}

func (c *boltCursor) first() bool          { return c.fill(nil, fromEnd, true, boltChunkMin) }
func (c *boltCursor) last() bool           { return c.fill(nil, fromEnd, false, boltChunkMin) }
func (c *boltCursor) seekGE(k []byte) bool { return c.fill(k, fromKey, true, boltChunkMin) }
func (c *boltCursor) seekLT(k []byte) bool { return c.fill(k, afterKey, false, boltChunkMin) }

func (c *boltCursor) next() bool {
	if c.i+1 < len(c.ents) {
		c.i++
		return true
	}
	if c.atEnd {
		return false
	}
	c.pivot = append(c.pivot[:0], c.key()...)
	return c.fill(c.pivot, afterKey, true, min(2*c.size, boltChunkMax))
}

func (c *boltCursor) prev() bool {
	if c.i > 0 {
		c.i--
		return true
	}
	if c.atHead {
		return false
	}
	c.pivot = append(c.pivot[:0], c.key()...)
	return c.fill(c.pivot, afterKey, false, min(2*c.size, boltChunkMax))
}

// Where a fill starts: at an end of the key space, at from, or strictly
// beyond from (in the fill's direction).
const (
	fromEnd = iota
	fromKey
	afterKey
)

// fill reads up to size entries from a new read transaction, forward from
// the first key (fromEnd) or the first key >= from (> from with afterKey),
// or backward from the last key (fromEnd) or the last key < from (either
// mode), and rests on the entry nearest the start.
func (c *boltCursor) fill(from []byte, start int, forward bool, size int) bool {
	c.size = size
	c.arena, c.ents, c.i = c.arena[:0], c.ents[:0], 0
	c.atEnd, c.atHead = false, false
	err := c.db.View(func(tx *bolt.Tx) error {
		cur := tx.Bucket(boltBucket).Cursor()
		var k, v []byte
		switch {
		case start == fromEnd && forward:
			k, v = cur.First()
		case start == fromEnd:
			k, v = cur.Last()
		default:
			enc := encodeKey(from)
			k, v = cur.Seek(enc)
			if forward && start == afterKey && k != nil && bytes.Equal(k, enc) {
				k, v = cur.Next()
			}
			if !forward {
				if k == nil {
					k, v = cur.Last()
				} else {
					k, v = cur.Prev()
				}
			}
		}
		for ; k != nil; k, v = c.step(cur, forward) {
			uk := k[1:]
			if (forward && c.upper != nil && bytes.Compare(uk, c.upper) >= 0) ||
				(!forward && c.lower != nil && bytes.Compare(uk, c.lower) < 0) {
				break
			}
			if len(c.ents) == size {
				return nil // more follow
			}
			start := len(c.arena)
			c.arena = append(c.arena, uk...)
			c.arena = append(c.arena, v...)
			c.ents = append(c.ents, boltEntry{start, start + len(uk), len(c.arena)})
		}
		if forward {
			c.atEnd = true
		} else {
			c.atHead = true
		}
		return nil
	})
	if err != nil {
		c.failed = err
		c.ents = c.ents[:0]
		return false
	}
	if !forward {
		slices.Reverse(c.ents)
		c.i = len(c.ents) - 1
	}
	return len(c.ents) > 0
}

func (c *boltCursor) step(cur *bolt.Cursor, forward bool) ([]byte, []byte) {
	if forward {
		return cur.Next()
	}
	return cur.Prev()
}
