package lsm

import (
	"fmt"
	"math"

	"github.com/kvlab/kvlab/kv/costmodel"
	"github.com/kvlab/kvlab/lsm/compaction"
)

// The lsm layout the model assumes (docs/format/lsm.md, sstable.md).
const (
	// lsmRecordHeader is the WAL record's header beyond the batch: the
	// 8-byte first sequence number and the batch's 4-byte count.
	lsmRecordHeader = 12
	// lsmEntryOverhead is a table entry's bytes beyond its key and value:
	// the internal key's 8-byte trailer and about 3 bytes of lengths.
	lsmEntryOverhead = 11
)

// Predict is the cost model of the lsm engine: leveled compaction under
// uniformly random overwrites of a store of fixed size, applied to the
// engine's settings (memtable-size, l0-compaction-trigger, l1-target-size,
// level-ratio, target-file-size, bloom-bits, compression).
//
// Level shape, reads and space are compaction.Predict's (the textbook
// model): n levels below L0, the last holding the live data S_n, each level
// above it at its target S_i = l1-target-size × ratio^(i-1).
//
// Write amplification is WriteAmpTables (below) in table bytes plus the
// WAL. The textbook sum, 1 + 1 + (1 + S_1/B_0) + Σ (1 + r_i/2), counts every
// user byte once per level; the engine drops an overwritten version
// whenever two versions of a key meet in a flush or a merge, so in a store
// whose memtable, L0 batch or upper levels hold a sizeable share of the
// keys each byte written moves down fewer times; and a merge rewrites the
// tables it touches whole. WriteAmpTables counts both: it is the
// textbook's sum plus a table per merge into a middle level when the store
// is much larger than the memtables and upper levels, and falls below the
// textbook, as the engine does, when it is not (compaction.Simulate of the
// engine's own picker and splitter agrees within 1.0–1.22× on the labs'
// shapes, where the textbook is up to 2× too high).
//
// compaction.Predict counts bytes of tables. A table holds about
//
//	c = (key + 11 + value × compressibility + bloom-bits / 8) / (key + value)
//
// bytes per user byte (11 = the internal key's trailer and lengths; the
// value is compressed only when compression is on), so the model is applied
// to c × the live bytes and c × the memtable size (level sizes and L0's
// batch are table bytes), and its table terms are scaled back by c:
//
//	WriteAmp = w + c × WriteAmpTables
//	SpaceAmp = c × Predict.SpaceAmp + (memtable-size / 2) / live
//
// where w is the WAL's bytes per user byte (key, value, 3 bytes of batch
// encoding and the share of the 19-byte record header: whole for single
// writes, 1/100 in load batches of 100) and the last term is the active
// WAL, half a memtable on average. BlocksPerGet weighs Predict.ReadAmpPerGet
// (a present key) and Predict.ReadAmpPerMiss (an absent key: Bloom false
// positives only) by the phase's Get hit ratio; ReadAmpPerGet is
// data blocks read per Get of a present key. Restart points, index blocks
// and the compression's true ratio on keys are left out.
func Predict(in costmodel.Input) (*costmodel.Prediction, error) {
	o, c, copts, p, err := textbook(&in)
	if err != nil {
		return nil, err
	}
	wal := in.WALBytesPerOp(lsmRecordHeader) / in.EntryBytes()
	live := in.Live()
	h := in.HitRatio()
	m := &costmodel.Prediction{
		Basis:        "leveled compaction",
		WriteAmp:     wal + c*WriteAmpTables(copts, c*live, c*float64(o.MemtableSize), p.Levels),
		BlocksPerGet: h*p.ReadAmpPerGet + (1-h)*p.ReadAmpPerMiss,
		SpaceAmp:     c*p.SpaceAmp + float64(o.MemtableSize)/2/live,
		Levels:       p.Levels,
	}
	mem := float64(o.MemtableSize)
	batch := float64(o.L0CompactionTrigger) * mem
	w := float64(in.UserBytesWritten)
	switch {
	case w <= 0:
	case float64(in.LiveBytes) < float64(in.LiveBytesBefore)/2:
		m.Transient = fmt.Sprintf("the store shrank from %s to %s during the phase: the model describes updates of a store of fixed size, not deletes", costmodel.Size(float64(in.LiveBytesBefore)), costmodel.SizeOrEmpty(float64(in.LiveBytes)))
	case w < mem:
		m.Transient = fmt.Sprintf("the phase wrote %s, less than one memtable (%s): nothing was flushed, only the WAL was written", costmodel.Size(w), costmodel.Size(mem))
	case w < batch:
		m.Transient = fmt.Sprintf("the phase wrote %s, less than the %d memtables (%s) whose flushes start the first L0→L1 compaction", costmodel.Size(w), o.L0CompactionTrigger, costmodel.Size(batch))
	case float64(in.LiveBytesBefore) < live/2:
		m.Transient = fmt.Sprintf("the store grew from %s to %s during the phase, so its levels were smaller than the model's full ones", costmodel.SizeOrEmpty(float64(in.LiveBytesBefore)), costmodel.Size(live))
	case in.Steady && w < live:
		m.Transient = fmt.Sprintf("the phase rewrote %.1f× the store's %s, less than one compaction cycle of its last level: it measured the part of the cycle it covered", w/live, costmodel.Size(live))
	case !in.Steady && w < 5*live:
		m.Transient = fmt.Sprintf("the phase rewrote %.1f× the store's %s, while compaction's steady state takes many rewrites", w/live, costmodel.Size(live))
	}
	if fpr := p.ReadAmpPerMiss / (float64(o.L0CompactionTrigger)/2 + float64(p.Levels)); w <= 0 && fpr > 0.1 {
		m.ReadTransient = fmt.Sprintf("the phase wrote nothing, so L0 held the 0–%d tables the last writes left, not the %.1f on average the model takes; with a weak or no Bloom filter (%.0f%% false positives) each costs a block per Get", o.L0CompactionTrigger-1, float64(o.L0CompactionTrigger)/2, 100*fpr)
	}
	if live < mem {
		m.ReadTransient = fmt.Sprintf("the store (%s) fits in one memtable (%s), so Gets found most keys before reaching a table", costmodel.Size(live), costmodel.Size(mem))
	}
	return m, nil
}

