package kv

// Size limits that every engine accepts at least up to, unless it documents a
// smaller limit (see the package documentation).
const (
	// MaxKeySize is the largest key, in bytes, any engine accepts.
	MaxKeySize = 64 << 10
	// MaxValueSize is the largest value, in bytes, any engine accepts.
	MaxValueSize = 256 << 20
)

// Engine is an ordered key-value store. All methods are safe for concurrent
// use. After Close every method returns ErrClosed.
type Engine interface {
	// Get returns a copy of the value stored under key, or an error wrapping
	// ErrNotFound when there is none.
	Get(key []byte) ([]byte, error)
	// Put stores value under key, replacing any previous value. It is a
	// one-operation Write without Sync.
	Put(key, value []byte) error
	// Delete removes key. Deleting an absent key is not an error. It is a
	// one-operation Write without Sync.
	Delete(key []byte) error
	// Write applies every operation of b atomically, in order: after a crash
	// either all of them or none are present. With o.Sync the batch is on
	// stable storage when Write returns nil. b may be reused after Write
	// returns.
	Write(b *Batch, o WriteOptions) error
	// NewIterator returns an unpositioned iterator over the keys in
	// [o.LowerBound, o.UpperBound). The caller must Close it.
	NewIterator(o IterOptions) (Iterator, error)
	// Sync makes every write acknowledged so far durable.
	Sync() error
	// Stats returns the engine's counters and amplification figures.
	Stats() Stats
	// Close makes every acknowledged write durable, releases the directory
	// lock and frees resources. A second Close returns ErrClosed.
	Close() error
}

// WriteOptions control one Write.
type WriteOptions struct {
	// Sync makes Write return only after the batch is on stable storage.
	Sync bool
}

// IterOptions bound an iterator to the keys k with
// LowerBound <= k < UpperBound. A nil bound leaves that side open.
type IterOptions struct {
	LowerBound []byte
	UpperBound []byte
}

// Contains reports whether key lies within the bounds.
func (o IterOptions) Contains(key []byte) bool {
	if o.LowerBound != nil && string(key) < string(o.LowerBound) {
		return false
	}
	if o.UpperBound != nil && string(key) >= string(o.UpperBound) {
		return false
	}
	return true
}

// CheckKV validates a key and value against the contract's size limits. It
// returns an error wrapping ErrKeyTooLarge or ErrValueTooLarge, or nil.
func CheckKV(key, value []byte) error {
	if len(key) > MaxKeySize {
		return &SizeError{Err: ErrKeyTooLarge, Size: len(key), Limit: MaxKeySize}
	}
	if len(value) > MaxValueSize {
		return &SizeError{Err: ErrValueTooLarge, Size: len(value), Limit: MaxValueSize}
	}
	return nil
}
