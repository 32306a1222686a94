package btree

import (
	"errors"
	"fmt"

	"github.com/kvlab/kvlab/knob"
	"github.com/kvlab/kvlab/kv"
)

// Name is the engine's registered name.
const Name = "btree"

// Options configure a store. The zero value of a field is not a default:
// start from DefaultOptions. Each field is a knob of Knobs.
type Options struct {
	// PageSize is the size of every page in bytes: a power of two from
	// MinPageSize (1 KiB) to MaxPageSize (64 KiB). It is fixed when the
	// store is created: Open of an existing store uses the page size
	// recorded in the store, whatever this says (an OverflowThreshold too
	// large for the stored page size is then an error). Larger pages mean
	// a shallower tree and larger keys, but more bytes written per
	// changed key.
	PageSize int
	// PoolSize is the buffer pool's capacity in bytes: clean pages take
	// PoolSize/PageSize frames (at least 16), and the changed (dirty)
	// pages' heap may take another half of it, at most 32 MiB (the
	// dirty budget). With Mmap, clean pages are read from the OS page
	// cache and never take a frame: the pool then bounds only the changed
	// pages, whose budget is 3/8 of it. When the dirty pages pass the
	// budget, the coldest are written back (without sync) so that they can
	// be evicted.
	PoolSize int64
	// CheckpointSize is the WAL size in bytes past which a write triggers a
	// checkpoint (which then starts a new, empty log).
	CheckpointSize int64
	// ShadowBudget is when a write also triggers a checkpoint: once the
	// pages released since the last one (the originals of the copies
	// shadow paging made, not reusable until the next checkpoint is
	// durable) reach this fraction of the tree's pages, and at least 256.
	// Zero means 1/8. The pages file then holds about the tree plus three
	// budgets, whatever CheckpointSize; a smaller budget means a smaller
	// file and more checkpoints (each writes the tree's branch pages and
	// the free list, and syncs twice); 1 leaves it to CheckpointSize.
	ShadowBudget float64
	// OverflowThreshold is the largest value, in bytes, stored inline in a
	// leaf; longer values go to overflow pages. Zero means the largest the
	// page size allows, (PageSize-32)/4; larger values are an error.
	OverflowThreshold int
	// Sync makes every write durable before it returns, as if every Write
	// had WriteOptions{Sync: true}.
	Sync bool
	// Mmap reads clean pages through a read-only shared mapping of the
	// pages file (as bbolt and LMDB read), when the file system offers one
	// (vfs.Mapper: the operating system's files on Linux, also through
	// vfs.Accounting; not the device models, the fault-injection or the
	// memory file systems, which keep the ReadAt path). Reads then cost no
	// system call, copy or buffer-pool frame: the pool holds only dirty
	// pages, and clean pages live in the OS page cache. Off, a page the
	// pool misses is read with ReadAt into a frame. See "Buffer pool" in
	// the package documentation for how reads through the mapping are
	// checked and counted. As with bbolt and LMDB, nothing else may
	// truncate the pages file while the store is open (the directory lock
	// keeps other kvlab processes out): a read past its end through the
	// mapping would kill the process with SIGBUS.
	Mmap bool

	// ReadOnly opens an existing store without creating, writing,
	// renaming or removing any file: the last checkpoint is read and the
	// WAL after it replayed into the buffer pool (changed pages stay in
	// memory; the pool grows to hold them), no checkpoint runs, writes
	// return kv.ErrReadOnly and Close writes nothing. The LOCK file is
	// taken only if it exists. There must be a store (kv.ErrNoStore).
	// Not a knob: a mode of Open.
	ReadOnly bool
	// MustExist makes Open fail with an error wrapping kv.ErrNoStore when
	// the directory holds no store, instead of creating one. Not a knob.
	MustExist bool
	// EventListener, if not nil, is told of checkpoints (the store's own
	// and Checkpoint copies), WAL rotations, write stalls and background
	// errors (see kv.EventListener). Not a knob.
	EventListener *kv.EventListener
	// Logger, if not nil, gets a line per checkpoint and every error that
	// makes the store read-only. Not a knob.
	Logger kv.Logger
}

// DefaultOptions returns the defaults: 4 KiB pages, a 256 MiB pool,
// checkpoints every 64 MiB of WAL or 1/8 of the tree's pages released,
// the automatic overflow threshold, no per-write sync and reads through a
// mapping of the pages file.
func DefaultOptions() Options {
	return Options{PageSize: 4 << 10, PoolSize: 256 << 20, CheckpointSize: 64 << 20, ShadowBudget: defaultShadowBudget, Mmap: true}
}

