package compaction

import (
	"bytes"
	"sort"

	"github.com/kvlab/kvlab/lsm/manifest"
)

// IsBaseLevelForKey reports whether no level below c.OutputLevel holds a
// table whose user-key range contains ukey in v (the version the job was
// picked from). Then nothing older than the job's data can exist for ukey,
// and the executor may drop a tombstone for it that no snapshot needs.
// Tables of L0 outside the job hold only newer data (see Picker), so they do
// not matter.
func (c *Compaction) IsBaseLevelForKey(v *manifest.Version, ukey []byte) bool {
	for level := c.OutputLevel + 1; level < manifest.NumLevels; level++ {
		tables := v.Levels[level]
		i := sort.Search(len(tables), func(i int) bool {
			return bytes.Compare(tables[i].LargestUser(), ukey) >= 0
		})
		if i < len(tables) && bytes.Compare(tables[i].SmallestUser(), ukey) <= 0 {
			return false
		}
	}
	return true
}

// Splitter decides where the executor ends one output table and starts the
// next. A Splitter serves one compaction and is not safe for concurrent use.
type Splitter struct {
	grandparents []*manifest.TableMeta
	targetSize   uint64
	maxOverlap   uint64

	gpIndex  int    // first grandparent whose largest key is >= the last key
	overlap  uint64 // grandparent bytes the current output overlaps
	prevKey  []byte // the last user key seen
	seenKeys bool
}

// NewSplitter returns the splitter for the job's output.
func (c *Compaction) NewSplitter(o Options) *Splitter {
	o = o.WithDefaults()
	return &Splitter{
		grandparents: c.Grandparents,
		targetSize:   o.TargetFileSize,
		maxOverlap:   maxGrandparentOverlap(o),
	}
}

// ShouldSplit is called with the user key of every entry the job outputs,
// in order, before the entry is added, and with the size of the output table
// under construction (0 when none has been started). It reports whether the
// current table must be finished and the entry start a new one: when the
// table has reached TargetFileSize, or when it would overlap more than ten
// target files' worth of grandparent bytes (LevelDB's rule, so that a later
// compaction of this table into the next level stays small).
//
// It never splits between two entries of the same user key, so that every
// version of a key stays in one table: a level's tables must not share a
// user key (manifest.Version).
func (s *Splitter) ShouldSplit(ukey []byte, currentSize uint64) bool {
	sameKey := s.seenKeys && bytes.Equal(ukey, s.prevKey)
	// Advance over the grandparents that end before ukey, counting the bytes
	// the current output has now passed.
	for s.gpIndex < len(s.grandparents) && bytes.Compare(ukey, s.grandparents[s.gpIndex].LargestUser()) > 0 {
		if s.seenKeys {
			s.overlap += s.grandparents[s.gpIndex].Size
		}
		s.gpIndex++
	}
	first := !s.seenKeys
	s.seenKeys = true
	if !sameKey {
		s.prevKey = append(s.prevKey[:0], ukey...)
	}
	if first || sameKey || currentSize == 0 {
		return false
	}
	if currentSize >= s.targetSize || s.overlap > s.maxOverlap {
		s.overlap = 0
		return true
	}
	return false
}
