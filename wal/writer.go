package wal

import (
	"fmt"
	"sync"

	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/vfs"
)

// DefaultBufferSize is the Writer's buffer size unless Options say otherwise.
const DefaultBufferSize = 256 << 10

// Options tune a Writer.
type Options struct {
	// BufferSize is how many bytes of records the writer buffers before it
	// writes them to the file with one Write; zero means DefaultBufferSize.
	// Appenders wait when twice as much is buffered while a write is under
	// way.
	BufferSize int

	// Kind is the file kind the log is created and accounted under; zero
	// means vfs.KindWAL. The LSM's manifest is a log of this format with
	// vfs.KindManifest.
	Kind vfs.Kind

	// blockSize overrides BlockSize for new files; tests set it (see
	// export_test.go) to get many blocks from few bytes.
	blockSize int
}

// WriterStats counts a Writer's work since it was created or reopened.
type WriterStats struct {
	// Records and PayloadBytes count the records appended and their bytes.
	Records      int64
	PayloadBytes int64
	// Writes and Syncs count the file writes and fsyncs the writer issued.
	// Records/Syncs is how well group commit works.
	Writes int64
	Syncs  int64
}

// Writer appends records to a log file.
//
// A Writer is safe for concurrent use. Records are ordered as their Append
// calls are; each call returns its record's Pos. A record appended by Append
// is buffered and becomes durable with a later AppendSync, Sync or Close;
// AppendSync returns only once its record is durable, and concurrent
// AppendSync calls share fsyncs (group commit, see the package doc).
//
// Errors are sticky: after a failed write or sync, every later call returns
// that error, and no record appended after it is ever acknowledged.
type Writer struct {
	fs     vfs.FS
	f      vfs.File
	name   string
	bs     int
	seeds  [maxFragType + 1]uint32
	bufMax int

	mu      sync.Mutex
	cond    sync.Cond // signalled when an I/O round ends
	buf     []byte    // encoded records not yet handed to the file
	spare   []byte    // the other buffer, while not in use by an I/O round
	written int64     // offset after the last appended record (logical size)
	flushed int64     // bytes handed to the file
	synced  int64     // bytes durable
	ioBusy  bool      // an I/O round is under way (with mu released)
	bgRound bool      // a background write of a full buffer is scheduled or running
	err     error     // sticky
	closed  bool
	dirSync bool // the file's directory entry is not yet known durable
	stats   WriterStats
}

// Create creates (or truncates) the named log file with log number logNum
// and returns a Writer appending to it. The file's header is buffered with
// the first records. The first sync also syncs the file's directory, so
// that a record acknowledged as durable cannot vanish with the file's name.
func Create(fs vfs.FS, name string, logNum uint64, opts Options) (*Writer, error) {
	f, err := fs.Create(name, opts.kind())
	if err != nil {
		return nil, fmt.Errorf("wal: create %s: %w", name, err)
	}
	w := newWriter(fs, f, name, logNum, opts.blockSizeOrDefault(), opts)
	w.buf = appendFileHeader(w.buf, w.bs, logNum)
	w.written = fileHeaderSize
	w.dirSync = true
	return w, nil
}

// OpenAppend reopens the named log for appending after recovery. end is how
// a Reader (or Replay) found the log to end; it must be EndClean or
// EndTornTail. The file is truncated to end.Offset, dropping a torn tail or
// trailing zeros, and the truncation is synced before OpenAppend returns.
// A log whose header was torn gets a fresh one.
func OpenAppend(fs vfs.FS, name string, logNum uint64, end EndInfo, opts Options) (*Writer, error) {
	if end.Reason != EndClean && end.Reason != EndTornTail {
		return nil, fmt.Errorf("wal: cannot append to %s: its log ended with reason %q", name, end.Reason)
	}
	f, err := fs.OpenReadWrite(name, opts.kind())
	if err != nil {
		return nil, fmt.Errorf("wal: open %s: %w", name, err)
	}
	w, err := reopen(fs, f, name, logNum, end.Offset, opts)
	if err != nil {
		f.Close()
		return nil, err
	}
	return w, nil
}

func reopen(fs vfs.FS, f vfs.File, name string, logNum uint64, offset int64, opts Options) (*Writer, error) {
	size, err := f.Size()
	if err != nil {
		return nil, fmt.Errorf("wal: stat %s: %w", name, err)
	}
	if offset > size {
		return nil, fmt.Errorf("wal: cannot append to %s at %d: the file holds only %d bytes", name, offset, size)
	}
	if offset < fileHeaderSize {
		// The header was torn: start the log afresh.
		if err := f.Truncate(0); err != nil {
			return nil, fmt.Errorf("wal: truncate %s: %w", name, err)
		}
		w := newWriter(fs, f, name, logNum, opts.blockSizeOrDefault(), opts)
		w.buf = appendFileHeader(w.buf, w.bs, logNum)
		w.written = fileHeaderSize
		w.dirSync = true
		return w, nil
	}
	h, torn, err := readHeader(f, size, name)
	if err != nil {
		return nil, err
	}
	if torn || h.LogNum != logNum {
		return nil, kv.Corruptf(name, 0, "wal: cannot append: file header (torn %v, log number %d) does not match log %d", torn, h.LogNum, logNum)
	}
	if err := f.Truncate(offset); err != nil {
		return nil, fmt.Errorf("wal: truncate %s: %w", name, err)
	}
	if err := f.Sync(); err != nil {
		return nil, fmt.Errorf("wal: sync %s: %w", name, err)
	}
	w := newWriter(fs, f, name, logNum, h.BlockSize, opts)
	w.written, w.flushed, w.synced = offset, offset, offset
	return w, nil
}

