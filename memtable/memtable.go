package memtable

import (
	"bytes"
	"fmt"
	"math/bits"
	"math/rand/v2"

	"github.com/kvlab/kvlab/internal/base"
	"github.com/kvlab/kvlab/kv"
)

// Memtable is a sorted in-memory table of internal keys and their values.
//
// Add and ApplyBatch must not be called concurrently with each other: the
// caller serialises writes (the LSM's commit pipeline does). Every other
// method is safe for concurrent use, also while a write is in progress, and
// takes no lock.
//
// The slices Get, Iter.Key and Iter.Value return alias the memtable's arena:
// they stay valid, and unchanged, for as long as the Memtable is reachable,
// and must not be modified.
//
// Every memtable has a Bloom filter of its user keys, sized by
// WithExpectedSize, which Get consults before searching the skiplist.
type Memtable struct {
	sl     skiplist
	filter *filter
	rd     rangeDels // range tombstones (rangedel.go)
}

// DefaultExpectedSize is the memtable size the Bloom filter is sized for
// unless WithExpectedSize says otherwise: its filter takes 128 KiB.
const DefaultExpectedSize = 1 << 20

type options struct {
	chunkSize    int
	seed         uint64
	seeded       bool
	expectedSize int64
}

// Option configures New.
type Option func(*options)

// WithChunkSize sets the size of each arena chunk: the memtable allocates
// memory in chunks of this size as it grows (an entry larger than a chunk
// gets a chunk of its own). n is rounded up to a power of two and clamped to
// [MinChunkSize, MaxChunkSize]. The default is DefaultChunkSize.
func WithChunkSize(n int) Option {
	return func(o *options) { o.chunkSize = n }
}

// WithExpectedSize sizes the memtable's Bloom filter for a memtable that
// grows to about n bytes (ApproximateSize): one bit per 8 bytes, about 18
// bits per key for entries of 150 bytes, false positives near 0.1 %. A
// memtable that grows larger keeps working; its filter rules out fewer
// absent keys. The default is DefaultExpectedSize.
func WithExpectedSize(n int64) Option {
	return func(o *options) { o.expectedSize = n }
}

// WithSeed seeds the generator of tower heights, making the skiplist's shape
// reproducible. The default seed is random.
func WithSeed(seed uint64) Option {
	return func(o *options) { o.seed, o.seeded = seed, true }
}

// New returns an empty memtable.
func New(opts ...Option) *Memtable {
	o := options{chunkSize: DefaultChunkSize, expectedSize: DefaultExpectedSize}
	for _, opt := range opts {
		opt(&o)
	}
	if !o.seeded {
		o.seed = rand.Uint64()
	}
	n := min(max(o.chunkSize, MinChunkSize), MaxChunkSize)
	shift := uint(bits.Len(uint(n - 1)))
	m := &Memtable{filter: newFilter(o.expectedSize)}
	m.sl.init(shift, o.seed)
	return m
}

// Add adds value under the internal key (ukey, seq, kind). ukey and value are
// copied. For KindDelete the value should be empty.
//
// Add returns an error wrapping kv.ErrKeyTooLarge or kv.ErrValueTooLarge for
// an oversized key or value, ErrRecordExists if (ukey, seq, kind) is already
// present, ErrFull if the arena's 4 GiB address space is exhausted, or an
// error for a sequence number above base.MaxSeqNum or an unknown kind. On
// error the memtable is unchanged.
//
// Add must not run concurrently with another Add or ApplyBatch.
func (m *Memtable) Add(seq base.SeqNum, kind base.Kind, ukey, value []byte) error {
	if err := kv.CheckKV(ukey, value); err != nil {
		return fmt.Errorf("memtable: %w", err)
	}
	if seq > base.MaxSeqNum {
		return fmt.Errorf("memtable: sequence number %d above the maximum %d", seq, base.MaxSeqNum)
	}
	if kind > base.KindMax {
		return fmt.Errorf("memtable: unknown kind %d", kind)
	}
	// The key's filter bits are set before the entry is linked, so that a
	// reader that finds the entry could not have been turned away by the
	// filter. A failed insert leaves bits set: a false positive, harmless.
	m.filter.add(ukey)
	return m.sl.insert(ukey, base.MakeTrailer(seq, kind), value)
}

