package kv

import "io"

// Checker is implemented by engines that can verify their own files: block
// and page checksums, key order, and the consistency of their metadata. The
// CLI's `kvlab check` calls it.
type Checker interface {
	// Check walks the engine's files and writes a human-readable report of
	// what it verified to w. It returns nil when everything holds, or an
	// error wrapping ErrCorruption (a *CorruptionError naming the damaged
	// file and offset or page) on the first damage found. It must not
	// modify the store and may run while the engine is in use.
	Check(w io.Writer) error
}