func (o Options) kind() vfs.Kind {
	if o.Kind == "" {
		return vfs.KindWAL
	}
	return o.Kind
}

func (o Options) blockSizeOrDefault() int {
	if o.blockSize != 0 {
		return o.blockSize
	}
	return BlockSize
}

func newWriter(fs vfs.FS, f vfs.File, name string, logNum uint64, bs int, opts Options) *Writer {
	bufMax := opts.BufferSize
	if bufMax <= 0 {
		bufMax = DefaultBufferSize
	}
	w := &Writer{fs: fs, f: f, name: name, bs: bs, seeds: crcSeeds(logNum), bufMax: bufMax}
	w.cond.L = &w.mu
	w.buf = make([]byte, 0, 2*bufMax)
	return w
}

// Append adds rec to the log and returns its position. The record is
// buffered, not yet durable: a later AppendSync, Sync or Close makes it so.
//
// When the buffer fills, Append hands it to a goroutine that writes it to
// the file while appends go on into the spare buffer, so that an appender
// does not wait for the write (which can block for milliseconds when the
// kernel throttles dirty pages); only when the spare fills too before that
// write ends does Append wait. A failed background write is the sticky
// error of every later call.
func (w *Writer) Append(rec []byte) (Pos, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.usableLocked(); err != nil {
		return Pos{}, err
	}
	p := w.encodeLocked(rec)
	if len(w.buf) >= w.bufMax && !w.ioBusy && !w.bgRound {
		w.bgRound = true
		go w.backgroundRound()
	}
	for len(w.buf) >= 2*w.bufMax && w.err == nil {
		// A write is under way and the buffer is full again: wait.
		if w.ioBusy || w.bgRound {
			w.cond.Wait()
			continue
		}
		w.roundLocked(false)
	}
	return p, w.err
}

// backgroundRound writes the buffer for Append (see there), unless a sync
// round or Close has written it meanwhile.
func (w *Writer) backgroundRound() {
	w.mu.Lock()
	defer w.mu.Unlock()
	for w.ioBusy {
		w.cond.Wait()
	}
	if w.err == nil && !w.closed && len(w.buf) > 0 {
		w.roundLocked(false)
	}
	w.bgRound = false
	w.cond.Broadcast()
}

// AppendSync adds rec to the log and returns once it is durable (and with
// it every record appended before it).
func (w *Writer) AppendSync(rec []byte) (Pos, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.usableLocked(); err != nil {
		return Pos{}, err
	}
	p := w.encodeLocked(rec)
	return p, w.waitDurableLocked(p.End)
}

// Sync makes every record appended so far durable.
func (w *Writer) Sync() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.usableLocked(); err != nil {
		return err
	}
	return w.waitDurableLocked(w.written)
}

// Flush writes every record appended so far to the file without syncing
// it: another reader of the file then sees them, and they survive the
// process (but not the machine) crashing.
func (w *Writer) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.usableLocked(); err != nil {
		return err
	}
	target := w.written
	for w.flushed < target && w.err == nil {
		if w.ioBusy {
			w.cond.Wait()
			continue
		}
		w.roundLocked(false)
	}
	return w.err
}

// Close makes every record durable and closes the file. Calls made after
// Close fail with an error wrapping kv.ErrClosed; AppendSync calls waiting
// when Close is called are completed by it.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return w.closedErr()
	}
	w.closed = true
	err := w.err
	if err == nil {
		err = w.waitDurableLocked(w.written)
	}
	for w.ioBusy || w.bgRound {
		w.cond.Wait()
	}
	if cerr := w.f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("wal: close %s: %w", w.name, cerr)
	}
	return err
}

// Size returns the log's size once everything appended is written: the
// file offset after the last record, buffered records included.
func (w *Writer) Size() int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.written
}

// BufferMemory returns the bytes of the writer's buffers (up to about four
// times Options.BufferSize: the one being filled and the one being written).
func (w *Writer) BufferMemory() int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return int64(cap(w.buf) + cap(w.spare))
}

// Stats returns the writer's counts so far.
func (w *Writer) Stats() WriterStats {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.stats
}

func (w *Writer) closedErr() error { return fmt.Errorf("wal: %s: %w", w.name, kv.ErrClosed) }

// usableLocked returns the error a new call must fail with, if any.
func (w *Writer) usableLocked() error {
	if w.closed {
		return w.closedErr()
	}
	return w.err
}

func (w *Writer) encodeLocked(rec []byte) Pos {
	var p Pos
	w.buf, p.Offset, p.End = encodeRecord(w.buf, &w.seeds, w.bs, w.written, rec)
	w.written = p.End
	w.stats.Records++
	w.stats.PayloadBytes += int64(len(rec))
	return p
}
