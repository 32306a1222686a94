package wal

import (
	"encoding/binary"
	"fmt"
	"io"

	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/vfs"
)

// ReaderOptions tune a Reader.
type ReaderOptions struct {
	// SkipCorrupt makes the reader skip damage in the middle of the log
	// instead of failing: it drops the rest of the damaged block (and the
	// record in progress), resumes at the next block and counts what it
	// dropped in EndInfo. Damage at the tail is a torn tail either way.
	SkipCorrupt bool
	// Kind is the file kind Replay opens the log under; zero means
	// vfs.KindWAL.
	Kind vfs.Kind
}

// Reader reads the records of one log file in order. It is not safe for
// concurrent use.
//
// Next returns each record, then io.EOF when the log ends cleanly or at a
// torn tail, or an error wrapping kv.ErrCorruption at damage in the middle
// of the log (unless ReaderOptions.SkipCorrupt). Errors are sticky. End
// says why the log ended and where its last good record ends.
type Reader struct {
	r      io.ReaderAt
	size   int64
	name   string
	logNum uint64
	opts   ReaderOptions
	hdr    Header
	bs     int64
	seeds  [maxFragType + 1]uint32

	blk     []byte // the block holding pos, as far as the file goes
	blkOff  int64  // file offset of blk; -1 when none is loaded
	scan    []byte // scratch block for the damage scan
	validAt int64  // offset of an intact fragment the last scan found

	pos     int64  // offset of the next fragment header (or block tail)
	rec     []byte // the record being reassembled
	last    Pos
	frags   int
	resync  bool // after a skip: fragments continuing a dropped record are dropped too
	goodEnd int64

	done bool
	err  error // io.EOF, a corruption or an I/O error, once done
	end  EndInfo
}

// NewReader returns a Reader of the log held in r, which is size bytes
// long. name is used in errors; logNum is the log number the caller expects
// (the one the file was created with). A header that names another log
// number, is damaged, or names an unknown version is an error (see
// ReadHeader); a header a crash cut short makes an empty log that ends at a
// torn tail.
func NewReader(r io.ReaderAt, size int64, name string, logNum uint64, opts ReaderOptions) (*Reader, error) {
	h, torn, err := readHeader(r, size, name)
	if err != nil {
		return nil, err
	}
	rd := &Reader{r: r, size: size, name: name, logNum: logNum, opts: opts, hdr: h, blkOff: -1}
	rd.end.FileSize = size
	if torn {
		rd.done, rd.err = true, io.EOF
		rd.end.Reason = EndTornTail
		return rd, nil
	}
	if h.LogNum != logNum {
		return nil, kv.Corruptf(name, hdrLogNumOff, "wal: log number %d in file header, want %d (stale or misnamed log file)", h.LogNum, logNum)
	}
	rd.bs = int64(h.BlockSize)
	rd.seeds = crcSeeds(logNum)
	rd.pos = fileHeaderSize
	rd.goodEnd = fileHeaderSize
	rd.end.Offset = fileHeaderSize
	return rd, nil
}

// Header returns the log's file header (zero when the header was torn).
func (r *Reader) Header() Header { return r.hdr }

// Next returns the next record, or io.EOF at the end of the log. The
// returned slice is valid until the next call to Next; copy it to keep it.
// A record is returned only when every one of its fragments is intact.
func (r *Reader) Next() ([]byte, error) {
	if r.done {
		return nil, r.err
	}
	var (
		inRec bool
		start int64
		frags int
	)
	r.rec = r.rec[:0]
	for {
		f, err := r.readFragment()
		if err != nil {
			return r.fail(err)
		}
		switch f.status {
		case fragEOF:
			if inRec {
				return r.finish(EndTornTail)
			}
			return r.finish(EndClean)
		case fragZero, fragBad:
			valid, err := r.validAfter(f.off)
			if err != nil {
				return r.fail(err)
			}
			if !valid {
				return r.endAtTail(f, inRec)
			}
			cerr := kv.Corruptf(r.name, f.off, "wal: %s, and valid fragments follow", f.reason)
			if !r.opts.SkipCorrupt {
				return r.corrupt(cerr)
			}
			next := min(f.off-f.off%r.bs+r.bs, r.size)
			dropped := next - f.off
			if inRec {
				dropped += f.off - start
			}
			r.skipped(cerr, dropped)
			r.pos, inRec, r.resync = next, false, true
			r.rec = r.rec[:0]
			continue
		}
		switch f.typ {
		case fragFull, fragFirst:
			if inRec {
				cerr := kv.Corruptf(r.name, start, "wal: record has no LAST fragment: a %s fragment at %d follows", f.typ, f.off)
				if !r.opts.SkipCorrupt {
					return r.corrupt(cerr)
				}
				r.skipped(cerr, f.off-start)
				inRec = false
			}
			r.resync = false
			if f.typ == fragFull {
				return r.deliver(f.payload, Pos{f.off, r.pos}, 1)
			}
			inRec, start, frags = true, f.off, 1
			r.rec = append(r.rec[:0], f.payload...)
		case fragMiddle, fragLast:
			if !inRec {
				if r.resync {
					// The rest of a record whose start was skipped.
					r.end.DroppedBytes += r.pos - f.off
					continue
				}
				cerr := kv.Corruptf(r.name, f.off, "wal: %s fragment without a FIRST", f.typ)
				if !r.opts.SkipCorrupt {
					return r.corrupt(cerr)
				}
				r.skipped(cerr, r.pos-f.off)
				r.resync = true
				continue
			}
			frags++
			r.rec = append(r.rec, f.payload...)
			if f.typ == fragLast {
				return r.deliver(r.rec, Pos{start, r.pos}, frags)
			}
		}
	}
}