// WriteAmpTables is the table bytes leveled compaction writes per table
// byte the user writes, for a store of live table bytes under uniformly
// random overwrites with memtables of mem table bytes and levels levels
// below L0 (compaction.Predict's Levels). With S_i the level sizes of
// compaction.Predict, φ_i = S_i / live the share of the keys level i holds
// (φ_n = 1: the last level holds every key), and B_0 = the L0 compaction
// trigger × mem:
//
//	flush     (1 − e^(−μ)) / μ            μ = mem / live: a memtable keeps one version of each key
//	L0 → L1   S_1 / B_0 + d_0 (1 − φ_1)   d_0 = (1 − e^(−β)) / β, β = B_0 / live: the L0 batch's
//	                                       distinct keys per byte; the merge rewrites all of L1 and
//	                                       adds the batch's keys L1 does not hold
//	Li → Li+1 a_i × LevelWriteAmps[i+1]   a_1 = d_0 (1 − φ_1), a_{i+1} = a_i (1 − φ_{i+1}):
//	                                       the bytes that leave Li per user byte, those
//	                                       entering it that did not replace a version there
//
// When live is much larger than mem, B_0 and the upper levels, μ, β and φ_i
// (i < n) go to 0 and this is the textbook's 1 + (1 + S_1/B_0) + Σ (1 +
// r_i/2) plus one table per merge into each middle level (LevelWriteAmps).
func WriteAmpTables(o compaction.Options, live, mem float64, levels int) float64 {
	o = o.WithDefaults()
	live, mem = max(live, 1), max(mem, 1)
	levels = max(levels, 1)
	size := make([]float64, levels+1)
	for i := 1; i < levels; i++ {
		size[i] = min(float64(compaction.TargetSize(i, o)), live)
	}
	size[levels] = live
	phi := func(i int) float64 { return size[i] / live }
	distinct := func(x float64) float64 { return -math.Expm1(-x) / x } // (1 − e^(−x)) / x
	b0 := float64(o.L0CompactionThreshold) * mem
	d0 := distinct(b0 / live)
	wa := distinct(mem/live) + size[1]/b0 + d0*(1-phi(1))
	a := d0 * (1 - phi(1))
	for i, amp := range LevelWriteAmps(o, live, levels) {
		if i >= 2 {
			wa += a * amp
			a *= 1 - phi(i)
		}
	}
	return wa
}

