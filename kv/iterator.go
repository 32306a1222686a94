package kv

// Iterator walks the keys of an Engine in order, forward or backward, within
// the bounds it was created with.
//
// A new iterator is unpositioned: call First, Last, SeekGE or SeekLT before
// Key or Value. Every positioning method returns whether the iterator now
// rests on a key (the same as Valid). Once an iterator runs off either end,
// Next and Prev keep returning false until it is positioned again.
//
// Errors stick: when an iterator stops because of an error (a corrupt block,
// an I/O error, the engine being closed) Valid is false and Err returns the
// error from then on. Iteration that ends normally leaves Err nil, so a loop
// is
//
//	for ok := it.First(); ok; ok = it.Next() { use(it.Key(), it.Value()) }
//	if err := it.Err(); err != nil { ... }
//
// Key and Value return slices valid until the iterator is next positioned or
// closed; copy them to keep them. An Iterator is not safe for concurrent use.
type Iterator interface {
	// First moves to the smallest key >= LowerBound.
	First() bool
	// Last moves to the largest key < UpperBound.
	Last() bool
	// SeekGE moves to the smallest key >= key (and >= LowerBound).
	SeekGE(key []byte) bool
	// SeekLT moves to the largest key < key (and < UpperBound).
	SeekLT(key []byte) bool
	// Next moves to the next larger key.
	Next() bool
	// Prev moves to the next smaller key.
	Prev() bool
	// Valid reports whether the iterator rests on a key.
	Valid() bool
	// Key returns the current key.
	Key() []byte
	// Value returns the current value, never nil while Valid.
	Value() []byte
	// Err returns the error that stopped the iterator, if any.
	Err() error
	// Close releases the iterator and returns Err. It is safe to call twice.
	Close() error
}
