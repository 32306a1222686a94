package wal

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/vfs"
)

// EndReason says why a log ended.
type EndReason int

const (
	// EndNone: the reader has not reached the end, or stopped at an I/O
	// error.
	EndNone EndReason = iota
	// EndClean: the log ends after a whole record, at the end of the file
	// or where only zeros follow.
	EndClean
	// EndTornTail: the last record is incomplete or damaged and nothing
	// valid follows it, as after a crash in the middle of a write. The
	// record is dropped; Next returns io.EOF.
	EndTornTail
	// EndCorrupt: damage with valid fragments after it. Next returned an
	// error wrapping kv.ErrCorruption.
	EndCorrupt
)

func (e EndReason) String() string {
	switch e {
	case EndNone:
		return "none"
	case EndClean:
		return "clean"
	case EndTornTail:
		return "torn tail"
	case EndCorrupt:
		return "corrupt"
	}
	return fmt.Sprintf("EndReason(%d)", int(e))
}

// EndInfo describes how a log ended, as Reader.End reports it.
type EndInfo struct {
	// Reason says why the log ended.
	Reason EndReason
	// Offset is the file offset just past the last good record: the end of
	// the file header when there is none, 0 when the header itself was torn.
	// OpenAppend truncates the file here.
	Offset int64
	// FileSize is the size of the file read; FileSize-Offset bytes of it
	// hold a torn tail, zeros or (EndCorrupt) the unread rest.
	FileSize int64
	// DroppedBytes counts the bytes SkipCorrupt skipped: damaged fragments,
	// the rest of their blocks and the fragments of records they broke.
	DroppedBytes int64
	// DroppedRecords counts the records known to be lost to skipped damage:
	// one per damaged region. It is a lower bound, since damage destroys the
	// framing that would tell how many records a region held.
	DroppedRecords int
	// Corruptions lists the damage met: with SkipCorrupt, every region
	// skipped; otherwise the one that stopped the reader (EndCorrupt).
	Corruptions []*kv.CorruptionError
}

// validAfter reports whether an intact fragment starts anywhere after
// offset off: the test that tells damage at the tail of the log (nothing
// valid after it: a torn write) from damage in its middle. Every byte offset
// is tried, since damage can destroy the framing that would say where the
// next fragment starts. The checksum input holds the log number, so stale
// data of another log never counts.
func (r *Reader) validAfter(off int64) (bool, error) {
	if off < r.validAt {
		// Found by an earlier scan: with SkipCorrupt, a run of damaged
		// blocks costs one scan, not one per block.
		return true, nil
	}
	if r.scan == nil {
		r.scan = make([]byte, r.bs)
	}
	first := off - off%r.bs
	for blk := first; blk < r.size; blk += r.bs {
		buf := r.scan[:min(r.bs, r.size-blk)]
		if err := readFull(r.r, buf, blk, r.name); err != nil {
			return false, err
		}
		i := 0
		if blk == first {
			i = int(off-blk) + 1
		}
		if blk == 0 {
			i = max(i, fileHeaderSize)
		}
		for ; i+fragHeaderSize <= len(buf); i++ {
			t := fragType(buf[i+6])
			if t == 0 || t > maxFragType {
				continue
			}
			end := i + fragHeaderSize + int(binary.LittleEndian.Uint16(buf[i+4:]))
			if end > len(buf) || !fillsBlock(t, end, int(r.bs)) {
				continue
			}
			if fragCRC(&r.seeds, t, buf[i+fragHeaderSize:end]) == binary.LittleEndian.Uint32(buf[i:]) {
				r.validAt = blk + int64(i)
				return true, nil
			}
		}
	}
	return false, nil
}

// Replay reads every record of the named log in fs, calling fn with each
// record and its position (rec is valid only during the call), and returns
// how the log ended. It stops at the first error: from opening or reading
// the file, a corruption error (unless opts.SkipCorrupt), or fn's. After
// Replay, OpenAppend(fs, name, logNum, end, ...) appends to the log.
func Replay(fs vfs.FS, name string, logNum uint64, opts ReaderOptions, fn func(rec []byte, pos Pos) error) (EndInfo, error) {
	kind := opts.Kind
	if kind == "" {
		kind = vfs.KindWAL
	}
	f, err := fs.Open(name, kind)
	if err != nil {
		return EndInfo{}, fmt.Errorf("wal: open %s: %w", name, err)
	}
	defer f.Close()
	size, err := f.Size()
	if err != nil {
		return EndInfo{}, fmt.Errorf("wal: stat %s: %w", name, err)
	}
	r, err := NewReader(f, size, name, logNum, opts)
	if err != nil {
		return EndInfo{}, err
	}
	for {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			return r.End(), nil
		}
		if err != nil {
			return r.End(), err
		}
		if err := fn(rec, r.Pos()); err != nil {
			return r.End(), err
		}
	}
}