// LevelWriteAmps returns the write amplification of each level below L1
// as WriteAmpTables counts it, by index: the bytes a merge writes into Li
// per byte it moves in from Li−1,
//
//	r_{i−1} / 2 + 1 + (1 − φ_i)
//
// r/2 is the textbook's overlap (the round-robin cursor takes the table
// compacted longest ago, where Li−1 is densest, which overlaps about half
// of r tables' worth of Li); 1 is the boundary: a merge rewrites every
// table of Li it touches, whole, so half a table at each end beyond the
// overlapped range, and Li's tables are as large as the moved one
// (target-file-size); 1 − φ_i is the share of the moved keys that Li does
// not hold yet and the merge adds — the others replace their versions.
// The textbook's 1 + r/2 counts the moved bytes whole and no boundary; in
// the last level (φ = 1) the two agree. Indexes 0 and 1 are 0.
func LevelWriteAmps(o compaction.Options, live float64, levels int) []float64 {
	o = o.WithDefaults()
	live = max(live, 1)
	if levels < 2 {
		return nil
	}
	size := func(i int) float64 {
		if i >= levels {
			return live
		}
		return min(float64(compaction.TargetSize(i, o)), live)
	}
	out := make([]float64, levels+1)
	for i := 2; i <= levels; i++ {
		out[i] = size(i)/size(i-1)/2 + 1 + 1 - size(i)/live
	}
	return out
}

// tableFactor is the table bytes per user byte: an entry holds its key,
// the 8-byte trailer of the internal key, about 3 bytes of lengths, the
// value (compressed when compression is on) and its filter bits.
func tableFactor(in costmodel.Input, o Options) float64 {
	v := in.ValueSize
	if o.Compression {
		v *= in.Compressibility
	}
	return (float64(in.KeySize) + lsmEntryOverhead + v + float64(o.BloomBitsPerKey)/8) / in.EntryBytes()
}

// compactionOptions are o's leveled-compaction knobs.
func compactionOptions(o Options) compaction.Options {
	return compaction.Options{
		L0CompactionThreshold: o.L0CompactionTrigger,
		L1TargetSize:          uint64(o.L1TargetSize),
		LevelRatio:            o.LevelRatio,
		TargetFileSize:        uint64(o.TargetFileSize),
	}
}

// PredictLevelWriteAmps is LevelWriteAmps for the store and settings of
// in (as Predict reads them): each level's own write amplification, by
// index, from L2 down.
func PredictLevelWriteAmps(in costmodel.Input) ([]float64, error) {
	_, c, copts, p, err := textbook(&in)
	if err != nil {
		return nil, err
	}
	return LevelWriteAmps(copts, c*in.Live(), p.Levels), nil
}

// textbook validates in and reads its settings, and returns them with the
// table factor c, the compaction options and compaction.Predict applied to
// the store in table bytes.
func textbook(in *costmodel.Input) (Options, float64, compaction.Options, compaction.Model, error) {
	if err := in.Validate(); err != nil {
		return Options{}, 0, compaction.Options{}, compaction.Model{}, err
	}
	o, err := ParseSettings(in.Settings)
	if err != nil {
		return Options{}, 0, compaction.Options{}, compaction.Model{}, fmt.Errorf("lsm: cost model: %w", err)
	}
	c, copts := tableFactor(*in, o), compactionOptions(o)
	p := compaction.Predict(copts, uint64(c*in.Live()), uint64(c*float64(o.MemtableSize)), o.BloomBitsPerKey)
	return o, c, copts, p, nil
}
