package kvtest

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"sync"

	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/kv/memory"
	"github.com/kvlab/kvlab/vfs"
)

// logEngine is the smallest correct persistent engine: the memory engine
// plus a log of batches (length, CRC-32C, batch repr) replayed on Open. It
// lets the suite test its own crash and fault parts. With lieAboutSync it
// acknowledges synced writes without syncing, which the crash test must catch.
type logEngine struct {
	*memory.DB
	mu           sync.Mutex
	f            vfs.File
	lock         io.Closer
	err          error // sticky: after an I/O error the engine is read-only
	lieAboutSync bool
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func openLogEngine(fs vfs.FS, dir string, lie bool) (*logEngine, error) {
	lock, err := fs.Lock(vfs.Join(dir, "LOCK"))
	if err != nil {
		return nil, err
	}
	name := vfs.Join(dir, "LOG")
	e := &logEngine{DB: memory.New(), lock: lock, lieAboutSync: lie}
	fail := func(err error) (*logEngine, error) {
		lock.Close()
		return nil, err
	}
	f, err := fs.OpenReadWrite(name, vfs.KindWAL)
	if err != nil {
		return fail(err)
	}
	size, err := f.Size()
	if err != nil {
		return fail(err)
	}
	data := make([]byte, size)
	if _, err := f.ReadAt(data, 0); err != nil && err != io.EOF {
		return fail(err)
	}
	off := 0
	for off+8 <= len(data) {
		n := int(binary.LittleEndian.Uint32(data[off:]))
		if n == 0 || off+8+n > len(data) || crc32.Checksum(data[off+8:off+8+n], castagnoli) != binary.LittleEndian.Uint32(data[off+4:]) {
			break // torn tail
		}
		var b kv.Batch
		if err := b.SetRepr(data[off+8 : off+8+n]); err != nil {
			return fail(err)
		}
		if err := e.DB.Write(&b, kv.WriteOptions{}); err != nil {
			return fail(err)
		}
		off += 8 + n
	}
	if err := f.Truncate(int64(off)); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := fs.SyncDir(dir); err != nil {
		return fail(err)
	}
	e.f = f
	return e, nil
}

func (e *logEngine) Put(k, v []byte) error {
	var b kv.Batch
	b.Put(k, v)
	return e.Write(&b, kv.WriteOptions{})
}

func (e *logEngine) Delete(k []byte) error {
	var b kv.Batch
	b.Delete(k)
	return e.Write(&b, kv.WriteOptions{})
}

func (e *logEngine) Write(b *kv.Batch, o kv.WriteOptions) error {
	if err := b.Err(); err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.f == nil {
		return kv.ErrClosed
	}
	if e.err != nil {
		return fmt.Errorf("%w: %v", kv.ErrReadOnly, e.err)
	}
	if b.Empty() {
		return e.DB.Write(b, o) // nothing to log, but it counts as a Write
	}
	rec := make([]byte, 8, 8+len(b.Repr()))
	binary.LittleEndian.PutUint32(rec, uint32(len(b.Repr())))
	binary.LittleEndian.PutUint32(rec[4:], crc32.Checksum(b.Repr(), castagnoli))
	rec = append(rec, b.Repr()...)
	if _, err := e.f.Write(rec); err != nil {
		e.err = err
		return err
	}
	if o.Sync && !e.lieAboutSync {
		if err := e.f.Sync(); err != nil {
			e.err = err
			return err
		}
	}
	return e.DB.Write(b, o)
}

func (e *logEngine) Sync() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.f == nil {
		return kv.ErrClosed
	}
	if e.err != nil {
		return e.err
	}
	if e.lieAboutSync {
		return nil
	}
	if err := e.f.Sync(); err != nil {
		e.err = err
		return err
	}
	return nil
}

func (e *logEngine) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.f == nil {
		return kv.ErrClosed
	}
	err := e.err
	if err == nil && !e.lieAboutSync {
		err = e.f.Sync()
	}
	err = errors.Join(err, e.f.Close(), e.DB.Close(), e.lock.Close())
	e.f = nil
	return err
}
