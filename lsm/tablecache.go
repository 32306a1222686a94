package lsm

import (
	"fmt"
	"sync"

	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/lsm/manifest"
	"github.com/kvlab/kvlab/sstable"
	"github.com/kvlab/kvlab/vfs"
)

// tableCache keeps one open sstable.Reader per live table, opened on first
// use and closed when the table is deleted or the DB closes. All readers
// share the block cache. Every live table stays open: a store of N tables
// holds N file descriptors (with the default 8 MiB tables, 1,000 descriptors
// per 8 GB of data).
type tableCache struct {
	fs    vfs.FS
	dir   string
	cache *sstable.Cache

	mu      sync.RWMutex
	readers map[uint64]*tableEntry
	closed  bool
	// retired accumulates the counters of readers that were closed, so
	// that Stats stays cumulative.
	retired sstable.Stats
}

type tableEntry struct {
	ready chan struct{} // closed once r or err is set
	r     *sstable.Reader
	err   error
}

func newTableCache(fs vfs.FS, dir string, cache *sstable.Cache) *tableCache {
	return &tableCache{fs: fs, dir: dir, cache: cache, readers: map[uint64]*tableEntry{}}
}

// get returns the reader of table fileNum, opening it if needed.
func (tc *tableCache) get(fileNum uint64) (*sstable.Reader, error) {
	tc.mu.RLock()
	if e := tc.readers[fileNum]; e != nil && !tc.closed {
		tc.mu.RUnlock()
		<-e.ready
		return e.r, e.err
	}
	tc.mu.RUnlock()
	tc.mu.Lock()
	if tc.closed {
		tc.mu.Unlock()
		return nil, fmt.Errorf("lsm: table %06d: %w", fileNum, kv.ErrClosed)
	}
	if e := tc.readers[fileNum]; e != nil {
		tc.mu.Unlock()
		<-e.ready
		return e.r, e.err
	}
	e := &tableEntry{ready: make(chan struct{})}
	tc.readers[fileNum] = e
	tc.mu.Unlock()

	name := manifest.TableFileName(tc.dir, fileNum)
	f, err := tc.fs.Open(name, vfs.KindSSTable)
	if err != nil {
		e.err = fmt.Errorf("lsm: open table: %w", err)
	} else if e.r, err = sstable.Open(f, name, fileNum, sstable.ReaderOptions{Cache: tc.cache}); err != nil {
		f.Close()
		e.err = err
	}
	close(e.ready)
	if e.err != nil {
		// Do not keep failures: a later attempt may succeed after a
		// transient I/O error, and corruption is found again anyway.
		tc.mu.Lock()
		if tc.readers[fileNum] == e {
			delete(tc.readers, fileNum)
		}
		tc.mu.Unlock()
	}
	return e.r, e.err
}

// evict closes the reader of a deleted table and drops its cached blocks.
func (tc *tableCache) evict(fileNum uint64) {
	tc.mu.Lock()
	e := tc.readers[fileNum]
	delete(tc.readers, fileNum)
	tc.mu.Unlock()
	if e != nil {
		tc.retire(e)
	}
	if tc.cache != nil {
		tc.cache.Evict(fileNum)
	}
}

func (tc *tableCache) retire(e *tableEntry) {
	<-e.ready // wait for a concurrent open
	if e.r == nil {
		return
	}
	st := e.r.Stats()
	e.r.Close()
	tc.mu.Lock()
	tc.retired = tc.retired.Add(st)
	tc.mu.Unlock()
}

// stats sums the counters of every reader, open or retired.
func (tc *tableCache) stats() sstable.Stats {
	tc.mu.Lock()
	total := tc.retired
	entries := make([]*tableEntry, 0, len(tc.readers))
	for _, e := range tc.readers {
		entries = append(entries, e)
	}
	tc.mu.Unlock()
	for _, e := range entries {
		select {
		case <-e.ready:
			if e.r != nil {
				total = total.Add(e.r.Stats())
			}
		default: // still opening: nothing counted yet
		}
	}
	return total
}

// memory returns the number of open readers and the bytes of their decoded
// indexes and Bloom filters.
func (tc *tableCache) memory() (open int, index, filter int64) {
	tc.mu.RLock()
	defer tc.mu.RUnlock()
	for _, e := range tc.readers {
		select {
		case <-e.ready:
			if e.r != nil {
				open++
				index += e.r.IndexMemory()
				filter += e.r.FilterMemory()
			}
		default:
		}
	}
	return open, index, filter
}

// close closes every reader.
func (tc *tableCache) close() {
	tc.mu.Lock()
	tc.closed = true
	readers := tc.readers
	tc.readers = map[uint64]*tableEntry{}
	tc.mu.Unlock()
	for _, e := range readers {
		tc.retire(e)
	}
}
