package vfs

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync/atomic"
	"time"
)

// DirectAlign is the alignment of every transfer a Direct file system
// makes: file offsets, lengths and buffer addresses are multiples of it.
// 4096 is the logical block size of nearly every device and a multiple of
// the 512 bytes some require, so it satisfies O_DIRECT everywhere.
const DirectAlign = 4096

// ErrDirectUnsupported is matched (errors.Is) by the error NewDirect
// returns where the operating system or the file system refuses O_DIRECT
// (tmpfs before Linux 6.6 answers EINVAL; O_DIRECT is Linux-only here), or
// where the file system keeps files in memory (tmpfs, ramfs), which has
// no device to measure.
var ErrDirectUnsupported = errors.New("vfs: direct I/O (O_DIRECT) not supported")

// Direct is the operating system's file system with the page cache taken
// out: every file is opened with O_DIRECT, so each read that reaches it is
// a read from the device, and each write goes to the device (a sync still
// makes it durable: the device's own cache may hold it until then).
//
// O_DIRECT transfers must be aligned (DirectAlign); the engines read and
// write at any offset and length, so Direct translates:
//
//   - ReadAt reads the aligned blocks covering the request into an aligned
//     bounce buffer and copies the requested bytes out.
//   - Write (appends: logs, tables) collects bytes in an aligned buffer and
//     writes whole blocks once 256 KiB have gathered; the unaligned tail
//     stays in memory (ReadAt and Size see it) until Sync or Close, which
//     write it padded to a block and truncate the file back to its true
//     size. The next append rewrites that block with more bytes in it.
//   - WriteAt of whole aligned blocks writes them as they are; an unaligned
//     WriteAt reads the partial first and last blocks, patches them and
//     writes the blocks back.
//
// The buffered tail belongs to the handle that wrote it: another handle on
// the same file sees those bytes after the writer's Sync or Close (as a
// crash would lose them), where the page cache would show them at once.
// The engines reopen a log or table only after closing it.
//
// Direct measures what the device costs: the wall time spent in each read,
// write and sync system call, in DeviceStats (Busy and Waited are measured
// times, not a model), and per goroutine through Meters as Device does.
// Names and directory operations go to the operating system unchanged.
type Direct struct {
	osFS
	fsType, dir string

	busy                                      atomic.Int64 // ns in I/O calls
	randomReads, seqReads, syncs, wrote, read atomic.Int64
	writes                                    atomic.Int64
	meters                                    meterSet
}

var _ FS = (*Direct)(nil)

// NewDirect returns a Direct file system for the files under dir. It
// probes dir first, creating, writing, reading and removing a small file
// with O_DIRECT, and fails with an error wrapping ErrDirectUnsupported
// and naming the file system where direct I/O is refused (EINVAL, or any
// system but Linux) or means nothing (a memory file system: tmpfs, ramfs). It does not fall back to the page cache: a benchmark
// that asked for device reads must not silently measure memory.
func NewDirect(dir string) (*Direct, error) {
	fsType := fileSystemType(dir)
	if memoryFileSystems[fsType] {
		// Linux since 6.6 accepts O_DIRECT on tmpfs, but its "device" is
		// memory: no read there costs what a device read costs.
		return nil, fmt.Errorf("%w on %s (%s): a memory file system has no device to read; use a directory on a disk (--dir)", ErrDirectUnsupported, dir, fsType)
	}
	if err := probeDirect(dir); err != nil {
		return nil, fmt.Errorf("%w on %s (%s): %w", ErrDirectUnsupported, dir, fsType, err)
	}
	return &Direct{fsType: fsType, dir: dir}, nil
}

// memoryFileSystems keep their files in memory.
var memoryFileSystems = map[string]bool{"tmpfs": true, "ramfs": true}

// FileSystem names the file system under the directory NewDirect probed
// ("ext4", "xfs", ...).
func (d *Direct) FileSystem() string { return d.fsType }

