package wal

import (
	"fmt"
	"io"

	"github.com/kvlab/kvlab/vfs"
)

// Group commit.
//
// Only one goroutine at a time does file I/O: the one that set ioBusy. It
// takes the whole buffer (swapping in the spare one), releases the lock,
// writes the buffer with one Write and, for a sync round, syncs; then it
// takes the lock again, records how far the file is written and synced, and
// wakes every waiter. Meanwhile other goroutines go on appending into the
// spare buffer and, if they need durability, wait. When the round ends,
// each waiter whose record it covered returns; the first one left over runs
// the next round, which covers every record appended during the previous
// one. N concurrent AppendSync calls thus cost about two fsyncs per wave
// rather than N, and no goroutine leads more than the one round it needs.

// waitDurableLocked returns once the log is durable up to end, running
// sync rounds or waiting for others' as needed. It returns the sticky error
// if the log fails before end is durable.
func (w *Writer) waitDurableLocked(end int64) error {
	for w.synced < end {
		if w.err != nil {
			return w.err
		}
		if w.ioBusy {
			w.cond.Wait()
			continue
		}
		w.roundLocked(true)
	}
	return nil
}

// roundLocked runs one I/O round: it writes everything buffered and, if
// sync, syncs the file. It must be called with mu held and ioBusy false;
// it releases mu during the I/O.
func (w *Writer) roundLocked(sync bool) {
	w.ioBusy = true
	data, target, dirSync := w.buf, w.written, w.dirSync && sync
	w.buf, w.spare = w.spare[:0], nil
	if w.buf == nil {
		w.buf = make([]byte, 0, 2*w.bufMax)
	}
	w.mu.Unlock()

	var err error
	op := "write"
	if len(data) > 0 {
		var n int
		n, err = w.f.Write(data)
		if err == nil && n < len(data) {
			err = io.ErrShortWrite
		}
	}
	if err == nil && sync {
		op = "sync"
		err = w.f.Sync()
	}
	if err == nil && dirSync {
		op = "sync directory of"
		err = w.fs.SyncDir(vfs.Dir(w.name))
	}

	w.mu.Lock()
	if cap(data) <= 4*w.bufMax {
		w.spare = data[:0]
	}
	if len(data) > 0 {
		w.stats.Writes++
	}
	if sync {
		w.stats.Syncs++
	}
	if err != nil {
		if w.err == nil {
			w.err = fmt.Errorf("wal: %s %s (the log refuses further use): %w", op, w.name, err)
		}
	} else {
		w.flushed = target
		if sync {
			w.synced = target
		}
		if dirSync {
			w.dirSync = false
		}
	}
	w.ioBusy = false
	w.cond.Broadcast()
}
