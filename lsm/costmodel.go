package lsm

import (
	"fmt"

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

// Predict is the cost model of the lsm engine: compaction.Predict, the
// textbook model of leveled compaction, applied to the engine's settings
// (memtable-size, l0-compaction-trigger, l1-target-size, level-ratio,
// target-file-size, bloom-bits, compression).
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
//	WriteAmp = w + c × (Predict.WriteAmp − 1)
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
	if err := in.Validate(); err != nil {
		return nil, err
	}
	o, err := ParseSettings(in.Settings)
	if err != nil {
		return nil, fmt.Errorf("lsm: cost model: %w", err)
	}
	// c is the table bytes per user byte: an entry holds its key, the
	// 8-byte trailer of the internal key, about 3 bytes of lengths, the
	// value (compressed when compression is on) and its filter bits.
	v := in.ValueSize
	if o.Compression {
		v *= in.Compressibility
	}
	entry := in.EntryBytes()
	c := (float64(in.KeySize) + lsmEntryOverhead + v + float64(o.BloomBitsPerKey)/8) / entry
	wal := in.WALBytesPerOp(lsmRecordHeader) / entry
	live := in.Live()
	copts := compaction.Options{
		L0CompactionThreshold: o.L0CompactionTrigger,
		L1TargetSize:          uint64(o.L1TargetSize),
		LevelRatio:            o.LevelRatio,
		TargetFileSize:        uint64(o.TargetFileSize),
	}
	p := compaction.Predict(copts, uint64(c*live), uint64(c*float64(o.MemtableSize)), o.BloomBitsPerKey)
	h := in.HitRatio()
	m := &costmodel.Prediction{
		Basis:        "leveled compaction",
		WriteAmp:     wal + c*(p.WriteAmp-1),
		BlocksPerGet: h*p.ReadAmpPerGet + (1-h)*p.ReadAmpPerMiss,
		SpaceAmp:     c*p.SpaceAmp + float64(o.MemtableSize)/2/live,
		Levels:       p.Levels,
	}
	mem := float64(o.MemtableSize)
	batch := float64(o.L0CompactionTrigger) * mem
	w := float64(in.UserBytesWritten)
	switch {
	case w <= 0:
	case w < mem:
		m.Transient = fmt.Sprintf("the phase wrote %s, less than one memtable (%s): nothing was flushed, only the WAL was written", costmodel.Size(w), costmodel.Size(mem))
	case w < batch:
		m.Transient = fmt.Sprintf("the phase wrote %s, less than the %d memtables (%s) whose flushes start the first L0→L1 compaction", costmodel.Size(w), o.L0CompactionTrigger, costmodel.Size(batch))
	case float64(in.LiveBytesBefore) < live/2:
		m.Transient = fmt.Sprintf("the store grew from %s to %s during the phase, so its levels were smaller than the model's full ones", costmodel.SizeOrEmpty(float64(in.LiveBytesBefore)), costmodel.Size(live))
	case w < 5*live:
		m.Transient = fmt.Sprintf("the phase rewrote %.1f× the store's %s, while compaction's steady state takes many rewrites", w/live, costmodel.Size(live))
	}
	if live < mem {
		m.ReadTransient = fmt.Sprintf("the store (%s) fits in one memtable (%s), so Gets found most keys before reaching a table", costmodel.Size(live), costmodel.Size(mem))
	}
	return m, nil
}