// String describes the file system in one line.
func (d *Direct) String() string {
	return fmt.Sprintf("direct I/O (O_DIRECT, %d-byte aligned) on %s", DirectAlign, d.fsType)
}

// Stats returns the measured figures so far: Busy and Waited are both the
// wall time spent in read, write and sync system calls on any goroutine
// (calls on several goroutines overlap, so Busy can exceed the elapsed
// time), Metered the part made on goroutines holding a Meter.
// RandomReads and SeqReads count read system calls (a read that starts
// where the previous read of the same file ended is sequential);
// WrittenBytes and ReadBytes count the aligned bytes transferred.
func (d *Direct) Stats() DeviceStats {
	busy := time.Duration(d.busy.Load())
	return DeviceStats{
		Busy: busy, Waited: busy, Metered: time.Duration(d.meters.metered.Load()),
		RandomReads: d.randomReads.Load(), SeqReads: d.seqReads.Load(), Syncs: d.syncs.Load(),
		WrittenBytes: d.wrote.Load(), ReadBytes: d.read.Load(),
	}
}

// Writes returns the number of write system calls so far.
func (d *Direct) Writes() int64 { return d.writes.Load() }

// Meter returns a Meter for the calling goroutine: from now on, the time
// the goroutine spends in the file system's system calls is added to it.
// Release it when the goroutine is done.
func (d *Direct) Meter() *Meter { return d.meters.meter() }

// timed books the wall time of one system call that started at t0.
func (d *Direct) timed(t0 time.Time) {
	el := time.Since(t0)
	d.busy.Add(int64(el))
	d.meters.charge(el)
}

// Create implements FS.
func (d *Direct) Create(name string, _ Kind) (File, error) {
	return d.open(name, os.O_RDWR|os.O_CREATE|os.O_TRUNC, false)
}

// Open implements FS.
func (d *Direct) Open(name string, _ Kind) (File, error) {
	return d.open(name, os.O_RDONLY, false)
}

// OpenReadWrite implements FS.
func (d *Direct) OpenReadWrite(name string, _ Kind) (File, error) {
	return d.open(name, os.O_RDWR|os.O_CREATE, true)
}

func (d *Direct) open(name string, flag int, atEnd bool) (File, error) {
	f, err := openDirect(name, flag)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	df := &directFile{d: d, f: f, size: fi.Size(), phys: fi.Size(), readOnly: flag == os.O_RDONLY}
	if atEnd {
		df.woff = df.size
	}
	df.lastRead.Store(-1)
	return df, nil
}

// alignDown and alignUp round to DirectAlign.
func alignDown(n int64) int64 { return n &^ (DirectAlign - 1) }
func alignUp(n int64) int64   { return (n + DirectAlign - 1) &^ (DirectAlign - 1) }

// errReadOnly is returned by writes to a file opened with Open.
var errReadOnly = errors.New("vfs: file opened read-only")

// pread reads len(b) bytes at off (both aligned) into the aligned b,
// zero-filling past the end of the file, and books the device read.
func (f *directFile) pread(b []byte, off int64) error {
	n := 0
	for n < len(b) {
		t0 := time.Now()
		m, err := f.f.ReadAt(b[n:], off+int64(n))
		f.d.timed(t0)
		if m > 0 {
			if f.lastRead.Swap(off+int64(n+m)) == off+int64(n) {
				f.d.seqReads.Add(1)
			} else {
				f.d.randomReads.Add(1)
			}
			f.d.read.Add(int64(m))
		}
		n += m
		if err == io.EOF || m == 0 && err == nil {
			clear(b[n:])
			return nil
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// pwrite writes the aligned b at the aligned off.
func (f *directFile) pwrite(b []byte, off int64) error {
	for len(b) > 0 {
		t0 := time.Now()
		m, err := f.f.WriteAt(b, off)
		f.d.timed(t0)
		f.d.writes.Add(1)
		f.d.wrote.Add(int64(m))
		if err != nil {
			return err
		}
		b, off = b[m:], off+int64(m)
	}
	return nil
}
