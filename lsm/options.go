package lsm

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/kvlab/kvlab/internal/units"
	"github.com/kvlab/kvlab/sstable"
)

// Options configure a DB. Start from DefaultOptions; Open validates them and
// refuses values out of range with an error naming the option.
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
}

// DefaultOptions returns the defaults listed by Settings.
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

// Setting documents one option by its CLI name (`--set lsm.NAME=VALUE`).
type Setting struct {
	Name, Default, Doc string
}

type settingKind int

const (
	kindSize settingKind = iota
	kindCount
	kindFloat
	kindBool
	kindCompression
)

type settingDef struct {
	Setting
	kind   settingKind
	lo, hi float64
	field  func(*Options) any
}

var settingDefs = []settingDef{
	{Setting{"memtable-size", "64MiB", "memtable size at which it is frozen and flushed to an L0 table (at most 1GiB)"}, kindSize, 64 << 10, 1 << 30,
		func(o *Options) any { return &o.MemtableSize }},
	{Setting{"max-immutable-memtables", "2", "full memtables that may await their flush before writes stop"}, kindCount, 1, 64,
		func(o *Options) any { return &o.MaxImmutableMemtables }},
	{Setting{"l0-compaction-trigger", "4", "L0 tables that trigger an L0 -> L1 compaction"}, kindCount, 1, 1000,
		func(o *Options) any { return &o.L0CompactionTrigger }},
	{Setting{"l0-slowdown-trigger", "8", "L0 tables at which each write is delayed by 1ms"}, kindCount, 1, 1000,
		func(o *Options) any { return &o.L0SlowdownTrigger }},
	{Setting{"l0-stop-trigger", "12", "L0 tables at which writes stop until compaction catches up"}, kindCount, 1, 1000,
		func(o *Options) any { return &o.L0StopTrigger }},
	{Setting{"l1-target-size", "64MiB", "target size of L1; each deeper level is level-ratio times larger"}, kindSize, 64 << 10, 1 << 40,
		func(o *Options) any { return &o.L1TargetSize }},
	{Setting{"level-ratio", "10", "size ratio between adjacent levels"}, kindFloat, 2, 1000,
		func(o *Options) any { return &o.LevelRatio }},
	{Setting{"target-file-size", "8MiB", "size at which compaction closes an output table"}, kindSize, 16 << 10, 4 << 30,
		func(o *Options) any { return &o.TargetFileSize }},
	{Setting{"block-size", "4KiB", "uncompressed size of sstable data blocks"}, kindSize, 256, 4 << 20,
		func(o *Options) any { return &o.BlockSize }},
	{Setting{"restart-interval", "16", "entries between restart points in a data block"}, kindCount, 1, 1 << 16,
		func(o *Options) any { return &o.RestartInterval }},
	{Setting{"bloom-bits", "10", "bloom filter bits per key; 0 writes no filter"}, kindCount, 0, 64,
		func(o *Options) any { return &o.BloomBitsPerKey }},
	{Setting{"compression", "snappy", "block compression: snappy or none"}, kindCompression, 0, 0,
		func(o *Options) any { return &o.Compression }},
	{Setting{"block-cache", "8MiB", "block cache shared by all tables; 0 disables it"}, kindSize, 0, 1 << 40,
		func(o *Options) any { return &o.BlockCacheSize }},
	{Setting{"sync", "false", "sync the WAL on every write, as if each had WriteOptions.Sync"}, kindBool, 0, 0,
		func(o *Options) any { return &o.Sync }},
	{Setting{"max-manifest-size", "4MiB", "manifest size at which it is rewritten from a snapshot"}, kindSize, 1 << 10, 1 << 30,
		func(o *Options) any { return &o.MaxManifestSize }},
}

// Settings lists the options by CLI name with their defaults.
func Settings() []Setting {
	out := make([]Setting, len(settingDefs))
	for i, d := range settingDefs {
		out[i] = d.Setting
	}
	return out
}

// ParseSettings applies settings (CLI names, values with units such as
// "64MiB" or "true") on top of DefaultOptions. An unknown name or a bad
// value is an error naming it.
func ParseSettings(settings map[string]string) (Options, error) {
	o := DefaultOptions()
	names := make([]string, 0, len(settings))
	for n := range settings {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		i := slices.IndexFunc(settingDefs, func(d settingDef) bool { return d.Name == name })
		if i < 0 {
			return o, fmt.Errorf("lsm: unknown option %q (known: %s)", name, strings.Join(settingNames(), ", "))
		}
		if err := settingDefs[i].set(&o, settings[name]); err != nil {
			return o, fmt.Errorf("lsm: option %s: %w", name, err)
		}
	}
	return o, o.Validate()
}

func settingNames() []string {
	var out []string
	for _, d := range settingDefs {
		out = append(out, d.Name)
	}
	return out
}

func (d settingDef) set(o *Options, s string) error {
	switch p := d.field(o).(type) {
	case *int64:
		v, err := d.parseInt(s)
		if err != nil {
			return err
		}
		*p = v
	case *int:
		v, err := d.parseInt(s)
		if err != nil {
			return err
		}
		if v > 1<<31 {
			return fmt.Errorf("%s is too large", s)
		}
		*p = int(v)
	case *float64:
		var v float64
		if _, err := fmt.Sscan(strings.TrimSpace(s), &v); err != nil {
			return fmt.Errorf("%q is not a number", s)
		}
		*p = v
	case *bool:
		if d.kind == kindCompression {
			switch strings.ToLower(strings.TrimSpace(s)) {
			case "snappy", "true", "on":
				*p = true
			case "none", "false", "off":
				*p = false
			default:
				return fmt.Errorf("%q is not one of snappy, none", s)
			}
			return nil
		}
		v, err := units.ParseBool(s)
		if err != nil {
			return err
		}
		*p = v
	}
	return nil
}

// parseInt parses a size ("64MiB") or a count ("1k").
func (d settingDef) parseInt(s string) (int64, error) {
	if d.kind == kindSize {
		return units.ParseSize(s)
	}
	return units.ParseCount(s)
}

// Validate checks every option against its range and the options against
// each other.
func (o Options) Validate() error {
	for _, d := range settingDefs {
		var v float64
		switch p := d.field(&o).(type) {
		case *int64:
			v = float64(*p)
		case *int:
			v = float64(*p)
		case *float64:
			v = *p
		default:
			continue
		}
		if !(v >= d.lo && v <= d.hi) { // NaN too
			return fmt.Errorf("lsm: option %s: %v is out of range [%v, %v]", d.Name, v, d.lo, d.hi)
		}
	}
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
