//go:build !linux

package btree

// allocArena allocates the buffer pool's frames on the Go heap (one
// pointer-free block, never scanned); arena_linux.go maps them outside it.
func allocArena(size int) ([]byte, error) { return make([]byte, size), nil }

// freeArena leaves the arena to the garbage collector.
func freeArena([]byte) {}
