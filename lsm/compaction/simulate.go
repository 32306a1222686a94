package compaction

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/kvlab/kvlab/internal/base"
	"github.com/kvlab/kvlab/lsm/manifest"
)

// SimResult is what Simulate measured.
type SimResult struct {
	// UserBytes is what the simulated user wrote: flushes × memtable size.
	// WALBytes equals it (every write is logged once).
	UserBytes, WALBytes uint64
	// LevelBytesWritten is the bytes written into each level: flushes into
	// L0, compaction outputs into the others (trivial moves write nothing).
	LevelBytesWritten [manifest.NumLevels]uint64
	// CompactionBytesRead is the bytes compactions read (inputs + outputs).
	CompactionBytesRead uint64
	// Compactions counts merging compactions, TrivialMoves the relinks.
	Compactions, TrivialMoves int
	// Final is the tree at the end.
	Final *manifest.Version
	// Err is the first invariant violation (a version edit that did not
	// apply, a Version failing CheckOrder, a runaway compaction loop), or nil.
	Err error
}

// WriteAmp returns the measured write amplification: (WAL bytes + bytes
// written into every level) / user bytes.
func (r SimResult) WriteAmp() float64 {
	if r.UserBytes == 0 {
		return 0
	}
	total := r.WALBytes
	for _, n := range r.LevelBytesWritten {
		total += n
	}
	return float64(total) / float64(r.UserBytes)
}

// SpaceAmp returns the final tree's size over liveBytes.
func (r SimResult) SpaceAmp(liveBytes uint64) float64 {
	var total uint64
	for level := range manifest.NumLevels {
		total += r.Final.LevelSize(level)
	}
	return float64(total) / float64(liveBytes)
}

// simEntrySize is the size of one simulated user entry (16-byte key,
// 100-byte value and overhead), which sets how wide a flushed table's key
// range is.
const simEntrySize = 128

// Simulate runs the leveled policy of o without I/O: flushes tables of
// memtableSize bytes of uniformly random overwrites of a store holding
// liveBytes of distinct live data, and after each flush runs Pick and
// applies every compaction it returns (as version edits, like the engine)
// until no level needs one. It reports the bytes written per level, from
// which the policy's write amplification follows. seed makes a run
// repeatable.
//
// Data is modelled, not stored: user keys are 8-byte big-endian positions
// in a uint64 key space holding liveBytes evenly, and a table is its key
// range plus a fill fraction (the share of the live keys in its range that
// it holds). A flush of n entries spans the minimum to the maximum of n
// random keys; a merge keeps, per key-range segment, the union of its
// inputs' fills (1 - Π(1 - fill)), which models overwrites being dropped;
// outputs are cut by the same Splitter the engine uses. Tombstones and
// snapshots are not modelled.
func Simulate(o Options, memtableSize uint64, flushes int, liveBytes uint64, seed uint64) SimResult {
	o = o.WithDefaults()
	s := &simulator{
		opts:   o,
		live:   float64(liveBytes),
		rng:    rand.New(rand.NewPCG(seed, 0x5eed)),
		picker: NewPicker(o),
		v:      &manifest.Version{},
		fill:   map[uint64]float64{},
	}
	s.chunk = max(uint64(simEntrySize), o.TargetFileSize/64)
	for range flushes {
		s.flush(memtableSize)
		if s.res.Err != nil {
			break
		}
		for steps := 0; ; steps++ {
			c := s.picker.Pick(s.v, nil)
			if c == nil {
				break
			}
			if steps > 10000 {
				s.res.Err = fmt.Errorf("compaction: simulation: more than 10000 compactions after one flush")
				break
			}
			s.run(c)
			if s.res.Err != nil {
				break
			}
		}
		if s.res.Err != nil {
			break
		}
	}
	s.res.Final = s.v
	return s.res
}

type simulator struct {
	opts   Options
	live   float64 // live bytes over the whole key space
	rng    *rand.Rand
	picker *Picker
	v      *manifest.Version
	fill   map[uint64]float64 // fileNum -> fill fraction
	chunk  uint64             // bytes per simulated output key
	seq    uint64
	next   uint64
	res    SimResult
}

const keySpace = 1 << 64 // as a float64

func simKey(x uint64) []byte { return binary.BigEndian.AppendUint64(nil, x) }

func simPos(ukey []byte) uint64 { return binary.BigEndian.Uint64(ukey) }

// width returns the share of the key space that [lo, hi] covers.
func width(lo, hi uint64) float64 { return (float64(hi-lo) + 1) / keySpace }

// newTable returns a table of size bytes spread evenly over [lo, hi].
func (s *simulator) newTable(lo, hi uint64, size float64, seqLo, seqHi uint64) *manifest.TableMeta {
	s.next++
	s.fill[s.next] = math.Min(1, size/(s.live*width(lo, hi)))
	return &manifest.TableMeta{
		FileNum:     s.next,
		Size:        uint64(math.Max(1, math.Round(size))),
		Smallest:    base.MakeInternalKey(simKey(lo), base.SeqNum(seqHi), base.KindSet),
		Largest:     base.MakeInternalKey(simKey(hi), base.SeqNum(seqLo), base.KindSet),
		SmallestSeq: seqLo,
		LargestSeq:  seqHi,
		Entries:     uint64(size) / simEntrySize,
	}
}

