package sstable

import (
	"bytes"
	"fmt"

	"github.com/kvlab/kvlab/internal/base"
	"github.com/kvlab/kvlab/kv"
)

// Get returns the newest entry for the user key ukey with a sequence number
// <= seq. found is false when the table holds none; an entry of kind
// base.KindDelete is a tombstone (value nil). The value is a copy owned by
// the caller, non-nil for a set.
//
// Get consults the Bloom filter before reading any data block and counts
// the check in Stats.
func (r *Reader) Get(ukey []byte, seq base.SeqNum) (value []byte, kind base.Kind, found bool, err error) {
	if r.closed.Load() {
		return nil, 0, false, fmt.Errorf("sstable: %s: %w", r.name, kv.ErrClosed)
	}
	r.stats.gets.Add(1)
	if r.filter != nil {
		r.stats.bloomChecks.Add(1)
		if !r.filter.Test(ukey) {
			r.stats.bloomNegatives.Add(1)
			return nil, 0, false, nil
		}
	}
	// Seek to the newest version visible at seq: the first entry at or
	// after it answers, if its user key is ukey.
	var kbuf [64]byte
	target := base.SeekKey(kbuf[:0], ukey, seq)
	touched := int64(0)
	defer func() { r.stats.blocksTouched.Add(touched) }()
	var it blockIter
	blk := -1
	newer := false  // the table holds versions of ukey newer than seq
	landed := false // it rests on the first entry after the target
	for i := r.searchIndex(target); i < len(r.index); i++ {
		b, err := r.dataBlock(i)
		if err != nil {
			return nil, 0, false, err
		}
		touched++
		blk = i
		it.init(b, r.name, r.index[i].h.offset)
		var ok bool
		if touched == 1 {
			ok = it.seekGE(target)
		} else {
			ok = it.first()
		}
		if ok {
			if !bytes.Equal(base.UserKey(it.key), ukey) {
				landed = true
				break
			}
			kind = base.KindOf(it.key)
			if kind == base.KindDelete {
				return nil, kind, true, nil
			}
			return append(make([]byte, 0, len(it.val)), it.val...), kind, true, nil
		}
		if it.err != nil {
			return nil, 0, false, it.err
		}
		// Every entry of the block is before the target. Older versions
		// of ukey can follow in the next block only if this block ends
		// with a (newer) version of ukey.
		if !it.last() {
			return nil, 0, false, it.err
		}
		if !bytes.Equal(base.UserKey(it.key), ukey) {
			break
		}
		newer = true
	}
	if r.filter != nil && !newer {
		// Was the filter wrong, or does the table hold only versions of
		// ukey newer than seq?
		present := false
		switch {
		case blk < 0: // the target is after every separator
			present = len(r.index) > 0 && bytes.Equal(base.UserKey(r.props.LargestKey), ukey)
		case landed:
			var n int64
			present, n, err = r.precededBy(&it, blk, ukey)
			touched += n
			if err != nil {
				return nil, 0, false, err
			}
		}
		if !present {
			r.stats.bloomFalsePositives.Add(1)
		}
	}
	return nil, 0, false, nil
}

// syntheticTrailer is the trailer of shortened separators (see
// appendSeparator).
var syntheticTrailer = base.MakeTrailer(base.MaxSeqNum, base.KindMax)

// precededBy reports whether the entry before the one where a Get landed
// has the user key ukey: whether the table holds ukey in versions newer than
// the Get could see. it rests in data block blk on the first entry after the
// Get's target. precededBy reads the previous block only when the landing
// entry is the first of its block and the previous separator may be that
// block's last key (a shortened separator with ukey as user key); touched
// counts that read.
func (r *Reader) precededBy(it *blockIter, blk int, ukey []byte) (present bool, touched int64, err error) {
	if it.prev() {
		return bytes.Equal(base.UserKey(it.key), ukey), 0, nil
	}
	if it.err != nil || blk == 0 {
		return false, 0, it.err
	}
	sep := r.index[blk-1].sep
	if !bytes.Equal(base.UserKey(sep), ukey) {
		return false, 0, nil
	}
	if base.Trailer(sep) != syntheticTrailer {
		return true, 0, nil // the separator is the block's last key
	}
	b, err := r.dataBlock(blk - 1)
	if err != nil {
		return false, 0, err
	}
	it.init(b, r.name, r.index[blk-1].h.offset)
	if !it.last() {
		return false, 1, it.err
	}
	return bytes.Equal(base.UserKey(it.key), ukey), 1, nil
}
