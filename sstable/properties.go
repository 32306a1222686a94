package sstable

import (
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/kvlab/kvlab/internal/base"
)

// Properties describe a table: what it holds and how it was built. The
// writer computes them and stores them in the properties block; the reader
// loads them at Open.
type Properties struct {
	// NumEntries is the number of entries, tombstones included.
	NumEntries uint64
	// NumDeletions is the number of tombstones (base.KindDelete entries).
	NumDeletions uint64
	// RawKeySize is the total length of the entries' internal keys (user key
	// plus the 8-byte trailer), before prefix compression.
	RawKeySize uint64
	// RawValueSize is the total length of the entries' values.
	RawValueSize uint64
	// SmallestKey and LargestKey are the first and last internal keys; empty
	// when the table is empty.
	SmallestKey, LargestKey []byte
	// SmallestSeq and LargestSeq are the least and greatest sequence
	// numbers of the entries; both 0 when the table is empty.
	SmallestSeq, LargestSeq base.SeqNum
	// NumDataBlocks is the number of data blocks.
	NumDataBlocks uint64
	// DataSize is the bytes the data blocks occupy in the file, trailers
	// included.
	DataSize uint64
	// RawDataSize is the bytes of the data blocks' contents before
	// compression, without trailers.
	RawDataSize uint64
	// IndexSize and FilterSize are the bytes the index and filter blocks
	// occupy in the file, trailers included; FilterSize is 0 without filter.
	IndexSize, FilterSize uint64
	// FilterKeys is the number of distinct user keys in the filter.
	FilterKeys uint64
	// Compression is the compression the writer tried on each block
	// (SnappyCompression or NoCompression); a block is stored compressed
	// only when that saves at least 12.5 %.
	Compression Compression
	// BlockSize, RestartInterval and BloomBitsPerKey are the writer's
	// options.
	BlockSize, RestartInterval, BloomBitsPerKey uint64
	// NumRangeDeletions is the number of range tombstone fragments (one
	// per fragment and sequence number) in the range-deletion block, and
	// RangeDelSize the bytes that block occupies, trailer included; both
	// 0 for a table without range tombstones. They are stored only when
	// not 0.
	NumRangeDeletions, RangeDelSize uint64
}

// CompressionRatio returns the data blocks' uncompressed size over their
// stored size (contents only, trailers excluded): 1 when nothing was
// compressed, 0 for an empty table.
func (p *Properties) CompressionRatio() float64 {
	stored := p.DataSize - p.NumDataBlocks*blockTrailerLen
	if stored == 0 {
		return 0
	}
	return float64(p.RawDataSize) / float64(stored)
}

// The property names, as stored in the properties block.
const (
	propBlockSize       = "block_size"
	propBloomBitsPerKey = "bloom_bits_per_key"
	propCompression     = "compression"
	propDataBlocks      = "data_blocks"
	propDataSize        = "data_size"
	propDeletions       = "deletions"
	propEntries         = "entries"
	propFilterKeys      = "filter_keys"
	propFilterSize      = "filter_size"
	propIndexSize       = "index_size"
	propLargestKey      = "largest_key"
	propLargestSeq      = "largest_seq"
	propRawDataSize     = "raw_data_size"
	propRawKeySize      = "raw_key_size"
	propRawValueSize    = "raw_value_size"
	propRangeDels       = "range_deletions"
	propRangeDelSize    = "range_del_size"
	propRestartInterval = "restart_interval"
	propSmallestKey     = "smallest_key"
	propSmallestSeq     = "smallest_seq"
)

