package btree

import "syscall"

// allocArena maps size bytes of anonymous memory outside the Go heap, so
// that the buffer pool's frames neither count toward the garbage
// collector's heap goal (which would let garbage grow by the pool's size)
// nor get scanned. Pages of the mapping take memory only once written.
func allocArena(size int) ([]byte, error) {
	if size == 0 {
		return nil, nil
	}
	return syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE,
		syscall.MAP_ANON|syscall.MAP_PRIVATE|syscall.MAP_NORESERVE)
}

// freeArena returns an arena allocArena made.
func freeArena(b []byte) {
	if b != nil {
		_ = syscall.Munmap(b)
	}
}
