package vfs

// Mapper is implemented by files whose contents can be mapped into memory
// read-only, so that a reader can use the operating system's page cache
// directly instead of copying with ReadAt (as bbolt and LMDB read their
// files). Only the operating system's files offer it, on Linux (where a
// shared mapping and the file's writes see the same page cache), and the
// Accounting wrapper forwards it; the device models, the direct-I/O file
// system, the fault-injection wrapper and the in-memory file system do
// not, so engines on them keep reading with ReadAt and are measured as
// before. Use AsMapper to find out.
//
// A mapping is MAP_SHARED and PROT_READ: it shows every write made to the
// file through WriteAt as soon as the write returns. It may extend past
// the file's end, but touching a page of it that lies wholly past the end
// raises SIGBUS, which kills the process: callers must only read bytes
// that lie within the file while they read them.
type Mapper interface {
	// Map maps length bytes of the file from offset off, which must be a
	// multiple of the system's page size. The mapping stays valid, whatever
	// happens to the file, until Unmap (closing the file does not end it).
	Map(off int64, length int) ([]byte, error)
	// Unmap releases a mapping Map returned. Its bytes must not be used
	// afterwards.
	Unmap(b []byte) error
	// CountMappedRead records that n bytes were read through a mapping, so
	// that wrappers which count reads (Accounting) can include them; the
	// operating system's file ignores it. What a read through a mapping is
	// worth is the caller's decision (the btree engine counts a page the
	// first time it reads it after it was written: see btree/doc.go).
	CountMappedRead(n int)
}

// AsMapper returns f as a Mapper when it offers one.
func AsMapper(f File) (Mapper, bool) {
	m, ok := f.(Mapper)
	return m, ok
}