// numbers returns the numeric properties by name.
func (p *Properties) numbers() map[string]*uint64 {
	return map[string]*uint64{
		propBlockSize:       &p.BlockSize,
		propBloomBitsPerKey: &p.BloomBitsPerKey,
		propDataBlocks:      &p.NumDataBlocks,
		propDataSize:        &p.DataSize,
		propDeletions:       &p.NumDeletions,
		propEntries:         &p.NumEntries,
		propFilterKeys:      &p.FilterKeys,
		propFilterSize:      &p.FilterSize,
		propIndexSize:       &p.IndexSize,
		propLargestSeq:      (*uint64)(&p.LargestSeq),
		propRawDataSize:     &p.RawDataSize,
		propRawKeySize:      &p.RawKeySize,
		propRawValueSize:    &p.RawValueSize,
		propRestartInterval: &p.RestartInterval,
		propSmallestSeq:     (*uint64)(&p.SmallestSeq),
	}
}

// encode writes the properties into a block, sorted by name.
func (p *Properties) encode(w *blockWriter) []byte {
	vals := map[string][]byte{
		propCompression: []byte(p.Compression.String()),
		propSmallestKey: p.SmallestKey,
		propLargestKey:  p.LargestKey,
	}
	for name, v := range p.numbers() {
		vals[name] = binary.AppendUvarint(nil, *v)
	}
	if p.NumRangeDeletions > 0 {
		vals[propRangeDels] = binary.AppendUvarint(nil, p.NumRangeDeletions)
		vals[propRangeDelSize] = binary.AppendUvarint(nil, p.RangeDelSize)
	}
	names := make([]string, 0, len(vals))
	for name := range vals {
		names = append(names, name)
	}
	slices.Sort(names)
	w.reset()
	for _, name := range names {
		w.add([]byte(name), vals[name])
	}
	return w.finish()
}

// decodeProperties reads a properties block. Unknown names are ignored (a
// later writer may add properties without a version change); every name
// version 1 defines must be present.
func decodeProperties(b *block) (Properties, error) {
	var p Properties
	nums := p.numbers()
	seen := map[string]bool{}
	_, err := b.walk(bytewiseOrder, func(key, value []byte) error {
		name := string(key)
		if ptr, ok := nums[name]; ok {
			v, n := binary.Uvarint(value)
			if n <= 0 || n != len(value) {
				return fmt.Errorf("property %s: bad varint", name)
			}
			*ptr = v
			seen[name] = true
			return nil
		}
		switch name {
		case propRangeDels, propRangeDelSize:
			v, n := binary.Uvarint(value)
			if n <= 0 || n != len(value) {
				return fmt.Errorf("property %s: bad varint", name)
			}
			if name == propRangeDels {
				p.NumRangeDeletions = v
			} else {
				p.RangeDelSize = v
			}
			return nil // optional: not counted in seen
		case propCompression:
			c, ok := parseCompression(string(value))
			if !ok {
				return fmt.Errorf("property %s: unknown compression %q", name, value)
			}
			p.Compression = c
		case propSmallestKey:
			p.SmallestKey = slices.Clone(value)
		case propLargestKey:
			p.LargestKey = slices.Clone(value)
		default:
			return nil
		}
		seen[name] = true
		return nil
	})
	if err != nil {
		return Properties{}, err
	}
	if len(seen) != len(nums)+3 {
		for _, name := range []string{propCompression, propSmallestKey, propLargestKey} {
			nums[name] = nil
		}
		for name := range nums {
			if !seen[name] {
				return Properties{}, fmt.Errorf("property %s missing", name)
			}
		}
	}
	if p.NumEntries > 0 {
		if _, _, _, ok := base.Parse(p.SmallestKey); !ok {
			return Properties{}, fmt.Errorf("property %s: invalid internal key %x", propSmallestKey, p.SmallestKey)
		}
		if _, _, _, ok := base.Parse(p.LargestKey); !ok {
			return Properties{}, fmt.Errorf("property %s: invalid internal key %x", propLargestKey, p.LargestKey)
		}
		if base.Compare(p.SmallestKey, p.LargestKey) > 0 {
			return Properties{}, fmt.Errorf("smallest key %s after largest key %s", base.Format(p.SmallestKey), base.Format(p.LargestKey))
		}
	}
	return p, nil
}
