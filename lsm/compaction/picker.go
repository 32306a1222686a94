package compaction

import (
	"bytes"
	"fmt"
	"slices"
	"sort"
	"sync"

	"github.com/kvlab/kvlab/lsm/manifest"
)

// Compaction describes one compaction job: merge Inputs (from Level) with
// Overlapping (the overlapping tables of OutputLevel) into new tables of
// OutputLevel, or, for a TrivialMove, relink the one input to OutputLevel.
type Compaction struct {
	// Level is the level compacted; OutputLevel = Level + 1.
	Level, OutputLevel int
	// Inputs are the tables taken from Level. For L0: every L0 table
	// overlapping the chosen range, expanded until no other L0 table
	// overlaps it; in L0 order (newest first). For L1 and below: one table.
	Inputs []*manifest.TableMeta
	// Overlapping are the tables of OutputLevel that overlap the inputs'
	// range: the job's second set of inputs, rewritten with Inputs.
	Overlapping []*manifest.TableMeta
	// Grandparents are the tables of OutputLevel+1 overlapping the whole
	// compaction's range: the splitter cuts output tables so that none
	// overlaps too many of them, which keeps future compactions small.
	Grandparents []*manifest.TableMeta
	// TrivialMove reports a job that needs no merge: one input, nothing
	// overlapping in OutputLevel and few grandparent bytes. The executor
	// writes an edit deleting the table from Level and adding it to
	// OutputLevel.
	TrivialMove bool
	// Score is the score of Level when the job was picked.
	Score float64
	// Smallest and Largest are the user-key range covered by inputs and
	// outputs, both inclusive.
	Smallest, Largest []byte
}

// InputBytes returns the total size of Inputs and Overlapping: what the job
// reads.
func (c *Compaction) InputBytes() uint64 {
	var n uint64
	for _, t := range c.Inputs {
		n += t.Size
	}
	for _, t := range c.Overlapping {
		n += t.Size
	}
	return n
}

// Tables returns every table the job reads: Inputs then Overlapping.
func (c *Compaction) Tables() []*manifest.TableMeta {
	return append(slices.Clone(c.Inputs), c.Overlapping...)
}

// String summarizes the job, e.g. "L0->L1 [3 + 2 tables, 12.0 MiB] score 1.25".
func (c *Compaction) String() string {
	kind := ""
	if c.TrivialMove {
		kind = " trivial move"
	}
	return fmt.Sprintf("L%d->L%d [%d + %d tables, %d bytes] score %.2f%s",
		c.Level, c.OutputLevel, len(c.Inputs), len(c.Overlapping), c.InputBytes(), c.Score, kind)
}

// Picker chooses compactions. It is a pure policy over a Version: it does
// no I/O and holds only the round-robin cursor of each level (the largest
// user key of the level's last compaction, LevelDB's compact pointer), so
// that successive compactions of a level sweep its key space.
//
// A Picker is safe for concurrent use.
type Picker struct {
	opts Options

	mu     sync.Mutex
	cursor [manifest.NumLevels][]byte
}

// NewPicker returns a picker for o (zero fields take their defaults).
func NewPicker(o Options) *Picker { return &Picker{opts: o.WithDefaults()} }

// Options returns the picker's options.
func (p *Picker) Options() Options { return p.opts }

// Cursor returns level's round-robin cursor: the largest user key of its
// last compaction, nil before the first.
func (p *Picker) Cursor(level int) []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.cursor[level])
}

// Pick returns the compaction for the level with the highest score of at
// least 1, or nil when no level needs one. busy reports tables already being
// compacted (nil means none): a job never includes a busy table, so when the
// best level's candidates are all blocked, Pick tries the next level by
// score. Two jobs Pick returns while the first is still busy never overlap
// in the levels they write.
func (p *Picker) Pick(v *manifest.Version, busy func(fileNum uint64) bool) *Compaction {
	if busy == nil {
		busy = func(uint64) bool { return false }
	}
	scores := Scores(v, p.opts)
	levels := make([]int, 0, manifest.NumLevels)
	for level, s := range scores {
		if s >= 1 {
			levels = append(levels, level)
		}
	}
	sort.SliceStable(levels, func(i, j int) bool { return scores[levels[i]] > scores[levels[j]] })

	p.mu.Lock()
	defer p.mu.Unlock()
	for _, level := range levels {
		if c := p.pickLocked(v, level, scores[level], busy); c != nil {
			return c
		}
	}
	return nil
}

