package peers

import (
	"fmt"

	"github.com/kvlab/kvlab"
	"github.com/kvlab/kvlab/knob"
	"github.com/kvlab/kvlab/vfs"
)

// LSMOptions are the options of the LSM peers, pebble and goleveldb (and,
// within BadgerOptions, badger): the knobs kvlab's lsm has too, under the
// same names and with its defaults, so that a comparison changes one
// setting on both sides. Start from DefaultLSMOptions.
type LSMOptions struct {
	// MemtableSize is the memtable size in bytes (memtable-size).
	MemtableSize int64
	// L0CompactionTrigger is the number of L0 tables that triggers a
	// compaction (l0-compaction-trigger).
	L0CompactionTrigger int
	// BloomBits is the Bloom filter's bits per key; 0 means no filter
	// (bloom-bits).
	BloomBits int
	// BlockSize is the table data block size in bytes (block-size).
	BlockSize int
	// BlockCache is the block cache size in bytes; 0 means none
	// (block-cache).
	BlockCache int64
	// Compression is "snappy" or "none"; badger also takes "zstd"
	// (compression).
	Compression string
}

// DefaultLSMOptions returns kvlab's lsm defaults: a 64 MiB memtable,
// compaction at 4 L0 tables, 10 bloom bits per key, 4 KiB blocks, an 8 MiB
// block cache and snappy.
func DefaultLSMOptions() LSMOptions {
	return LSMOptions{
		MemtableSize: 64 << 20, L0CompactionTrigger: 4, BloomBits: 10,
		BlockSize: 4 << 10, BlockCache: 8 << 20, Compression: "snappy",
	}
}

// lsmKnobs declares the knobs the LSM peers share, bound to the LSMOptions
// within T that at returns. docs are the engine's own, by knob name;
// compressions are the compression names it takes.
func lsmKnobs[T any](at func(*T) *LSMOptions, docs map[string]string, compressions ...string) []knob.Knob[T] {
	choices := make([]knob.Choice[string], len(compressions))
	for i, c := range compressions {
		choices[i] = knob.Choice[string]{Name: c, Value: c}
	}
	return []knob.Knob[T]{
		knob.Size("memtable-size", func(o *T) *int64 { return &at(o).MemtableSize }, 1<<20, 2<<30, docs["memtable-size"]),
		knob.Count("l0-compaction-trigger", func(o *T) *int { return &at(o).L0CompactionTrigger }, 1, 1000, docs["l0-compaction-trigger"]),
		knob.Count("bloom-bits", func(o *T) *int { return &at(o).BloomBits }, 0, 64, docs["bloom-bits"]),
		knob.Size("block-size", func(o *T) *int { return &at(o).BlockSize }, 256, 1<<20, docs["block-size"]),
		knob.Size("block-cache", func(o *T) *int64 { return &at(o).BlockCache }, 0, 1<<40, docs["block-cache"]),
		knob.Enum("compression", func(o *T) *string { return &at(o).Compression }, choices, docs["compression"]),
	}
}

// self is the LSMOptions accessor of an LSMOptions.
func self(o *LSMOptions) *LSMOptions { return o }

// engineOptions returns the typed options kvlab.Open resolved for the
// engine (kvlab.EngineInfo.Open's contract), refusing an in-memory vfs:
// the peers use the operating system's files.
func engineOptions[T any](engine string, o kvlab.Options) (T, error) {
	var opts T
	if _, mem := o.FS.(*vfs.MemFS); mem {
		return opts, fmt.Errorf("peers: %s uses the operating system's files and cannot run on an in-memory vfs", engine)
	}
	opts, ok := o.Engine.(T)
	if !ok {
		return opts, fmt.Errorf("peers: %s: options of type %T, want %T (open the engine with kvlab.Open)", engine, o.Engine, opts)
	}
	return opts, nil
}
