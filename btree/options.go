package btree

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/kvlab/kvlab/internal/units"
)

// Name is the engine's registered name.
const Name = "btree"

// Options configure a store. The zero value of a field is not a default:
// start from DefaultOptions.
type Options struct {
	// PageSize is the size of every page in bytes: a power of two from
	// MinPageSize (1 KiB) to MaxPageSize (64 KiB). It is fixed when the
	// store is created; reopening with another value is an error. Larger
	// pages mean a shallower tree and larger keys, but more bytes written
	// per changed key.
	PageSize int
	// PoolSize is the buffer pool's capacity in bytes (PoolSize/PageSize
	// frames, at least 16). When changed pages fill half the pool, the
	// coldest are written back (without sync) so that they can be evicted.
	PoolSize int64
	// CheckpointSize is the WAL size in bytes past which a write triggers a
	// checkpoint (which then starts a new, empty log).
	CheckpointSize int64
	// OverflowThreshold is the largest value, in bytes, stored inline in a
	// leaf; longer values go to overflow pages. Zero means the largest the
	// page size allows, (PageSize-32)/4; larger values are an error.
	OverflowThreshold int
	// Sync makes every write durable before it returns, as if every Write
	// had WriteOptions{Sync: true}.
	Sync bool
}

// DefaultOptions returns the defaults: 4 KiB pages, a 256 MiB pool,
// checkpoints every 64 MiB of WAL, the automatic overflow threshold and
// no per-write sync.
func DefaultOptions() Options {
	return Options{PageSize: 4 << 10, PoolSize: 256 << 20, CheckpointSize: 64 << 20}
}

// Setting documents one option for the CLI (`--set btree.NAME=VALUE`).
type Setting struct {
	Name, Default, Doc string
}

// Settings returns the options ParseSettings understands, by name.
func Settings() []Setting {
	d := DefaultOptions()
	return []Setting{
		{"page-size", units.FormatSize(int64(d.PageSize)), "page size, a power of two from 1KiB to 64KiB (fixed at creation)"},
		{"pool-size", units.FormatSize(d.PoolSize), "buffer pool capacity in bytes"},
		{"checkpoint-size", units.FormatSize(d.CheckpointSize), "WAL bytes after which a checkpoint runs"},
		{"overflow-threshold", "0", "largest inline value in bytes; 0 = (page-size-32)/4; larger values go to overflow pages"},
		{"sync", strconv.FormatBool(d.Sync), "sync the WAL on every write"},
	}
}

// ParseSettings applies settings by name on top of DefaultOptions. Sizes
// take units ("4KiB", "64MiB"); sync takes a boolean. An unknown name or a
// bad value is an error naming it; the result is validated.
func ParseSettings(settings map[string]string) (Options, error) {
	o := DefaultOptions()
	for _, name := range slices.Sorted(maps.Keys(settings)) {
		v := settings[name]
		var err error
		switch name {
		case "page-size":
			var n int64
			if n, err = units.ParseSize(v); err == nil {
				o.PageSize = int(n)
			}
		case "pool-size":
			o.PoolSize, err = units.ParseSize(v)
		case "checkpoint-size":
			o.CheckpointSize, err = units.ParseSize(v)
		case "overflow-threshold":
			var n int64
			if n, err = units.ParseSize(v); err == nil {
				o.OverflowThreshold = int(n)
			}
		case "sync":
			o.Sync, err = units.ParseBool(v)
		default:
			return o, fmt.Errorf("btree: unknown setting %q", name)
		}
		if err != nil {
			return o, fmt.Errorf("btree: setting %s=%q: %w", name, v, err)
		}
	}
	return o, o.Validate()
}

// ErrBadOptions is matched by the error Validate and Open return for an
// invalid Options value.
var ErrBadOptions = errors.New("btree: invalid options")

// Validate reports whether the options are usable.
func (o Options) Validate() error {
	ps := o.PageSize
	switch {
	case ps < MinPageSize || ps > MaxPageSize || ps&(ps-1) != 0:
		return fmt.Errorf("%w: page size %d is not a power of two from %d to %d", ErrBadOptions, ps, MinPageSize, MaxPageSize)
	case o.PoolSize < 0:
		return fmt.Errorf("%w: negative pool size %d", ErrBadOptions, o.PoolSize)
	case o.CheckpointSize <= 0:
		return fmt.Errorf("%w: checkpoint size %d must be positive", ErrBadOptions, o.CheckpointSize)
	case o.OverflowThreshold < 0 || o.OverflowThreshold > maxInlineValue(ps):
		return fmt.Errorf("%w: overflow threshold %d is outside [0, %d] for %d-byte pages", ErrBadOptions, o.OverflowThreshold, maxInlineValue(ps), ps)
	}
	return nil
}

// MaxKeySize returns the largest key a store with these options accepts:
// (PageSize-32)/4 - 16 bytes (232 for 1 KiB pages, 1000 for 4 KiB, 16360
// for 64 KiB). Longer keys fail with kv.ErrKeyTooLarge.
func (o Options) MaxKeySize() int { return maxKeySize(o.PageSize) }

func (o Options) threshold() int {
	if o.OverflowThreshold == 0 {
		return maxInlineValue(o.PageSize)
	}
	return o.OverflowThreshold
}

func (o Options) poolFrames() int {
	return max(16, int(o.PoolSize/int64(o.PageSize)))
}
