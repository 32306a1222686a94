package peers

import (
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"

	"github.com/kvlab/kvlab/kv"
)

// core is what every adapter shares: the open/closed state, the counters the
// adapter keeps itself, the open iterators (closed when the engine closes),
// the directory's in-process lock and the OS I/O baseline taken at Open.
type core struct {
	name  string // registered engine name
	dir   string // absolute directory
	basis ioBasis
	io0   procIO // /proc/self/io before Open

	// mu is held shared by every operation and exclusively by Close while
	// it marks the engine closed, so that no operation is in flight on the
	// underlying store when it is closed.
	mu     sync.RWMutex
	closed bool

	itMu  sync.Mutex
	iters map[*iterator]struct{}

	gets, getHits, puts, deletes, batches atomic.Int64
	rangeDeletes                          atomic.Int64
	iterators, seeks, steps               atomic.Int64
	userWritten, userRead                 atomic.Int64
}

// openDirs is the process-wide set of directories an adapter has open: the
// libraries' own file locks do not all see a second open in the same process
// (fcntl locks are per process).
var openDirs = struct {
	sync.Mutex
	m map[string]string
}{m: map[string]string{}}

// newCore locks dir for the engine within the process and takes the I/O
// baseline. The caller opens the store next and calls release on failure.
func newCore(name, dir string, basis ioBasis) (*core, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("peers: %s: %w", name, err)
	}
	openDirs.Lock()
	defer openDirs.Unlock()
	if other, busy := openDirs.m[abs]; busy {
		return nil, fmt.Errorf("peers: %s: directory %s is already open (by %s) in this process", name, abs, other)
	}
	openDirs.m[abs] = name
	return &core{name: name, dir: abs, basis: basis, io0: readProcIO(), iters: map[*iterator]struct{}{}}, nil
}

// release gives up the directory.
func (c *core) release() {
	openDirs.Lock()
	delete(openDirs.m, c.dir)
	openDirs.Unlock()
}

// errf wraps err with the engine's name and an operation.
func (c *core) errf(op string, err error) error {
	return fmt.Errorf("peers: %s: %s: %w", c.name, op, err)
}

// begin starts an operation: it returns an error wrapping kv.ErrClosed after
// Close; otherwise the caller must call end.
func (c *core) begin() error {
	c.mu.RLock()
	if c.closed {
		c.mu.RUnlock()
		return fmt.Errorf("peers: %s: %w", c.name, kv.ErrClosed)
	}
	return nil
}

func (c *core) end() { c.mu.RUnlock() }

// shut marks the engine closed, closes its open iterators, then calls
// closeStore (which may flush and must close the underlying store) and gives
// up the directory. A second call returns an error wrapping kv.ErrClosed.
func (c *core) shut(closeStore func() error) error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return fmt.Errorf("peers: %s: close: %w", c.name, kv.ErrClosed)
	}
	c.closed = true
	c.mu.Unlock()

	c.itMu.Lock()
	open := c.iters
	c.iters = map[*iterator]struct{}{}
	c.itMu.Unlock()
	for it := range open {
		it.forceClose(fmt.Errorf("peers: %s: engine closed: %w", c.name, kv.ErrClosed))
	}
	err := closeStore()
	c.release()
	if err != nil {
		return c.errf("close", err)
	}
	return nil
}

// checkKey applies the contract's limits and then the engine's smaller key
// limit (0 for none).
func checkKey(key, value []byte, limit int) error {
	if err := kv.CheckKV(key, value); err != nil {
		return err
	}
	if limit > 0 && len(key) > limit {
		return &kv.SizeError{Err: kv.ErrKeyTooLarge, Size: len(key), Limit: limit}
	}
	return nil
}

// wrote counts one successful write: a Put, Delete or Write of sets and
// dels operations carrying user bytes.
func (c *core) wrote(sets, dels, user int64) {
	c.puts.Add(sets)
	c.deletes.Add(dels)
	c.batches.Add(1)
	c.userWritten.Add(user)
}

// got counts one Get of key, which found value when found is set: the
// key and the value count as read (see kv.Stats.UserBytesRead).
func (c *core) got(key, value []byte, found bool) {
	c.gets.Add(1)
	if found {
		c.getHits.Add(1)
		c.userRead.Add(int64(len(key) + len(value)))
	}
}

// track registers a new iterator over cur.
func (c *core) track(cur cursor, o kv.IterOptions) *iterator {
	it := newIterator(c, cur, o)
	c.iterators.Add(1)
	c.itMu.Lock()
	c.iters[it] = struct{}{}
	c.itMu.Unlock()
	return it
}

func (c *core) untrack(it *iterator) {
	c.itMu.Lock()
	delete(c.iters, it)
	c.itMu.Unlock()
}

// stats returns the figures every adapter fills the same way: operation
// counts, user bytes, disk usage and the OS I/O since Open.
func (c *core) stats() kv.Stats {
	s := kv.Stats{
		Engine: c.name,
		Ops: kv.OpStats{
			Gets: c.gets.Load(), GetHits: c.getHits.Load(), Puts: c.puts.Load(),
			Deletes: c.deletes.Load(), Batches: c.batches.Load(), Iterators: c.iterators.Load(),
			Seeks: c.seeks.Load(), Steps: c.steps.Load(), RangeDeletes: c.rangeDeletes.Load(),
		},
		UserBytesWritten: c.userWritten.Load(),
		UserBytesRead:    c.userRead.Load(),
		Extra:            map[string]float64{},
	}
	d := readProcIO().sub(c.io0)
	s.IO = map[string]kv.IOStats{"peer": c.basis.ioStats(d)}
	c.basis.addExtra(s.Extra, d)
	var apparent int64
	s.DiskBytes, apparent = dirUsage(c.dir)
	s.Extra["disk.apparent_bytes"] = float64(apparent)
	return s
}

// encodeKey returns keyPrefix+key in a new slice: the adapters for engines
// that refuse or mishandle the empty key (Pebble, Badger, bbolt) store
// every key behind keyPrefix.
func encodeKey(key []byte) []byte {
	k := make([]byte, 1+len(key))
	k[0] = keyPrefix
	copy(k[1:], key)
	return k
}

// keyPrefix precedes every key Pebble, Badger and bbolt store.
const keyPrefix = 'k'

// prefixStart and prefixEnd bound the encoded key space: every encoded key
// k has prefixStart <= k < prefixEnd.
var (
	prefixStart = []byte{keyPrefix}
	prefixEnd   = []byte{keyPrefix + 1}
)
