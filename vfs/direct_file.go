package vfs

import (
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// directFlushSize is how many buffered append bytes make Write send the
// whole blocks among them to the device.
const directFlushSize = 256 << 10

// directFile is a file of a Direct file system (see Direct for how it
// aligns what the engines ask).
//
// Its contents are the file on disk overlaid with the append buffer: buf
// holds the newest bytes of [bufOff, bufOff+len(buf)), bufOff aligned. Bytes
// past phys (the file's size on disk) are always in the buffer, so a read
// of [phys, size) never needs the disk.
type directFile struct {
	d        *Direct
	f        *os.File
	readOnly bool

	mu     sync.RWMutex // ReadAt holds it shared; everything else exclusive
	size   int64        // the file's size as its users see it
	phys   int64        // the file's size on disk
	woff   int64        // Write's offset
	buf    []byte       // aligned; cap a multiple of DirectAlign
	bufOff int64        // aligned
	closed bool

	lastRead atomic.Int64 // where the previous device read ended; -1: none
}

var _ File = (*directFile)(nil)

// alignedBuf returns a slice of n bytes (n a multiple of DirectAlign) whose
// address is a multiple of DirectAlign, as O_DIRECT requires of memory.
func alignedBuf(n int) []byte {
	b := make([]byte, n+DirectAlign)
	skip := 0
	if r := int(uintptr(unsafe.Pointer(&b[0])) & (DirectAlign - 1)); r != 0 {
		skip = DirectAlign - r
	}
	return b[skip : skip+n : skip+n]
}

// aligned reports whether b's address is a multiple of DirectAlign.
func aligned(b []byte) bool {
	return len(b) == 0 || uintptr(unsafe.Pointer(&b[0]))&(DirectAlign-1) == 0
}

// bouncePool keeps 64 KiB aligned buffers for reads and patches.
var bouncePool = sync.Pool{New: func() any { b := alignedBuf(64 << 10); return &b }}

// bounce returns an aligned buffer of n bytes and the function that gives
// it back.
func bounce(n int) ([]byte, func()) {
	if n > 64<<10 {
		return alignedBuf(n), func() {}
	}
	p := bouncePool.Get().(*[]byte)
	return (*p)[:n], func() { bouncePool.Put(p) }
}

func (f *directFile) ReadAt(p []byte, off int64) (int, error) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	if f.closed {
		return 0, ErrClosed
	}
	if off < 0 {
		return 0, fmt.Errorf("vfs: read %s at %d: negative offset", f.f.Name(), off)
	}
	if off >= f.size {
		return 0, io.EOF
	}
	n := int(min(int64(len(p)), f.size-off))
	end := off + int64(n)
	bEnd := f.bufOff + int64(len(f.buf))
	inBuf := len(f.buf) > 0 && off >= f.bufOff && end <= bEnd
	if dEnd := min(end, f.phys); !inBuf && dEnd > off {
		// From the disk: the aligned blocks covering [off, dEnd).
		a0 := alignDown(off)
		b, done := bounce(int(alignUp(dEnd) - a0))
		err := f.pread(b, a0)
		copy(p[:dEnd-off], b[off-a0:])
		done()
		if err != nil {
			return 0, err
		}
	}
	// The buffered bytes overlay the disk's.
	if len(f.buf) > 0 && bEnd > off && f.bufOff < end {
		lo, hi := max(off, f.bufOff), min(end, bEnd)
		copy(p[lo-off:hi-off], f.buf[lo-f.bufOff:hi-f.bufOff])
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// writable checks a write may proceed; the caller holds mu.
func (f *directFile) writable() error {
	switch {
	case f.closed:
		return ErrClosed
	case f.readOnly:
		return fmt.Errorf("vfs: write %s: %w", f.f.Name(), errReadOnly)
	}
	return nil
}

func (f *directFile) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.writable(); err != nil {
		return 0, err
	}
	if err := f.attach(f.woff); err != nil {
		return 0, err
	}
	f.grow(len(f.buf) + len(p))
	f.buf = append(f.buf, p...)
	f.woff += int64(len(p))
	f.size = max(f.size, f.woff)
	if len(f.buf) >= directFlushSize {
		// Send the whole blocks; keep the partial last one.
		whole := alignDown(int64(len(f.buf)))
		if err := f.pwrite(f.buf[:whole], f.bufOff); err != nil {
			return 0, err
		}
		f.phys = max(f.phys, f.bufOff+whole)
		rest := copy(f.buf, f.buf[whole:])
		f.buf = f.buf[:rest]
		f.bufOff += whole
	}
	return len(p), nil
}

// grow makes room for n bytes in the buffer, keeping it aligned.
func (f *directFile) grow(n int) {
	if n <= cap(f.buf) {
		return
	}
	c := int(alignUp(int64(max(n, 2*cap(f.buf), directFlushSize+DirectAlign))))
	nb := alignedBuf(c)[:len(f.buf)]
	copy(nb, f.buf)
	f.buf = nb
}

// attach makes the buffer end at at, where the next append goes: when it
// ends elsewhere, it is flushed and restarted at at's block, which is read
// back from the disk. The caller holds mu.
func (f *directFile) attach(at int64) error {
	if len(f.buf) > 0 && f.bufOff+int64(len(f.buf)) == at {
		return nil
	}
	if err := f.flush(); err != nil {
		return err
	}
	f.bufOff = alignDown(at)
	f.grow(int(at - f.bufOff))
	f.buf = f.buf[:at-f.bufOff]
	if len(f.buf) > 0 {
		b, done := bounce(DirectAlign)
		defer done()
		if err := f.pread(b, f.bufOff); err != nil {
			f.buf = f.buf[:0]
			return err
		}
		copy(f.buf, b)
	}
	return nil
}

// flush writes the whole buffer to the device, its last block padded with
// what the file holds past it (zeros past the end), then truncates the
// file back to its size. The partial last block stays buffered, so the
// next append continues it. The caller holds mu.
func (f *directFile) flush() error {
	n := int64(len(f.buf))
	if n == 0 {
		return nil
	}
	end := f.bufOff + n
	padded := alignUp(n)
	f.grow(int(padded))
	data := f.buf[:padded]
	if padded > n {
		pad := data[n:]
		clear(pad)
		if end < f.phys {
			// The file goes on past the buffer: keep those bytes.
			b, done := bounce(DirectAlign)
			err := f.pread(b, alignDown(end))
			copy(pad, b[end-alignDown(end):])
			done()
			if err != nil {
				return err
			}
		}
	}
	if err := f.pwrite(data, f.bufOff); err != nil {
		return err
	}
	f.phys = max(f.phys, f.bufOff+padded)
	if err := f.trim(); err != nil {
		return err
	}
	tail := n % DirectAlign
	copy(f.buf, f.buf[n-tail:n])
	f.buf = f.buf[:tail]
	f.bufOff = end - tail
	return nil
}

// trim truncates the file on disk to its size after a padded write went
// past it. The caller holds mu.
func (f *directFile) trim() error {
	if f.phys <= f.size {
		return nil
	}
	t0 := time.Now()
	err := f.f.Truncate(f.size)
	f.d.timed(t0)
	if err != nil {
		return err
	}
	f.phys = f.size
	return nil
}

// detach flushes the buffer and drops it, so that the disk alone holds the
// file. The caller holds mu.
func (f *directFile) detach() error {
	if err := f.flush(); err != nil {
		return err
	}
	f.buf = f.buf[:0]
	f.bufOff = 0
	return nil
}

func (f *directFile) WriteAt(p []byte, off int64) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.writable(); err != nil {
		return 0, err
	}
	if off < 0 {
		return 0, fmt.Errorf("vfs: write %s at %d: negative offset", f.f.Name(), off)
	}
	if len(p) == 0 {
		return 0, nil
	}
	if err := f.detach(); err != nil {
		return 0, err
	}
	end := off + int64(len(p))
	if off%DirectAlign == 0 && len(p)%DirectAlign == 0 && aligned(p) {
		if err := f.pwrite(p, off); err != nil {
			return 0, err
		}
	} else if err := f.patch(p, off); err != nil {
		return 0, err
	}
	f.phys = max(f.phys, alignUp(end))
	f.size = max(f.size, end)
	if err := f.trim(); err != nil {
		return 0, err
	}
	return len(p), nil
}