// Pos returns the position of the record Next last returned.
func (r *Reader) Pos() Pos { return r.last }

// Fragments returns how many fragments the record Next last returned was
// split into: 1 for a FULL fragment, otherwise FIRST, MIDDLEs and LAST.
func (r *Reader) Fragments() int { return r.frags }

// End says why the log ended. It is complete once Next has returned io.EOF
// or a corruption error; before, Reason is EndNone.
func (r *Reader) End() EndInfo { return r.end }

func (r *Reader) deliver(rec []byte, p Pos, frags int) ([]byte, error) {
	r.last, r.frags, r.goodEnd = p, frags, p.End
	r.end.Offset = p.End
	return rec, nil
}

func (r *Reader) finish(reason EndReason) ([]byte, error) {
	r.done, r.err = true, io.EOF
	r.end.Reason = reason
	r.end.Offset = r.goodEnd
	return nil, io.EOF
}

func (r *Reader) corrupt(e *kv.CorruptionError) ([]byte, error) {
	r.done, r.err = true, e
	r.end.Reason = EndCorrupt
	r.end.Offset = r.goodEnd
	r.end.Corruptions = append(r.end.Corruptions, e)
	return nil, e
}

func (r *Reader) fail(err error) ([]byte, error) {
	r.done, r.err = true, err
	return nil, err
}

func (r *Reader) skipped(e *kv.CorruptionError, bytes int64) {
	r.end.Corruptions = append(r.end.Corruptions, e)
	r.end.DroppedBytes += bytes
	r.end.DroppedRecords++
}

// endAtTail ends the log at damage with nothing valid after it: a torn
// tail, or a clean end when zeros (preallocated space) follow the last
// whole record.
func (r *Reader) endAtTail(f fragment, inRec bool) ([]byte, error) {
	if f.status == fragZero && !inRec {
		zero, err := zeroFrom(r.r, f.off, r.size, r.name)
		if err != nil {
			return r.fail(err)
		}
		if zero {
			return r.finish(EndClean)
		}
	}
	return r.finish(EndTornTail)
}

type fragStatus int

const (
	fragOK   fragStatus = iota
	fragEOF             // the file ends where a fragment header is expected
	fragZero            // a header of zeros
	fragBad             // a damaged or cut-short fragment
)

// fragment is what readFragment found at one offset.
type fragment struct {
	status  fragStatus
	off     int64
	typ     fragType
	payload []byte // points into the block buffer
	reason  string // why a fragBad fragment is bad
}

// readFragment parses the fragment at r.pos, first skipping a block tail too
// small for a header, and moves r.pos past it if it is intact.
func (r *Reader) readFragment() (fragment, error) {
	if left := r.bs - r.pos%r.bs; left < fragHeaderSize {
		r.pos += left
	}
	f := fragment{off: r.pos}
	if r.pos >= r.size {
		f.status = fragEOF
		return f, nil
	}
	if blkOff := r.pos - r.pos%r.bs; blkOff != r.blkOff {
		if r.blk == nil {
			r.blk = make([]byte, r.bs)
		}
		r.blk = r.blk[:min(r.bs, r.size-blkOff)]
		r.blkOff = -1
		if err := readFull(r.r, r.blk, blkOff, r.name); err != nil {
			return f, err
		}
		r.blkOff = blkOff
	}
	b := r.blk[r.pos-r.blkOff:]
	if len(b) < fragHeaderSize {
		if isZero(b) {
			f.status, f.reason = fragZero, "zeroed fragment header"
		} else {
			f.status, f.reason = fragBad, "fragment header cut short by the end of the file"
		}
		return f, nil
	}
	if isZero(b[:fragHeaderSize]) {
		f.status, f.reason = fragZero, "zeroed fragment header"
		return f, nil
	}
	n := int(binary.LittleEndian.Uint16(b[4:6]))
	f.typ = fragType(b[6])
	switch {
	case f.typ == 0 || f.typ > maxFragType:
		f.status, f.reason = fragBad, fmt.Sprintf("invalid fragment type %d", b[6])
	case r.pos%r.bs+fragHeaderSize+int64(n) > r.bs:
		f.status, f.reason = fragBad, fmt.Sprintf("fragment length %d overflows its block", n)
	case fragHeaderSize+n > len(b):
		f.status, f.reason = fragBad, fmt.Sprintf("fragment of length %d cut short by the end of the file", n)
	case !fillsBlock(f.typ, int(r.pos%r.bs)+fragHeaderSize+n, int(r.bs)):
		f.status, f.reason = fragBad, fmt.Sprintf("%s fragment ends before the end of its block", f.typ)
	default:
		f.payload = b[fragHeaderSize : fragHeaderSize+n]
		if fragCRC(&r.seeds, f.typ, f.payload) != binary.LittleEndian.Uint32(b[0:4]) {
			f.status, f.reason, f.payload = fragBad, "fragment checksum mismatch", nil
		} else {
			r.pos += int64(fragHeaderSize + n)
		}
	}
	return f, nil
}