// PickLevel returns a compaction of level regardless of its score (for
// manual compaction and tests), or nil when level is empty, is the last
// level, or has only busy candidates.
func (p *Picker) PickLevel(v *manifest.Version, level int, busy func(fileNum uint64) bool) *Compaction {
	if busy == nil {
		busy = func(uint64) bool { return false }
	}
	if level < 0 || level >= manifest.NumLevels-1 {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.pickLocked(v, level, Scores(v, p.opts)[level], busy)
}

// pickLocked returns a job for level and advances the level's cursor past
// it, or returns nil.
func (p *Picker) pickLocked(v *manifest.Version, level int, score float64, busy func(uint64) bool) *Compaction {
	var c *Compaction
	if level == 0 {
		c = p.pickL0(v, busy)
	} else {
		c = p.pickLevel(v, level, busy)
	}
	if c != nil {
		c.Score = score
		p.cursor[level] = slices.Clone(c.Largest)
	}
	return c
}

// pickL0 tries seeds from the oldest L0 table to the newest: the seed's range
// is widened to the closure of overlapping L0 tables (so that no L0 table
// left behind holds an older version of a key that moves down), and the
// first closure that, with its L1 overlap, holds no busy table is the job.
func (p *Picker) pickL0(v *manifest.Version, busy func(uint64) bool) *Compaction {
	l0 := v.Levels[0]
	tried := map[uint64]bool{}
	for i := len(l0) - 1; i >= 0; i-- {
		seed := l0[i]
		if tried[seed.FileNum] || busy(seed.FileNum) {
			continue
		}
		lo, hi := seed.SmallestUser(), seed.LargestUser()
		var inputs []*manifest.TableMeta
		for {
			inputs = v.Overlaps(0, lo, hi)
			nlo, nhi := keyRange(inputs)
			if bytes.Equal(nlo, lo) && bytes.Equal(nhi, hi) {
				break
			}
			lo, hi = nlo, nhi
		}
		for _, t := range inputs {
			tried[t.FileNum] = true
		}
		if anyBusy(inputs, busy) {
			continue
		}
		if c := p.build(v, 0, inputs, busy); c != nil {
			return c
		}
	}
	return nil
}

// pickLevel takes one table of level, the first after the level's cursor
// (wrapping around) whose job holds no busy table.
func (p *Picker) pickLevel(v *manifest.Version, level int, busy func(uint64) bool) *Compaction {
	tables := v.Levels[level]
	if len(tables) == 0 {
		return nil
	}
	start := 0
	if cur := p.cursor[level]; cur != nil {
		start = sort.Search(len(tables), func(i int) bool {
			return bytes.Compare(tables[i].SmallestUser(), cur) > 0
		})
	}
	for k := range len(tables) {
		t := tables[(start+k)%len(tables)]
		if busy(t.FileNum) {
			continue
		}
		if c := p.build(v, level, []*manifest.TableMeta{t}, busy); c != nil {
			return c
		}
	}
	return nil
}

// build completes a job from its inputs, or returns nil if an overlapping
// table of the output level is busy.
func (p *Picker) build(v *manifest.Version, level int, inputs []*manifest.TableMeta, busy func(uint64) bool) *Compaction {
	lo, hi := keyRange(inputs)
	outputs := v.Overlaps(level+1, lo, hi)
	if anyBusy(outputs, busy) {
		return nil
	}
	c := &Compaction{Level: level, OutputLevel: level + 1, Inputs: inputs, Overlapping: outputs}
	c.Smallest, c.Largest = keyRange(c.Tables())
	if level+2 < manifest.NumLevels {
		c.Grandparents = v.Overlaps(level+2, c.Smallest, c.Largest)
	}
	c.TrivialMove = len(inputs) == 1 && len(outputs) == 0 && totalSize(c.Grandparents) <= maxGrandparentOverlap(p.opts)
	return c
}

// keyRange returns the smallest and largest user keys of tables (not empty).
func keyRange(tables []*manifest.TableMeta) (lo, hi []byte) {
	lo, hi = tables[0].SmallestUser(), tables[0].LargestUser()
	for _, t := range tables[1:] {
		if bytes.Compare(t.SmallestUser(), lo) < 0 {
			lo = t.SmallestUser()
		}
		if bytes.Compare(t.LargestUser(), hi) > 0 {
			hi = t.LargestUser()
		}
	}
	return lo, hi
}

func anyBusy(tables []*manifest.TableMeta, busy func(uint64) bool) bool {
	for _, t := range tables {
		if busy(t.FileNum) {
			return true
		}
	}
	return false
}

func totalSize(tables []*manifest.TableMeta) uint64 {
	var n uint64
	for _, t := range tables {
		n += t.Size
	}
	return n
}

// Range returns the job compacting inputs, tables of level chosen by the
// caller (a manual compaction of a key range), into level+1: the output
// level's overlapping tables and the grandparents are found as for a
// picked job. Inputs of L0 must be closed under overlap (every L0 table
// overlapping one of them included).
func (p *Picker) Range(v *manifest.Version, level int, inputs []*manifest.TableMeta) *Compaction {
	return p.build(v, level, inputs, func(uint64) bool { return false })
}
