package workload

import (
	"fmt"
	"strings"

	"github.com/kvlab/kvlab/internal/units"
	"github.com/kvlab/kvlab/kv"
)

// DefaultValueSize is the value size when neither the Config nor the
// workload sets one (db_bench's 100 bytes).
const DefaultValueSize = 100

// DefaultCompressibility is the fraction of a value left after compression
// when a Config does not set one (db_bench's --compression_ratio 0.5).
const DefaultCompressibility = 0.5

// ValueSize is a fixed value size (Min == Max) or a range whose sizes are
// drawn uniformly.
type ValueSize struct{ Min, Max int }

// ParseValueSize parses "100", "4KiB" or a range "100-1000", "64B-4KiB".
func ParseValueSize(s string) (ValueSize, error) {
	lo, hi, isRange := strings.Cut(s, "-")
	a, err := units.ParseSize(lo)
	if err != nil {
		return ValueSize{}, fmt.Errorf("%w: value size: %v", ErrConfig, err)
	}
	b := a
	if isRange {
		if b, err = units.ParseSize(hi); err != nil {
			return ValueSize{}, fmt.Errorf("%w: value size: %v", ErrConfig, err)
		}
	}
	v := ValueSize{int(a), int(b)}
	return v, v.Validate()
}

// Validate reports an empty or reversed range or a size over
// kv.MaxValueSize.
func (v ValueSize) Validate() error {
	if v.Min < 0 || v.Max < v.Min || v.Max > kv.MaxValueSize {
		return configErrorf("value size %s: want 0 ≤ min ≤ max ≤ %d", v, kv.MaxValueSize)
	}
	return nil
}

// IsZero reports whether v is unset.
func (v ValueSize) IsZero() bool { return v == ValueSize{} }

// Mean returns the average size.
func (v ValueSize) Mean() float64 { return float64(v.Min+v.Max) / 2 }

// String renders v as ParseValueSize reads it.
func (v ValueSize) String() string {
	if v.Min == v.Max {
		return fmt.Sprint(v.Min)
	}
	return fmt.Sprintf("%d-%d", v.Min, v.Max)
}

// valueBufferSize is the size of the random buffer values are cut from:
// about 1 MiB, a whole number of pieces so that cutting wraps around to a
// piece boundary.
const valueBufferSize = (1 << 20) / valuePiece * valuePiece

// valuePiece is the period of the compressible pattern: each piece of this
// many bytes is compressible on its own. Clients start cutting values at a
// piece boundary, so that a value of the default size is one whole piece
// (cut anywhere else, it would repeat bytes of the piece before it, which a
// compressor of the value alone cannot find).
const valuePiece = 100

// ValueSource is a read-only buffer of random bytes with the requested
// compressibility; values are slices of it, so making one allocates nothing.
// As in db_bench, each 100-byte piece repeats a random run of
// compressibility × 100 bytes, so a compressor can shrink the data to about
// that fraction of its size.
type ValueSource struct{ buf []byte }

// NewValueSource returns a source of values of up to maxSize bytes with
// the given compressibility.
func NewValueSource(seed uint64, compressibility float64, maxSize int) *ValueSource {
	r := NewRNG(seed, 0xda7a)
	buf := make([]byte, valueBufferSize+maxSize)
	raw := int(compressibility*valuePiece + 0.5)
	if raw < 1 {
		raw = 1
	}
	for i := 0; i < len(buf); i += valuePiece {
		piece := buf[i:min(i+valuePiece, len(buf))]
		for j := 0; j < raw && j < len(piece); j++ {
			piece[j] = byte(r.Uint64())
		}
		for j := raw; j < len(piece); j++ {
			piece[j] = piece[j-raw]
		}
	}
	return &ValueSource{buf: buf}
}

// valueStart returns where a client's values begin in the buffer: a random
// piece boundary, different for each client stream.
func valueStart(seed, stream uint64) int {
	return valuePiece * int(NewRNG(seed, stream|3).Uint64n(valueBufferSize/valuePiece))
}

// NewValueGen returns a generator that cuts values of the given size from
// src, for the client goroutine of the given stream.
func NewValueGen(src *ValueSource, seed, stream uint64, size ValueSize) ValueGen {
	return ValueGen{src: src, r: NewRNG(seed, stream|2), size: size, pos: valueStart(seed, stream)}
}

// ValueGen cuts values for one client goroutine; its zero value is not
// usable (see NewValueGen).
type ValueGen struct {
	src  *ValueSource
	r    *RNG
	size ValueSize
	pos  int
}

// Next returns the next value: a slice of the source, valid until the
// source is dropped, which the caller must not modify.
func (g *ValueGen) Next() []byte {
	n := g.size.Min
	if g.size.Max > g.size.Min {
		n += int(g.r.Uint64n(uint64(g.size.Max - g.size.Min + 1)))
	}
	if g.pos+n > len(g.src.buf) {
		g.pos = 0
	}
	v := g.src.buf[g.pos : g.pos+n : g.pos+n]
	g.pos += n
	if g.pos >= valueBufferSize {
		g.pos -= valueBufferSize
	}
	return v
}
