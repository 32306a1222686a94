package sstable

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/kvlab/kvlab/internal/base"
	"github.com/kvlab/kvlab/internal/rangedel"
)

// The range-deletion block (format version 2, docs/format/sstable.md) holds
// a table's range tombstones, fragmented: each entry is one tombstone
// fragment at one sequence number, keyed by its start user key followed by
// the trailer seq << 8 | kindRangeDelete, with the end user key as value.
// Entries sort like internal keys (start ascending, then sequence number
// descending), and any two fragments are either equal in [start, end) or
// disjoint. The reader decodes the block once, at Open, into a
// rangedel.Set kept in memory.

// kindRangeDelete is the kind byte of a range-deletion block's keys. It
// appears nowhere else: data blocks hold only sets and point deletions.
const kindRangeDelete = 15

// rangeDelOrder tells block.walk to leave key order to
// decodeRangeDelBlock, which checks it with the fragmentation rules.
const rangeDelOrder keyOrder = 100

// rangeDelWriter gathers a Writer's range tombstones.
type rangeDelWriter struct {
	bw         blockWriter
	n          uint64
	start, end []byte // the last fragment added
	seq        base.SeqNum
	keyBuf     []byte
}

// AddRangeDel adds a range tombstone fragment deleting the keys of
// [start, end) older than seq. Fragments must come fragmented and in order:
// by start ascending, then seq descending; a fragment with the start of the
// previous one must have its end too, and one with a new start must begin
// at or after the previous end (rangedel.Fragments produces such
// fragments). Fragments and point entries (Add) are independent streams:
// they may be interleaved in any way.
//
// A fragment out of order, empty, or with a sequence number above
// base.MaxSeqNum is refused with an error that leaves the Writer usable.
// A table with a range tombstone is written in format version 2.
func (w *Writer) AddRangeDel(start, end []byte, seq base.SeqNum) error {
	if w.err != nil {
		return w.err
	}
	if w.finished {
		return errFinished
	}
	rd := &w.rd
	switch {
	case bytes.Compare(start, end) >= 0:
		return fmt.Errorf("sstable: AddRangeDel: empty range [%q, %q)", start, end)
	case seq > base.MaxSeqNum:
		return fmt.Errorf("sstable: AddRangeDel: sequence number %d above the maximum", seq)
	case len(start)+len(end)+base.TrailerLen > maxEntrySize:
		return fmt.Errorf("sstable: AddRangeDel: fragment of %d bytes exceeds the limit of %d", len(start)+len(end), maxEntrySize)
	}
	if rd.n > 0 {
		if c := bytes.Compare(start, rd.start); c == 0 {
			if !bytes.Equal(end, rd.end) || seq >= rd.seq {
				return fmt.Errorf("sstable: AddRangeDel: fragment [%q, %q)#%d does not follow [%q, %q)#%d", start, end, seq, rd.start, rd.end, rd.seq)
			}
		} else if bytes.Compare(start, rd.end) < 0 {
			return fmt.Errorf("sstable: AddRangeDel: fragment [%q, %q) overlaps or precedes [%q, %q)", start, end, rd.start, rd.end)
		}
	} else {
		rd.bw.init(1)
	}
	rd.keyBuf = base.AppendInternalKey(rd.keyBuf[:0], start, 0, 0)
	binary.LittleEndian.PutUint64(rd.keyBuf[len(start):], uint64(seq)<<8|kindRangeDelete)
	rd.bw.add(rd.keyBuf, end)
	rd.start = append(rd.start[:0], start...)
	rd.end = append(rd.end[:0], end...)
	rd.seq = seq
	rd.n++
	return nil
}

// finishRangeDels writes the range-deletion block, if there is one, and
// records its handle and count.
func (w *Writer) finishRangeDels(ft *footer) error {
	if w.rd.n == 0 {
		return nil
	}
	h, err := w.writeBlock(w.rd.bw.finish(), true)
	if err != nil {
		return err
	}
	ft.rangeDel = h
	ft.version = 2
	w.props.NumRangeDeletions = w.rd.n
	w.props.RangeDelSize = h.length + blockTrailerLen
	return nil
}

// rangeDelEstimate is the range-deletion block's contribution to
// EstimatedSize.
func (w *Writer) rangeDelEstimate() uint64 {
	if w.rd.n == 0 {
		return 0
	}
	return uint64(w.rd.bw.estimatedSize()+blockTrailerLen) + footerLenV2 - footerLen
}

// decodeRangeDelBlock decodes and checks a range-deletion block: every key
// is a start user key with a kindRangeDelete trailer, every value an end
// above its start, entries in order and fragmented. It returns the
// fragments, whose keys are copies, and the number of entries.
func decodeRangeDelBlock(b *block) ([]rangedel.Fragment, uint64, error) {
	var frags []rangedel.Fragment
	var n uint64
	var prevSeq base.SeqNum
	_, err := b.walk(rangeDelOrder, func(key, value []byte) error {
		if len(key) < base.TrailerLen {
			return fmt.Errorf("entry %d: key of %d bytes is shorter than a trailer", n, len(key))
		}
		t := base.Trailer(key)
		if t&0xff != kindRangeDelete {
			return fmt.Errorf("entry %d: kind %d, want %d", n, t&0xff, kindRangeDelete)
		}
		start, seq := base.UserKey(key), base.SeqNum(t>>8)
		if bytes.Compare(start, value) >= 0 {
			return fmt.Errorf("entry %d: empty range [%q, %q)", n, start, value)
		}
		if k := len(frags); k > 0 {
			last := &frags[k-1]
			switch c := bytes.Compare(start, last.Start); {
			case c == 0:
				if !bytes.Equal(value, last.End) || seq >= prevSeq {
					return fmt.Errorf("entry %d: [%q, %q)#%d does not follow [%q, %q)#%d", n, start, value, seq, last.Start, last.End, prevSeq)
				}
				last.Seqs = append(last.Seqs, seq)
				prevSeq = seq
				n++
				return nil
			case bytes.Compare(start, last.End) < 0:
				return fmt.Errorf("entry %d: [%q, %q) overlaps or precedes [%q, %q)", n, start, value, last.Start, last.End)
			}
		}
		frags = append(frags, rangedel.Fragment{Start: bytes.Clone(start), End: bytes.Clone(value), Seqs: []base.SeqNum{seq}})
		prevSeq = seq
		n++
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	return frags, n, nil
}

// loadRangeDels reads the range-deletion block at h and checks it against
// the properties.
func (r *Reader) loadRangeDels(h blockHandle) error {
	b, err := r.readBlock(h, "range-deletion")
	if err != nil {
		return err
	}
	frags, n, err := decodeRangeDelBlock(b)
	if err == nil && n != r.props.NumRangeDeletions {
		err = fmt.Errorf("%d entries, the properties say %d", n, r.props.NumRangeDeletions)
	}
	if err == nil && n == 0 {
		err = fmt.Errorf("empty block")
	}
	if err != nil {
		return r.corrupt(int64(h.offset), "range-deletion block: %v", err)
	}
	r.rangeDels = rangedel.NewSet(frags)
	return nil
}

// RangeDels returns the table's range tombstones, fragmented, or nil when
// it has none (always for a version 1 table). The Set is loaded at Open and
// shared: do not modify it.
func (r *Reader) RangeDels() *rangedel.Set { return r.rangeDels }

// FormatVersion returns the format version of the table's footer.
func (r *Reader) FormatVersion() uint32 { return r.version }