// patch writes p at off through an aligned buffer, reading the partial
// first and last blocks from the disk first. The caller holds mu.
func (f *directFile) patch(p []byte, off int64) error {
	end := off + int64(len(p))
	a0, a1 := alignDown(off), alignUp(end)
	b, done := bounce(int(a1 - a0))
	defer done()
	first, last := a0, a1-DirectAlign
	if off > first {
		if err := f.readBlock(b[:DirectAlign], first); err != nil {
			return err
		}
	}
	if end < a1 && (last != first || off == first) {
		if err := f.readBlock(b[last-a0:], last); err != nil {
			return err
		}
	}
	copy(b[off-a0:], p)
	return f.pwrite(b, a0)
}

// readBlock reads the block at off, or zeros past the end of the disk file.
func (f *directFile) readBlock(b []byte, off int64) error {
	if off >= f.phys {
		clear(b)
		return nil
	}
	return f.pread(b, off)
}

func (f *directFile) Sync() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return ErrClosed
	}
	if err := f.flush(); err != nil {
		return err
	}
	t0 := time.Now()
	err := datasync(f.f)
	f.d.timed(t0)
	f.d.syncs.Add(1)
	return err
}

func (f *directFile) Size() (int64, error) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	if f.closed {
		return 0, ErrClosed
	}
	return f.size, nil
}

func (f *directFile) Truncate(size int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.writable(); err != nil {
		return err
	}
	if size < 0 {
		return fmt.Errorf("vfs: truncate %s to %d: negative size", f.f.Name(), size)
	}
	if err := f.detach(); err != nil {
		return err
	}
	t0 := time.Now()
	err := f.f.Truncate(size)
	f.d.timed(t0)
	if err != nil {
		return err
	}
	f.size, f.phys = size, size
	f.woff = min(f.woff, size)
	return nil
}

func (f *directFile) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return ErrClosed
	}
	f.closed = true
	var err error
	if !f.readOnly {
		err = f.flush()
	}
	if cerr := f.f.Close(); err == nil {
		err = cerr
	}
	f.buf = nil
	return err
}