// Knobs returns the options as typed knobs, by the names `--set
// btree.NAME=VALUE` takes: the one table that ParseSettings, Validate and
// `kvlab engines --options` read.
func Knobs() *knob.Set[Options] { return knobs }

var knobs = &knob.Set[Options]{
	Name:     Name,
	Defaults: DefaultOptions,
	Knobs: []knob.Knob[Options]{
		knob.Size("page-size", func(o *Options) *int { return &o.PageSize }, MinPageSize, MaxPageSize,
			"page size, a power of two (fixed at creation)"),
		knob.Size("pool-size", func(o *Options) *int64 { return &o.PoolSize }, 0, 1<<40,
			"buffer pool capacity"),
		knob.Size("checkpoint-size", func(o *Options) *int64 { return &o.CheckpointSize }, 1, 1<<40,
			"WAL bytes after which a checkpoint runs"),
		knob.Float("shadow-budget", func(o *Options) *float64 { return &o.ShadowBudget }, 0, 1,
			"pages released since the last checkpoint, as a fraction of the tree's, after which a checkpoint runs (at least 256 pages; 0 = 1/8, 1 = leave it to checkpoint-size)"),
		knob.Size("overflow-threshold", func(o *Options) *int { return &o.OverflowThreshold }, 0, int64(maxInlineValue(MaxPageSize)),
			"largest inline value; 0 = (page-size-32)/4, at most that; larger values go to overflow pages"),
		knob.Bool("sync", func(o *Options) *bool { return &o.Sync },
			"sync the WAL on every write"),
		knob.Bool("mmap", func(o *Options) *bool { return &o.Mmap },
			"read clean pages through a read-only mapping of the pages file (OS files on Linux); off = pread into the pool"),
	},
	Validate: Options.validatePage,
}

// ParseSettings applies settings by knob name on top of DefaultOptions.
// Sizes take units ("4KiB", "64MiB"); sync takes a boolean. An unknown
// name is an error wrapping knob.ErrUnknown, a bad value one wrapping
// knob.ErrInvalid (and ErrBadOptions when the page size is at fault); both
// name the option.
func ParseSettings(settings map[string]string) (Options, error) {
	return knobs.Parse(settings)
}

// ErrBadOptions is matched by the error Validate and Open return for an
// invalid Options value.
var ErrBadOptions = errors.New("btree: invalid options")

// Validate reports whether the options are usable: each within its knob's
// range, the page size a power of two and the overflow threshold within
// what the page size allows.
func (o Options) Validate() error {
	if err := knobs.Check(o); err != nil {
		return fmt.Errorf("%w: %w", ErrBadOptions, err)
	}
	return o.validatePage()
}

// validatePage checks what depends on the page size.
func (o Options) validatePage() error {
	ps := o.PageSize
	switch {
	case ps < MinPageSize || ps > MaxPageSize || ps&(ps-1) != 0:
		return fmt.Errorf("%w: page size %d is not a power of two from %d to %d", ErrBadOptions, ps, MinPageSize, MaxPageSize)
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

// maxDirtyBudget caps the dirty budget: the garbage collector lets the
// heap grow to about twice what is live (GOGC=100), so the dirty nodes
// cost up to twice their bytes in resident memory, and the cap keeps that
// excess within the pool's documented overhead.
const maxDirtyBudget = 32 << 20

// dirtyBudget returns the heap bytes the dirty nodes may hold before
// writeBack writes the coldest, at least 8 pages: half of PoolSize,
// at most maxDirtyBudget, when clean pages take frames; 3/8 of PoolSize
// when they are read through the mapping (mapped), where the frames stay
// untouched and the dirty nodes, doubled by the heap goal, are what the
// pool size bounds.
func (o Options) dirtyBudget(mapped bool) int64 {
	if mapped {
		return max(8*int64(o.PageSize), o.PoolSize/8*3)
	}
	return max(8*int64(o.PageSize), min(o.PoolSize/2, maxDirtyBudget))
}

// shadowBudget returns ShadowBudget, zero meaning the default.
func (o Options) shadowBudget() float64 {
	if o.ShadowBudget == 0 {
		return defaultShadowBudget
	}
	return o.ShadowBudget
}

// poolFrames returns the frames for clean pages: PoolSize/PageSize, at
// least 16. The dirty budget is not taken out of them: a split fixed at
// Open would leave frames idle whenever little is dirty (a read-only
// phase), and on TestLabCrossover's simulated disk at a fair-sized pool
// that cost the B+tree's scans their lead; a split that follows the dirty
// bytes would lower resident memory only by returning frames to the
// system (madvise) as the dirty set grows, a system call per change.
func (o Options) poolFrames() int {
	return max(16, int(o.PoolSize/int64(o.PageSize)))
}
