package kvlab

import (
	"github.com/kvlab/kvlab/internal/units"
	"github.com/kvlab/kvlab/knob"
)

// The fair-sizing rule: how much of the data an engine's memory may hold
// when the benchmark scales it to a small data size, the same for every
// engine.
const (
	// WriteBufferShare: a write buffer (a memtable, the WAL between
	// B+tree checkpoints) holds 1/WriteBufferShare of the data, so that a
	// load fills it many times.
	WriteBufferShare = 16
	// CacheShare: a cache (a block cache, a buffer pool) holds
	// 1/CacheShare of the data, so that most reads of a uniform workload
	// miss it and reach the files, as they do on a store much larger than
	// memory.
	CacheShare = 8
	// MinScaled is the least a scaled knob is given, so that a tiny run
	// still has a working write buffer and cache.
	MinScaled = 256 << 10
)

// ScaleToData returns a Sizing function (EngineInfo.Sizing) for an engine
// whose knob table is table: each size knob named in shares gets
// 1/share of the data (WriteBufferShare for write buffers, CacheShare for
// caches, a multiple of them for what the engine ties to its write buffer,
// such as the LSM's L1 target), rounded down to a whole KiB, at least
// MinScaled and within the knob's range. A knob whose default is already
// no larger than its share is left out, so that a large data size changes
// nothing.
func ScaleToData(table knob.Table, shares map[string]int64) func(dataBytes int64) map[string]string {
	infos := map[string]knob.Info{}
	for _, k := range table.Describe() {
		infos[k.Name] = k
	}
	return func(dataBytes int64) map[string]string {
		out := map[string]string{}
		for name, share := range shares {
			k, ok := infos[name]
			if !ok || k.Kind != knob.KindSize || share <= 0 {
				continue
			}
			def, err := units.ParseSize(k.Default)
			if err != nil {
				continue
			}
			v := dataBytes / share &^ 1023
			v = max(v, MinScaled, int64(k.Min))
			if k.Max > 0 {
				v = min(v, int64(k.Max))
			}
			if v < def {
				out[name] = units.FormatSizeExact(v)
			}
		}
		if len(out) == 0 {
			return nil
		}
		return out
	}
}
