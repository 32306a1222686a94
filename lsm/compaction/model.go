package compaction

import (
	"math"

	"github.com/kvlab/kvlab/lsm/manifest"
)

// Model is what the textbook cost model predicts for leveled compaction.
type Model struct {
	// Levels is the number of levels below L0 that a store of liveBytes
	// needs: the smallest n whose level capacity
	// L1TargetSize × LevelRatio^(n-1) holds liveBytes (at most 6).
	Levels int
	// WriteAmp is the bytes written to files per byte the user writes.
	WriteAmp float64
	// ReadAmpPerGet is the expected number of tables whose data block a Get
	// of a present key reads (cache misses assumed).
	ReadAmpPerGet float64
	// ReadAmpPerMiss is the same for a Get of an absent key: only Bloom
	// filter false positives read a block.
	ReadAmpPerMiss float64
	// SpaceAmp is the bytes of table files per live byte.
	SpaceAmp float64
}

// Predict applies the textbook model of leveled compaction to a store of
// liveBytes of live data under uniformly random overwrites, with memtables
// of memtableSize bytes and Bloom filters of bloomBitsPerKey bits per key.
//
// Level sizes. With n = Levels, the last level holds everything once
// (S_n = liveBytes) and every level above it is at its target
// (S_i = L1TargetSize × LevelRatio^(i-1)), as leveled compaction keeps it.
//
// Write amplification is the sum of what each step writes per user byte:
//
//	WriteAmp = 1                    the WAL
//	         + 1                    the flush to L0
//	         + (1 + S_1 / B_0)      L0 -> L1, where B_0 = L0CompactionThreshold × memtableSize:
//	                                 each batch of L0 tables is merged with all of L1
//	                                 (random keys make every table span the key space)
//	         + Σ_{i=1}^{n-1} (1 + r_i / 2)   Li -> Li+1, r_i = S_{i+1} / S_i
//
// A table moved from Li overlaps about r_i tables' worth of Li+1 if Li is
// spread evenly, but the round-robin cursor takes the table where Li is
// densest (the region compacted longest ago), which overlaps about half as
// much: the rule of thumb of (ratio+1)/2 to ratio+1 bytes per level. With a
// full level r_i = LevelRatio, so each full level costs about
// 1 + LevelRatio/2 (6 for the default 10). The model ignores deduplication
// of overwrites above the last level (small when liveBytes is much larger
// than L1TargetSize), tombstones, and the start-up phase before the levels
// fill: a store written only a few times over its size measures less.
//
// Read amplification: a Get probes the L0 tables (L0CompactionThreshold/2 on
// average) and one table per level below. A Bloom filter with b bits per key
// lets a table that lacks the key through with probability
// fpr = 0.6185^b (optimal hash count; fpr = 1 without filters), so a Get of a
// present key found in the last table probed reads
// 1 + (probes - 1) × fpr data blocks.
//
// Space amplification: (Σ S_i + the average L0, half the threshold's worth of
// memtables) / liveBytes — upper levels hold mostly stale versions of keys
// the last level also holds.
//
// TestPredictMatchesSimulation checks the model against Simulate.
func Predict(o Options, liveBytes uint64, memtableSize uint64, bloomBitsPerKey int) Model {
	o = o.WithDefaults()
	live := math.Max(float64(liveBytes), 1)
	n := 1
	for n < manifest.NumLevels-1 && levelCapacity(n, o) < live {
		n++
	}
	sizes := make([]float64, n+1) // sizes[i] = S_i
	for i := 1; i < n; i++ {
		sizes[i] = levelCapacity(i, o)
	}
	sizes[n] = live

	b0 := float64(o.L0CompactionThreshold) * math.Max(float64(memtableSize), 1)
	wa := 1 + 1 + (1 + sizes[1]/b0)
	for i := 1; i < n; i++ {
		wa += 1 + sizes[i+1]/sizes[i]/2
	}

	fpr := 1.0
	if bloomBitsPerKey > 0 {
		fpr = math.Pow(0.6185, float64(bloomBitsPerKey))
	}
	probes := float64(o.L0CompactionThreshold)/2 + float64(n)
	ra := 1 + (probes-1)*fpr

	space := b0 / 2
	for _, s := range sizes[1:] {
		space += s
	}
	return Model{Levels: n, WriteAmp: wa, ReadAmpPerGet: ra, ReadAmpPerMiss: probes * fpr, SpaceAmp: space / live}
}
