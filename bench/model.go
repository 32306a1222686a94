package bench

import (
	"fmt"
	"math"

	"github.com/kvlab/kvlab/internal/units"
)

// Model is what a textbook cost model predicts for one phase of a run, shown
// beside the measured figures ("model" rows of the table, model_* columns of
// the CSV, dashed lines on sweep charts). It describes the engine's steady
// state; Transient and ReadTransient say when the phase had not reached it,
// which a short run on a small store usually has not.
type Model struct {
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

// ModelInput is what the cost models need to know about a phase: the
// engine and its settings, the shape of the data, and how much the phase
// wrote.
type ModelInput struct {
	// Engine is the registered engine name ("lsm", "btree").
	Engine string
	// Settings are the engine's options as the run gave them (defaults
	// apply to the others).
	Settings map[string]string
	// Defaults are the engine's documented defaults by knob name, used
	// where Settings does not name a knob; nil means the model's own copy.
	Defaults map[string]string
	// KeySize and ValueSize are the key size and mean value size in bytes.
	KeySize   int
	ValueSize float64
	// Compressibility is the fraction of a value left after compression.
	Compressibility float64
	// LiveBytes is the live key and value bytes at the end of the phase;
	// LiveBytesBefore at its start.
	LiveBytes, LiveBytesBefore int64
	// UserBytesWritten is the key and value bytes the phase wrote.
	UserBytesWritten int64
	// OpsPerWrite is the keys per write (per WAL record): the load batch
	// in a load phase, 1 in a run phase. Zero means 1.
	OpsPerWrite int
	// GetHits and Gets are the phase's Gets that found a value and all
	// its Gets; with Gets zero, every Get is taken to find one.
	GetHits, Gets int64
}

// hitRatio is the fraction of the phase's Gets that found a value.
func (in ModelInput) hitRatio() float64 {
	if in.Gets <= 0 {
		return 1
	}
	return float64(in.GetHits) / float64(in.Gets)
}

// modelFuncs holds the cost model of each engine that has one.
var modelFuncs = map[string]func(ModelInput) (*Model, error){
	"lsm":   PredictLSM,
	"btree": PredictBTree,
}

// HasModel reports whether Predict knows a cost model for the engine.
func HasModel(engine string) bool { return modelFuncs[engine] != nil }

// Predict returns the cost model's prediction for a phase, or nil when the
// engine has no model (the memory engine, the peers). An error means the
// settings could not be read.
func Predict(in ModelInput) (*Model, error) {
	f := modelFuncs[in.Engine]
	if f == nil {
		return nil, nil
	}
	if in.KeySize <= 0 || in.ValueSize < 0 {
		return nil, fmt.Errorf("bench: model: key size %d, value size %g", in.KeySize, in.ValueSize)
	}
	if in.Compressibility <= 0 || in.Compressibility > 1 {
		in.Compressibility = 1
	}
	return f(in)
}

// setting returns the named setting, else its default, else def.
func (in ModelInput) setting(name, def string) string {
	if v, ok := in.Settings[name]; ok {
		return v
	}
	if v, ok := in.Defaults[name]; ok {
		return v
	}
	return def
}

// sizeSetting parses a size setting ("4KiB").
func (in ModelInput) sizeSetting(name, def string) (int64, error) {
	s := in.setting(name, def)
	n, err := units.ParseSize(s)
	if err != nil {
		return 0, fmt.Errorf("bench: model: %s.%s=%q: %w", in.Engine, name, s, err)
	}
	return n, nil
}

// entryBytes is the user bytes of one key and value.
func (in ModelInput) entryBytes() float64 { return float64(in.KeySize) + in.ValueSize }

// walFragmentHeader is the bytes the wal package adds to each record that
// fits in its block (docs/format/wal.md).
const walFragmentHeader = 7

// walBytesPerOp is the WAL bytes one written key costs: the key and value,
// the batch operation's kind byte and two length varints
// (docs/format/batch.md), and its share of the record's fragment header and
// the engine's record header.
func (in ModelInput) walBytesPerOp(recordHeader int) float64 {
	ops := float64(max(in.OpsPerWrite, 1))
	op := 1 + float64(uvarintLen(uint64(in.KeySize))+uvarintLen(uint64(in.ValueSize)))
	return in.entryBytes() + op + float64(walFragmentHeader+recordHeader)/ops
}

// size renders a byte count for a model's explanation.
func size(n float64) string { return units.FormatSize(int64(math.Round(n))) }

// sizeOrEmpty is size, or "empty" for nothing.
func sizeOrEmpty(n float64) string {
	if n <= 0 {
		return "empty"
	}
	return size(n)
}
