package compaction

import (
	"fmt"
	"math"

	"github.com/kvlab/kvlab/lsm/manifest"
)

// Options are the leveled-compaction knobs.
type Options struct {
	// L0CompactionThreshold is the number of L0 tables that makes L0's score
	// reach 1 and triggers an L0 -> L1 compaction. Default 4.
	L0CompactionThreshold int
	// L1TargetSize is the size L1 is kept under. Default 64 MiB.
	L1TargetSize uint64
	// LevelRatio is how much larger each level's target is than the one
	// above it. Default 10.
	LevelRatio float64
	// TargetFileSize is the size at which a compaction's output is split
	// into a new table; the same for every level. Default 8 MiB.
	TargetFileSize uint64
}

// Defaults.
const (
	DefaultL0CompactionThreshold = 4
	DefaultL1TargetSize          = 64 << 20
	DefaultLevelRatio            = 10
	DefaultTargetFileSize        = 8 << 20
)

// DefaultOptions returns the default options.
func DefaultOptions() Options {
	return Options{
		L0CompactionThreshold: DefaultL0CompactionThreshold,
		L1TargetSize:          DefaultL1TargetSize,
		LevelRatio:            DefaultLevelRatio,
		TargetFileSize:        DefaultTargetFileSize,
	}
}

// WithDefaults returns o with every zero field set to its default.
func (o Options) WithDefaults() Options {
	d := DefaultOptions()
	if o.L0CompactionThreshold == 0 {
		o.L0CompactionThreshold = d.L0CompactionThreshold
	}
	if o.L1TargetSize == 0 {
		o.L1TargetSize = d.L1TargetSize
	}
	if o.LevelRatio == 0 {
		o.LevelRatio = d.LevelRatio
	}
	if o.TargetFileSize == 0 {
		o.TargetFileSize = d.TargetFileSize
	}
	return o
}

// Validate reports an option out of range: a threshold below 1, a ratio
// below 2 (or not finite), or a zero size.
func (o Options) Validate() error {
	switch {
	case o.L0CompactionThreshold < 1:
		return fmt.Errorf("compaction: L0CompactionThreshold %d must be at least 1", o.L0CompactionThreshold)
	case o.L1TargetSize == 0:
		return fmt.Errorf("compaction: L1TargetSize must be positive")
	case !(o.LevelRatio >= 2) || math.IsInf(o.LevelRatio, 0):
		return fmt.Errorf("compaction: LevelRatio %v must be a finite number of at least 2", o.LevelRatio)
	case o.TargetFileSize == 0:
		return fmt.Errorf("compaction: TargetFileSize must be positive")
	}
	return nil
}

// TargetSize returns the size level is kept under: L1TargetSize for L1,
// multiplied by LevelRatio for each level below. L0 has no size target (its
// trigger is a table count) and the last level none either (nothing is
// below it): both return 0.
func TargetSize(level int, o Options) uint64 {
	if level <= 0 || level >= manifest.NumLevels-1 {
		return 0
	}
	t := float64(o.L1TargetSize) * math.Pow(o.LevelRatio, float64(level-1))
	if t >= math.MaxUint64 {
		return math.MaxUint64
	}
	return uint64(t)
}

// levelCapacity is TargetSize without the last-level exception, for the cost
// model: how much a level may hold before it spills downwards.
func levelCapacity(level int, o Options) float64 {
	return float64(o.L1TargetSize) * math.Pow(o.LevelRatio, float64(level-1))
}

// maxGrandparentOverlap is how many bytes of the level below its output an
// output table may overlap before it is split (LevelDB: 10 target files), and
// how much a trivially moved table may overlap.
func maxGrandparentOverlap(o Options) uint64 { return 10 * o.TargetFileSize }

// Scores returns each level's compaction score: a level with a score of 1 or
// more needs compacting, and the highest score goes first.
//
//   - L0: the larger of (number of tables / L0CompactionThreshold) and
//     (L0 bytes / (L0CompactionThreshold × L1TargetSize)), so that a few
//     huge flushes (memtables larger than L1's target) count too.
//   - L1..L5: level size / TargetSize(level).
//   - L6, the last level: 0 (there is nowhere to compact it to).
func Scores(v *manifest.Version, o Options) [manifest.NumLevels]float64 {
	var s [manifest.NumLevels]float64
	s[0] = float64(v.NumFiles(0)) / float64(o.L0CompactionThreshold)
	s[0] = max(s[0], float64(v.LevelSize(0))/(float64(o.L0CompactionThreshold)*float64(o.L1TargetSize)))
	for level := 1; level < manifest.NumLevels-1; level++ {
		s[level] = float64(v.LevelSize(level)) / float64(TargetSize(level, o))
	}
	return s
}
