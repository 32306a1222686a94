package sstable

import (
	"sync"
	"sync/atomic"
)

// Cache is a block cache shared by all the tables of an engine: it holds
// decompressed, checksum-verified, validated data blocks keyed by (file
// number, block offset), and evicts blocks not used lately when the bytes it
// holds exceed its capacity.
//
// Replacement is CLOCK (second chance): a hit only sets the block's
// referenced bit, so that a lookup touches the map and the entry and no
// neighbour in a list; eviction takes the oldest block, and one whose bit is
// set gets its bit cleared and goes back to the newest end instead. Blocks
// used since the hand last passed survive, as under LRU, at the cost of
// one relink per eviction rather than per hit.
//
// The cache is split into shards, each a CLOCK list under its own mutex, so
// that concurrent Gets on different blocks rarely wait for each other; a
// block's shard is chosen by a hash of its key. A block larger than a
// shard's capacity is not cached. Every method is safe for concurrent use.
//
// File numbers must not be reused while blocks of the old file may be
// cached: call Evict when a table is deleted.
type Cache struct {
	capacity int64
	shards   []cacheShard
}

type cacheKey struct {
	fileNum, offset uint64
}

type cacheEntry struct {
	key        cacheKey
	b          *block
	charge     int64
	ref        bool // used since the clock hand last passed it
	prev, next *cacheEntry
}

type cacheShard struct {
	mu        sync.Mutex
	capacity  int64
	size      int64
	m         map[cacheKey]*cacheEntry
	lru       cacheEntry // sentinel: lru.next is the newest, lru.prev the oldest
	hits      atomic.Int64
	misses    atomic.Int64
	evictions atomic.Int64
	_         [40]byte // keep shards' locks on separate cache lines
}

// maxCacheShards is the number of shards of a large cache; a cache gets one
// shard per MiB of capacity up to that.
const maxCacheShards = 16

// NewCache returns a cache holding at most capacityBytes of blocks (their
// bytes plus a small per-block overhead). A capacity of 0 or less disables
// it: nothing is cached and lookups always miss without being counted.
func NewCache(capacityBytes int64) *Cache {
	n := int(min(max(capacityBytes>>20, 1), maxCacheShards))
	return newCache(capacityBytes, n)
}

func newCache(capacity int64, shards int) *Cache {
	c := &Cache{capacity: max(capacity, 0)}
	if c.capacity == 0 {
		return c
	}
	c.shards = make([]cacheShard, shards)
	for i := range c.shards {
		s := &c.shards[i]
		s.capacity = capacity / int64(shards)
		if i < int(capacity%int64(shards)) {
			s.capacity++
		}
		s.m = make(map[cacheKey]*cacheEntry)
		s.lru.prev, s.lru.next = &s.lru, &s.lru
	}
	return c
}

// CacheStats are a cache's counters and occupancy.
type CacheStats struct {
	// Capacity and Size are the bound and the bytes held now.
	Capacity, Size int64
	// Entries is the number of blocks held now.
	Entries int64
	// Hits and Misses count lookups; Evictions counts blocks dropped to
	// make room (not those dropped by Evict).
	Hits, Misses, Evictions int64
}

// HitRate returns hits over lookups, 0 before any lookup.
func (s CacheStats) HitRate() float64 {
	if s.Hits+s.Misses == 0 {
		return 0
	}
	return float64(s.Hits) / float64(s.Hits+s.Misses)
}

// Stats returns the cache's counters. On a nil or disabled cache they are
// all zero.
func (c *Cache) Stats() CacheStats {
	if c == nil {
		return CacheStats{}
	}
	st := CacheStats{Capacity: c.capacity}
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.Lock()
		st.Size += s.size
		st.Entries += int64(len(s.m))
		s.mu.Unlock()
		st.Hits += s.hits.Load()
		st.Misses += s.misses.Load()
		st.Evictions += s.evictions.Load()
	}
	return st
}

// enabled reports whether c caches anything.
func (c *Cache) enabled() bool { return c != nil && len(c.shards) > 0 }

func (c *Cache) shard(k cacheKey) *cacheShard {
	// splitmix64 finaliser over both halves of the key
	h := k.fileNum*0x9e3779b97f4a7c15 ^ k.offset
	h ^= h >> 30
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 27
	h *= 0x94d049bb133111eb
	h ^= h >> 31
	return &c.shards[h%uint64(len(c.shards))]
}

// get returns the cached block, or nil.
func (c *Cache) get(fileNum, offset uint64) *block {
	k := cacheKey{fileNum, offset}
	s := c.shard(k)
	s.mu.Lock()
	e := s.m[k]
	if e != nil {
		e.ref = true
	}
	s.mu.Unlock()
	if e == nil {
		s.misses.Add(1)
		return nil
	}
	s.hits.Add(1)
	return e.b
}

// insert caches b, replacing any block cached under the same key, and
// evicts blocks beyond the shard's capacity: the oldest whose referenced
// bit is clear, giving those with the bit set a second chance.
func (c *Cache) insert(fileNum, offset uint64, b *block) {
	k := cacheKey{fileNum, offset}
	s := c.shard(k)
	charge := b.size()
	if charge > s.capacity {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if old := s.m[k]; old != nil {
		s.remove(old)
	}
	e := &cacheEntry{key: k, b: b, charge: charge}
	s.m[k] = e
	s.pushFront(e)
	s.size += charge
	for s.size > s.capacity {
		v := s.lru.prev
		if v.ref || v == e {
			// A second chance; the new block, never evicted by its
			// own insertion (it fits alone), waits behind the others.
			v.ref = false
			s.unlink(v)
			s.pushFront(v)
			continue
		}
		s.remove(v)
		s.evictions.Add(1)
	}
}

// Evict drops every cached block of the file. Call it when the table is
// deleted. It walks the whole cache.
func (c *Cache) Evict(fileNum uint64) {
	if c == nil {
		return
	}
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.Lock()
		for k, e := range s.m {
			if k.fileNum == fileNum {
				s.remove(e)
			}
		}
		s.mu.Unlock()
	}
}

func (s *cacheShard) remove(e *cacheEntry) {
	s.unlink(e)
	delete(s.m, e.key)
	s.size -= e.charge
}

func (s *cacheShard) unlink(e *cacheEntry) {
	e.prev.next = e.next
	e.next.prev = e.prev
}

func (s *cacheShard) pushFront(e *cacheEntry) {
	e.prev = &s.lru
	e.next = s.lru.next
	e.prev.next = e
	e.next.prev = e
}
