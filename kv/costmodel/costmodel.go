// Package costmodel is the meeting point of an engine's textbook cost model
// and the benchmark that prints its predictions beside measurements: Input
// says what a benchmark phase did (the engine's settings, the shape of the
// data, how much was written and read) and Prediction is what the model
// expects at steady state.
//
// Each engine keeps its model beside its format, because the model is
// written in terms of the format's sizes: lsm.Predict (leveled compaction,
// after lsm/compaction.Predict) and btree.Predict (checkpointed
// copy-on-write pages). The registry hands them to the benchmark through
// kvlab.EngineInfo.Model, so that the benchmark never switches on an
// engine's name.
package costmodel

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/kvlab/kvlab/internal/units"
)

// Prediction is what a textbook cost model predicts for one phase of a
// run, shown beside the measured figures. It describes the engine's steady
// state; Transient and ReadTransient say when the phase had not reached
// it, which a short run on a small store usually has not.
type Prediction struct {
	// Basis names the model: "leveled compaction" or "B+tree checkpoints".
	Basis string `json:"basis"`
	// WriteAmp is the file bytes written per user byte written.
	WriteAmp float64 `json:"write_amp"`
	// BlocksPerGet is the blocks or pages a Get touches: for an LSM the
	// data blocks of the tables it reads (one for a present key, plus the
	// tables the filters let through with their false-positive rate; only
	// those for an absent key, weighed by the phase's Get hit ratio), for a
	// B+tree the pages from the root to the leaf.
	BlocksPerGet float64 `json:"blocks_per_get"`
	// SpaceAmp is the disk bytes per live user byte.
	SpaceAmp float64 `json:"space_amp"`
	// Levels is the LSM's number of levels below L0, or the B+tree's
	// height.
	Levels int `json:"levels"`
	// Transient, if set, says why the phase's writes had not reached the
	// steady state the write and space figures describe.
	Transient string `json:"transient,omitempty"`
	// ReadTransient, if set, says why the phase's Gets had not.
	ReadTransient string `json:"read_transient,omitempty"`
}

// Input is what a cost model needs to know about a phase: the engine's
// settings, the shape of the data, and how much the phase wrote and read.
type Input struct {
	// Settings are the engine's options by knob name as the run gave them;
	// the engine's defaults apply to the others.
	Settings map[string]string
	// KeySize and ValueSize are the key size and mean value size in bytes.
	KeySize   int
	ValueSize float64
	// Compressibility is the fraction of a value left after compression;
	// outside (0, 1] it is taken as 1.
	Compressibility float64
	// LiveBytes is the live key and value bytes at the end of the phase;
	// LiveBytesBefore at its start.
	LiveBytes, LiveBytesBefore int64
	// UserBytesWritten is the key and value bytes the phase wrote.
	UserBytesWritten int64
	// Steady says the store was brought to its steady state before the
	// phase (bench's Config.Steady), so that a phase's writes need not
	// reach it by themselves.
	Steady bool
	// OpsPerWrite is the keys per write (per WAL record): the load batch
	// in a load phase, 1 in a run phase. Zero means 1.
	OpsPerWrite int
	// GetHits and Gets are the phase's Gets that found a value and all
	// its Gets; with Gets zero, every Get is taken to find one.
	GetHits, Gets int64
}

// Func is an engine's cost model.
type Func func(Input) (*Prediction, error)

// Validate checks the sizes a model divides by and clamps
// Compressibility into (0, 1].
func (in *Input) Validate() error {
	if in.KeySize <= 0 || in.ValueSize < 0 {
		return fmt.Errorf("costmodel: key size %d, value size %g", in.KeySize, in.ValueSize)
	}
	if in.Compressibility <= 0 || in.Compressibility > 1 {
		in.Compressibility = 1
	}
	return nil
}

// HitRatio is the fraction of the phase's Gets that found a value.
func (in Input) HitRatio() float64 {
	if in.Gets <= 0 {
		return 1
	}
	return float64(in.GetHits) / float64(in.Gets)
}

// EntryBytes is the user bytes of one key and value.
func (in Input) EntryBytes() float64 { return float64(in.KeySize) + in.ValueSize }

// Live is the live bytes at the end of the phase, at least 1 so that it
// can divide.
func (in Input) Live() float64 { return float64(max(in.LiveBytes, 1)) }

// walFragmentHeader is the bytes the wal package adds to each record that
// fits in its block (docs/format/wal.md).
const walFragmentHeader = 7

// WALBytesPerOp is the WAL bytes one written key costs in an engine whose
// log records are a recordHeader-byte header and a kv.Batch: the key and
// value, the batch operation's kind byte and two length varints
// (docs/format/batch.md), and its share of the record's fragment header
// and of recordHeader.
func (in Input) WALBytesPerOp(recordHeader int) float64 {
	ops := float64(max(in.OpsPerWrite, 1))
	op := 1 + float64(UvarintLen(uint64(in.KeySize))+UvarintLen(uint64(in.ValueSize)))
	return in.EntryBytes() + op + float64(walFragmentHeader+recordHeader)/ops
}

// UvarintLen is the length of x as an encoding/binary unsigned varint.
func UvarintLen(x uint64) int {
	var b [binary.MaxVarintLen64]byte
	return binary.PutUvarint(b[:], x)
}

// Size renders a byte count for a model's explanation ("4MiB").
func Size(n float64) string { return units.FormatSize(int64(math.Round(n))) }

// SizeOrEmpty is Size, or "empty" for nothing.
func SizeOrEmpty(n float64) string {
	if n <= 0 {
		return "empty"
	}
	return Size(n)
}
