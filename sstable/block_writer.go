package sstable

import "encoding/binary"

// blockWriter builds one block: entries with shared-prefix key compression,
// followed by the restart array (docs/format/sstable.md, "Block contents").
//
// Every restartInterval-th entry is a restart point: it stores its key in
// full (shared = 0) and its offset goes into the restart array, so that a
// reader can binary-search the restart points and decode forward from one.
type blockWriter struct {
	restartInterval int
	buf             []byte
	restarts        []uint32
	counter         int // entries since the last restart point
	entries         int
	lastKey         []byte
}

func (w *blockWriter) init(restartInterval int) {
	w.restartInterval = restartInterval
	w.reset()
}

// reset empties the block, keeping its buffers.
func (w *blockWriter) reset() {
	w.buf = w.buf[:0]
	w.restarts = w.restarts[:0]
	w.counter = 0
	w.entries = 0
	w.lastKey = w.lastKey[:0]
}

// add appends an entry. Keys must arrive in increasing order; the caller
// checks that.
func (w *blockWriter) add(key, value []byte) {
	shared := 0
	if w.entries > 0 && w.counter < w.restartInterval {
		shared = commonPrefix(w.lastKey, key)
	} else {
		w.restarts = append(w.restarts, uint32(len(w.buf)))
		w.counter = 0
	}
	w.buf = binary.AppendUvarint(w.buf, uint64(shared))
	w.buf = binary.AppendUvarint(w.buf, uint64(len(key)-shared))
	w.buf = binary.AppendUvarint(w.buf, uint64(len(value)))
	w.buf = append(w.buf, key[shared:]...)
	w.buf = append(w.buf, value...)
	w.lastKey = append(w.lastKey[:0], key...)
	w.counter++
	w.entries++
}

// estimatedSize returns the size finish would return now.
func (w *blockWriter) estimatedSize() int { return len(w.buf) + 4*len(w.restarts) + 4 }

// empty reports whether the block has no entry.
func (w *blockWriter) empty() bool { return w.entries == 0 }

// finish appends the restart array and its count and returns the block's
// contents, which alias the writer's buffer until the next reset.
func (w *blockWriter) finish() []byte {
	for _, r := range w.restarts {
		w.buf = binary.LittleEndian.AppendUint32(w.buf, r)
	}
	w.buf = binary.LittleEndian.AppendUint32(w.buf, uint32(len(w.restarts)))
	return w.buf
}

func commonPrefix(a, b []byte) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if a[i] != b[i] {
			return i
		}
	}
	return n
}
