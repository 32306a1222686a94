package lsm

import (
	"fmt"

	"github.com/kvlab/kvlab/knob"
	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/sstable"
)

// Options configure a DB. Start from DefaultOptions; Open validates them and
// refuses values out of range with an error naming the option. Each field
// is a knob of Knobs, named in parentheses below.
type Options struct {
	// MemtableSize is the size at which the active memtable becomes
	// immutable and a new WAL and memtable take over (memtable-size).
	MemtableSize int64
	// MaxImmutableMemtables is how many full memtables may wait for their
	// flush before writes stop (max-immutable-memtables).
	MaxImmutableMemtables int
	// L0CompactionTrigger is the number of L0 tables that makes L0 the
	// compaction candidate (l0-compaction-trigger).
	L0CompactionTrigger int
	// L0SlowdownTrigger is the number of L0 tables at which each write is
	// delayed by a millisecond, to let compaction catch up
	// (l0-slowdown-trigger).
	L0SlowdownTrigger int
	// L0StopTrigger is the number of L0 tables at which writes wait until
	// compaction brings the count down (l0-stop-trigger).
	L0StopTrigger int
	// L1TargetSize is the target size of L1; level n+1's target is
	// LevelRatio times level n's (l1-target-size).
	L1TargetSize int64
	// LevelRatio is the size ratio between adjacent levels (level-ratio).
	LevelRatio float64
	// TargetFileSize is the size at which compaction closes an output
	// table (target-file-size).
	TargetFileSize int64
	// BlockSize, RestartInterval, BloomBitsPerKey and Compression configure
	// the tables written (block-size, restart-interval, bloom-bits,
	// compression).
	BlockSize       int
	RestartInterval int
	BloomBitsPerKey int
	Compression     bool
	// BlockCacheSize is the size of the block cache shared by all tables;
	// 0 disables it (block-cache).
	BlockCacheSize int64
	// Sync makes every write synchronous, as if each Write had
	// WriteOptions.Sync (sync).
	Sync bool
	// MaxManifestSize is the manifest size at which it is rewritten from a
	// snapshot of the tree (max-manifest-size).
	MaxManifestSize int64

	// ReadOnly opens an existing store without creating, writing,
	// renaming or removing any file: the WALs are replayed into memory
	// (not flushed), no background flush or compaction runs, writes
	// return kv.ErrReadOnly and Close writes nothing. The LOCK file is
	// taken only if it exists. There must be a store (kv.ErrNoStore).
	// Not a knob: a mode of Open.
	ReadOnly bool
	// MustExist makes Open fail with an error wrapping kv.ErrNoStore when
	// the directory holds no store, instead of creating one. Not a knob.
	MustExist bool
	// EventListener, if not nil, is told of flushes, compactions, write
	// stalls, WAL rotations, Checkpoint copies and background errors (see
	// kv.EventListener). Not a knob.
	EventListener *kv.EventListener
	// Logger, if not nil, gets a line per flush and compaction and every
	// background error. Not a knob.
	Logger kv.Logger
}

// DefaultOptions returns the defaults, as Knobs lists them.
func DefaultOptions() Options {
	return Options{
		MemtableSize:          64 << 20,
		MaxImmutableMemtables: 2,
		L0CompactionTrigger:   4,
		L0SlowdownTrigger:     8,
		L0StopTrigger:         12,
		L1TargetSize:          64 << 20,
		LevelRatio:            10,
		TargetFileSize:        8 << 20,
		BlockSize:             sstable.DefaultBlockSize,
		RestartInterval:       sstable.DefaultRestartInterval,
		BloomBitsPerKey:       sstable.DefaultBloomBitsPerKey,
		Compression:           true,
		BlockCacheSize:        8 << 20,
		MaxManifestSize:       4 << 20,
	}
}

// Knobs returns the options as typed knobs, by the names `--set
// lsm.NAME=VALUE` takes: the one table that ParseSettings, Validate and
// `kvlab engines --options` read.
func Knobs() *knob.Set[Options] { return knobs }

