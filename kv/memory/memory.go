// Package memory is kvlab's in-memory engine: an ordered map
// (github.com/google/btree) behind the kv.Engine contract. It keeps nothing
// across Close and does no I/O, which makes it the reference model the
// conformance suite checks other engines against and the benchmark's
// zero-I/O baseline.
//
// Iterators read a copy-on-write clone of the tree taken when they are
// created, so they see a point-in-time snapshot: writes made after
// NewIterator are invisible to it.
package memory

import (
	"bytes"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/google/btree"

	"github.com/kvlab/kvlab/kv"
)

// Name is the engine's registered name.
const Name = "memory"

type item struct {
	key, value []byte
}

func less(a, b item) bool { return bytes.Compare(a.key, b.key) < 0 }

// DB is the in-memory engine. It is safe for concurrent use.
type DB struct {
	mu     sync.RWMutex
	tree   *btree.BTreeG[item]
	live   int64 // bytes of keys and values stored
	closed bool
	// shut mirrors closed for iterators, which check it without mu.
	shut atomic.Bool

	gets, getHits, puts, deletes, batches atomic.Int64
	rangeDeletes                          atomic.Int64
	iters, seeks, steps                   atomic.Int64
	userWritten, userRead                 atomic.Int64
}

var _ kv.Engine = (*DB)(nil)

// New returns an empty engine.
func New() *DB {
	return &DB{tree: btree.NewG(32, less)}
}

// Get implements kv.Engine.
func (d *DB) Get(key []byte) ([]byte, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	if d.closed {
		return nil, kv.ErrClosed
	}
	d.gets.Add(1)
	it, ok := d.tree.Get(item{key: key})
	if !ok {
		return nil, kv.ErrNotFound
	}
	d.getHits.Add(1)
	d.userRead.Add(int64(len(it.key) + len(it.value))) // see kv.Stats.UserBytesRead
	return append([]byte{}, it.value...), nil
}

// Put implements kv.Engine.
func (d *DB) Put(key, value []byte) error {
	var b kv.Batch
	b.Put(key, value)
	return d.Write(&b, kv.WriteOptions{})
}

// Delete implements kv.Engine.
func (d *DB) Delete(key []byte) error {
	var b kv.Batch
	b.Delete(key)
	return d.Write(&b, kv.WriteOptions{})
}

// Write applies the batch atomically. Sync has nothing to do.
func (d *DB) Write(b *kv.Batch, _ kv.WriteOptions) error {
	if err := b.Err(); err != nil {
		return fmt.Errorf("memory: write: %w", err)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return kv.ErrClosed
	}
	r := b.Reader()
	for {
		kind, k, v, ok := r.Next()
		if !ok {
			break
		}
		switch kind {
		case kv.OpSet:
			nk := bytes.Clone(k)
			nv := append(make([]byte, 0, len(v)), v...)
			if old, had := d.tree.ReplaceOrInsert(item{nk, nv}); had {
				d.live -= int64(len(old.key) + len(old.value))
			}
			d.live += int64(len(nk) + len(nv))
			d.puts.Add(1)
		case kv.OpDelete:
			if old, had := d.tree.Delete(item{key: k}); had {
				d.live -= int64(len(old.key) + len(old.value))
			}
			d.deletes.Add(1)
		case kv.OpDeleteRange:
			d.deleteRange(k, v)
		}
	}
	if err := r.Err(); err != nil {
		return fmt.Errorf("memory: write: %w", err)
	}
	d.batches.Add(1)
	d.userWritten.Add(b.UserBytes())
	return nil
}

// deleteRange removes the keys in [start, end); the caller holds mu.
func (d *DB) deleteRange(start, end []byte) {
	var doomed []item
	d.tree.AscendRange(item{key: start}, item{key: end}, func(i item) bool {
		doomed = append(doomed, i)
		return true
	})
	for _, i := range doomed {
		d.tree.Delete(i)
		d.live -= int64(len(i.key) + len(i.value))
	}
	d.rangeDeletes.Add(1)
}

// NewIterator implements kv.Engine. The iterator sees a snapshot of the
// store as of this call.
func (d *DB) NewIterator(o kv.IterOptions) (kv.Iterator, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return nil, kv.ErrClosed
	}
	d.iters.Add(1)
	return &iterator{db: d, tree: d.tree.Clone(), opts: o}, nil
}

// Sync implements kv.Engine; the memory engine has nothing to make durable.
func (d *DB) Sync() error {
	d.mu.RLock()
	defer d.mu.RUnlock()
	if d.closed {
		return kv.ErrClosed
	}
	return nil
}

// Stats implements kv.Engine.
func (d *DB) Stats() kv.Stats {
	d.mu.RLock()
	live := d.live
	d.mu.RUnlock()
	return kv.Stats{
		Engine: Name,
		Ops: kv.OpStats{
			Gets: d.gets.Load(), GetHits: d.getHits.Load(), Puts: d.puts.Load(),
			Deletes: d.deletes.Load(), Batches: d.batches.Load(), Iterators: d.iters.Load(),
			Seeks: d.seeks.Load(), Steps: d.steps.Load(), RangeDeletes: d.rangeDeletes.Load(),
		},
		UserBytesWritten: d.userWritten.Load(),
		UserBytesRead:    d.userRead.Load(),
		IO:               map[string]kv.IOStats{},
		LiveBytes:        live,
	}
}

// Close implements kv.Engine; the contents are dropped.
func (d *DB) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return kv.ErrClosed
	}
	d.closed = true
	d.shut.Store(true)
	d.tree = btree.NewG(2, less)
	return nil
}
