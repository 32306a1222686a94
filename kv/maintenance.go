package kv

// Flusher is implemented by engines that can write what they hold in
// memory to their files on demand (the LSM flushes its memtables to L0
// tables; the B+tree runs a checkpoint). Engines also do it on their own;
// Flush bounds recovery time and makes the files hold every write
// acknowledged before the call.
type Flusher interface {
	// Flush returns once every write acknowledged before the call is in
	// the engine's files (tables, pages), not only in its log.
	Flush() error
}

// Compacter is implemented by engines that can reorganise a key range on
// demand, to reclaim space or speed up reads.
type Compacter interface {
	// Compact reorganises the keys in [start, end) (nil bounds are open);
	// the contents are unchanged.
	Compact(start, end []byte) error
}

// Checkpointer is implemented by engines that can make an online,
// consistent copy of their store: a directory that opens as a store of
// the same engine, holding the writes acknowledged before the call (and
// possibly later ones, as a prefix of the writes).
type Checkpointer interface {
	// Checkpoint writes the copy to destDir, which must not exist or be
	// empty. Writes and reads may go on meanwhile.
	Checkpoint(destDir string) error
}