func (s *simulator) apply(e *manifest.VersionEdit) {
	v, err := s.v.Apply(e)
	if err == nil {
		err = v.CheckOrder()
	}
	if err != nil {
		s.res.Err = fmt.Errorf("compaction: simulation: %w", err)
		return
	}
	for _, d := range e.Deleted {
		if _, still := v.AllFiles()[d.FileNum]; !still {
			delete(s.fill, d.FileNum)
		}
	}
	s.v = v
}

func (s *simulator) flush(memtableSize uint64) {
	n := float64(max(memtableSize/simEntrySize, 1))
	// The minimum and maximum of n uniform keys.
	lo := uint64((1 - math.Pow(s.rng.Float64(), 1/n)) * keySpace)
	hi := uint64(math.Pow(s.rng.Float64(), 1/n) * keySpace)
	if hi < lo {
		lo, hi = hi, lo
	}
	// n random keys over a range holding k live keys: distinct share 1-e^(-n/k).
	fill := 1 - math.Exp(-float64(memtableSize)/(s.live*width(lo, hi)))
	seqLo := s.seq + 1
	s.seq += uint64(n)
	t := s.newTable(lo, hi, fill*s.live*width(lo, hi), seqLo, s.seq)
	s.res.UserBytes += memtableSize
	s.res.WALBytes += memtableSize
	s.res.LevelBytesWritten[0] += t.Size
	s.apply(&manifest.VersionEdit{Added: []manifest.NewTable{{Level: 0, Meta: t}}})
}

// run executes c: a relink for a trivial move, else a merge of the modelled
// data cut into tables by the job's Splitter.
func (s *simulator) run(c *Compaction) {
	e := &manifest.VersionEdit{}
	for _, t := range c.Inputs {
		e.Deleted = append(e.Deleted, manifest.DeletedTable{Level: c.Level, FileNum: t.FileNum})
	}
	if c.TrivialMove {
		s.res.TrivialMoves++
		e.Added = append(e.Added, manifest.NewTable{Level: c.OutputLevel, Meta: c.Inputs[0]})
		s.apply(e)
		return
	}
	s.res.Compactions++
	s.res.CompactionBytesRead += c.InputBytes()
	for _, t := range c.Overlapping {
		e.Deleted = append(e.Deleted, manifest.DeletedTable{Level: c.OutputLevel, FileNum: t.FileNum})
	}
	tables := c.Tables()
	seqLo, seqHi := uint64(math.MaxUint64), uint64(0)
	for _, t := range tables {
		seqLo, seqHi = min(seqLo, t.SmallestSeq), max(seqHi, t.LargestSeq)
	}

	// Segments between every table boundary, each with the union fill of
	// the tables covering it.
	var cuts []uint64
	for _, t := range tables {
		cuts = append(cuts, simPos(t.SmallestUser()))
		if hi := simPos(t.LargestUser()); hi < math.MaxUint64 {
			cuts = append(cuts, hi+1)
		}
	}
	slices.Sort(cuts)
	cuts = slices.Compact(cuts)
	split := c.NewSplitter(s.opts)
	var (
		outLo, outHi uint64
		outBytes     float64 // bytes in the output table being built
		started      bool
	)
	finish := func() {
		if !started {
			return
		}
		t := s.newTable(outLo, outHi, outBytes, seqLo, seqHi)
		s.res.LevelBytesWritten[c.OutputLevel] += t.Size
		e.Added = append(e.Added, manifest.NewTable{Level: c.OutputLevel, Meta: t})
		started, outBytes = false, 0
	}
	for i, a := range cuts {
		b := uint64(math.MaxUint64)
		if i+1 < len(cuts) {
			b = cuts[i+1] - 1
		}
		keep := 1.0
		for _, t := range tables {
			if simPos(t.SmallestUser()) <= a && b <= simPos(t.LargestUser()) {
				keep *= 1 - s.fill[t.FileNum]
			}
		}
		fill := 1 - keep
		if fill == 0 {
			continue // a gap between tables
		}
		segBytes := fill * s.live * width(a, b)
		n := max(uint64(math.Ceil(segBytes/float64(s.chunk))), 1)
		n = min(n, b-a+1)
		step := (b - a) / n
		per := segBytes / float64(n)
		for k := range n {
			x := a + k*step
			end := x + step - 1
			if k == n-1 {
				end = b
			}
			if split.ShouldSplit(simKey(x), uint64(outBytes)) {
				finish()
			}
			if !started {
				outLo, started = x, true
			}
			outHi = end
			outBytes += per
		}
	}
	finish()
	s.apply(e)
}