var knobs = &knob.Set[Options]{
	Name:     Name,
	Defaults: DefaultOptions,
	Knobs: []knob.Knob[Options]{
		knob.Size("memtable-size", func(o *Options) *int64 { return &o.MemtableSize }, 64<<10, 1<<30,
			"memtable size at which it is frozen and flushed to an L0 table"),
		knob.Count("max-immutable-memtables", func(o *Options) *int { return &o.MaxImmutableMemtables }, 1, 64,
			"full memtables that may await their flush before writes stop"),
		knob.Count("l0-compaction-trigger", func(o *Options) *int { return &o.L0CompactionTrigger }, 1, 1000,
			"L0 tables that trigger an L0 -> L1 compaction"),
		knob.Count("l0-slowdown-trigger", func(o *Options) *int { return &o.L0SlowdownTrigger }, 1, 1000,
			"L0 tables at which each write is delayed by 1ms"),
		knob.Count("l0-stop-trigger", func(o *Options) *int { return &o.L0StopTrigger }, 1, 1000,
			"L0 tables at which writes stop until compaction catches up"),
		knob.Size("l1-target-size", func(o *Options) *int64 { return &o.L1TargetSize }, 64<<10, 1<<40,
			"target size of L1; each deeper level is level-ratio times larger"),
		knob.Float("level-ratio", func(o *Options) *float64 { return &o.LevelRatio }, 2, 1000,
			"size ratio between adjacent levels"),
		knob.Size("target-file-size", func(o *Options) *int64 { return &o.TargetFileSize }, 16<<10, 4<<30,
			"size at which compaction closes an output table"),
		knob.Size("block-size", func(o *Options) *int { return &o.BlockSize }, 256, 4<<20,
			"uncompressed size of sstable data blocks"),
		knob.Count("restart-interval", func(o *Options) *int { return &o.RestartInterval }, 1, 1<<16,
			"entries between restart points in a data block"),
		knob.Count("bloom-bits", func(o *Options) *int { return &o.BloomBitsPerKey }, 0, 64,
			"bloom filter bits per key; 0 writes no filter"),
		knob.Enum("compression", func(o *Options) *bool { return &o.Compression }, []knob.Choice[bool]{
			{Name: "snappy", Value: true, Aliases: []string{"true", "on"}},
			{Name: "none", Value: false, Aliases: []string{"false", "off"}},
		}, "block compression"),
		knob.Size("block-cache", func(o *Options) *int64 { return &o.BlockCacheSize }, 0, 1<<40,
			"block cache shared by all tables; 0 disables it"),
		knob.Bool("sync", func(o *Options) *bool { return &o.Sync },
			"sync the WAL on every write, as if each had WriteOptions.Sync"),
		knob.Size("max-manifest-size", func(o *Options) *int64 { return &o.MaxManifestSize }, 1<<10, 1<<30,
			"manifest size at which it is rewritten from a snapshot"),
	},
	Validate: Options.validateTriggers,
}

// ParseSettings applies settings (knob names, values with units such as
// "64MiB" or "true") on top of DefaultOptions. An unknown name is an error
// wrapping knob.ErrUnknown, a bad value one wrapping knob.ErrInvalid; both
// name the option.
func ParseSettings(settings map[string]string) (Options, error) {
	return knobs.Parse(settings)
}

// Validate checks every option against its knob's range and the L0
// triggers against each other.
func (o Options) Validate() error {
	if err := knobs.Check(o); err != nil {
		return err
	}
	return o.validateTriggers()
}

// validateTriggers checks that the L0 triggers rise: compaction, then
// slowdown, then stop.
func (o Options) validateTriggers() error {
	if o.L0SlowdownTrigger < o.L0CompactionTrigger {
		return fmt.Errorf("lsm: option l0-slowdown-trigger (%d) is below l0-compaction-trigger (%d)", o.L0SlowdownTrigger, o.L0CompactionTrigger)
	}
	if o.L0StopTrigger < o.L0SlowdownTrigger {
		return fmt.Errorf("lsm: option l0-stop-trigger (%d) is below l0-slowdown-trigger (%d)", o.L0StopTrigger, o.L0SlowdownTrigger)
	}
	return nil
}

func (o Options) writerOptions() sstable.WriterOptions {
	w := sstable.WriterOptions{
		BlockSize:       o.BlockSize,
		RestartInterval: o.RestartInterval,
		BloomBitsPerKey: o.BloomBitsPerKey,
		Compression:     sstable.SnappyCompression,
	}
	if !o.Compression {
		w.Compression = sstable.NoCompression
	}
	return w
}