// ApplyBatch adds the operations of b in order at consecutive sequence
// numbers firstSeq, firstSeq+1, …: a Put becomes a KindSet entry, a Delete
// a KindDelete entry and a DeleteRange a range tombstone (AddRangeDel).
//
// It returns b.Err() if the batch failed while being built, ErrFull if the
// arena might not hold the whole batch (checked before adding anything), or
// an error if the sequence numbers would pass base.MaxSeqNum; in those cases
// nothing is added. An error found midway — a malformed encoding, which
// Batch's own methods never produce, or ErrRecordExists from reused sequence
// numbers — leaves the operations before it added.
//
// ApplyBatch must not run concurrently with Add or another ApplyBatch.
func (m *Memtable) ApplyBatch(b *kv.Batch, firstSeq base.SeqNum) error {
	if err := b.Err(); err != nil {
		return err
	}
	n := b.Len()
	if n == 0 {
		return nil
	}
	if firstSeq > base.MaxSeqNum || base.SeqNum(n-1) > base.MaxSeqNum-firstSeq {
		return fmt.Errorf("memtable: batch of %d at sequence number %d passes the maximum %d", n, firstSeq, base.MaxSeqNum)
	}
	if !m.sl.surelyHolds(int64(len(b.Repr())) + int64(n)*maxNodeOverhead) {
		return ErrFull
	}
	r := b.Reader()
	seq := firstSeq
	for {
		op, key, value, ok := r.Next()
		if !ok {
			break
		}
		var err error
		switch op {
		case kv.OpSet:
			err = m.Add(seq, base.KindSet, key, value)
		case kv.OpDelete:
			err = m.Add(seq, base.KindDelete, key, value)
		case kv.OpDeleteRange:
			err = m.AddRangeDel(seq, key, value)
		default:
			err = fmt.Errorf("memtable: unknown batch operation %d", op)
		}
		if err != nil {
			return err
		}
		seq++
	}
	if err := r.Err(); err != nil {
		return fmt.Errorf("memtable: %w", err)
	}
	return nil
}

// Get returns the newest entry for ukey with a sequence number <= seq. A key
// the memtable's Bloom filter rules out costs no skiplist search.
// found is false when there is none. When found, kind says what the entry
// is: for base.KindSet, value is the value (never nil; empty for an empty
// value); for base.KindDelete, value is nil and the key is deleted as of seq,
// so a reader of an LSM must not look in older tables.
//
// value aliases the arena; see Memtable.
func (m *Memtable) Get(ukey []byte, seq base.SeqNum) (value []byte, kind base.Kind, found bool) {
	if !m.filter.mayContain(ukey) {
		return nil, 0, false
	}
	seq = min(seq, base.MaxSeqNum)
	_, n := m.sl.seek(ukey, base.MakeTrailer(seq, base.KindMax))
	if n == 0 {
		return nil, 0, false
	}
	key, value := m.sl.entry(n)
	if !bytes.Equal(base.UserKey(key), ukey) {
		return nil, 0, false
	}
	kind = base.KindOf(key)
	if kind == base.KindDelete {
		value = nil
	}
	return value, kind, true
}

// Len returns the number of entries. During an Add it may briefly lag behind
// what readers already see.
func (m *Memtable) Len() int { return int(m.sl.count.Load()) }

// Empty reports whether the memtable holds no entry and no range tombstone.
func (m *Memtable) Empty() bool { return m.Len() == 0 && m.RangeDelCount() == 0 }

// ApproximateSize returns the bytes of arena in use: every entry's key,
// value, node header, tower and alignment padding, plus the head node. The
// figure is exact (the name follows LevelDB's ApproximateMemoryUsage); it
// leaves out only the unused tails of arena chunks (see ArenaSize). It counts
// an entry from the moment Add allocates it, never decreases, and is cheap
// and safe to call concurrently. Range tombstones, kept outside the arena,
// add their keys' length plus 64 bytes each.
func (m *Memtable) ApproximateSize() int64 { return m.sl.a.inUse.Load() + m.rd.bytes.Load() }

// ArenaSize returns the bytes of memory the arena has allocated: at least
// ApproximateSize, the difference being chunk space not yet (or never to be)
// used.
func (m *Memtable) ArenaSize() int64 { return m.sl.a.allocated.Load() }

// FilterSize returns the bytes of the memtable's Bloom filter, fixed when
// the memtable is created (WithExpectedSize / 64).
func (m *Memtable) FilterSize() int64 { return int64(len(m.filter.blocks)) * 64 }
