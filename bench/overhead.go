package bench

import (
	"context"
	"fmt"

	"github.com/kvlab/kvlab/bench/workload"
	"github.com/kvlab/kvlab/kv"
)

// MeasureOverhead runs cfg against a no-op engine and returns the harness's
// own cost per operation and client, in nanoseconds: choosing the
// operation, its key and its value, two clock reads and a histogram record.
// It bounds what the harness takes from throughput; latencies time only the
// engine call (between the two clock reads). Subtract nothing from engine
// figures with it; print it beside them to show that the harness is not
// what they measure. cfg's Engine,
// Settings and Dir are ignored.
func MeasureOverhead(ctx context.Context, cfg Config) (float64, error) {
	cfg.Engine = "no-op"
	cfg.Settings = nil
	cfg.Progress = nil
	cfg.Dir = "."
	cfg.OpenEngine = func(string) (kv.Engine, error) { return &nullEngine{}, nil }
	res, err := Run(ctx, cfg)
	if err != nil {
		return 0, fmt.Errorf("bench: measure overhead: %w", err)
	}
	ph := res.Run
	if ph == nil || ph.Ops == 0 {
		return 0, nil
	}
	return ph.Seconds * 1e9 * float64(res.Params.Threads) / float64(ph.Ops), nil
}

// nullEngine does nothing: every Get finds the same small value and every
// iterator yields the same key a few times.
type nullEngine struct{}

var nullValue = make([]byte, 100)

func (*nullEngine) Get([]byte) ([]byte, error)             { return nullValue, nil }
func (*nullEngine) Put(_, _ []byte) error                  { return nil }
func (*nullEngine) Delete([]byte) error                    { return nil }
func (*nullEngine) Write(*kv.Batch, kv.WriteOptions) error { return nil }
func (*nullEngine) Sync() error                            { return nil }
func (*nullEngine) Stats() kv.Stats                        { return kv.Stats{Engine: "no-op"} }
func (*nullEngine) Close() error                           { return nil }
func (*nullEngine) NewIterator(kv.IterOptions) (kv.Iterator, error) {
	return &nullIterator{}, nil
}

// nullIterator is an endless iterator over one key, so readseq and scans
// cost the harness only.
type nullIterator struct{}

var nullKey = make([]byte, workload.DefaultKeySize)

func (*nullIterator) First() bool        { return true }
func (*nullIterator) Last() bool         { return true }
func (*nullIterator) SeekGE([]byte) bool { return true }
func (*nullIterator) SeekLT([]byte) bool { return true }
func (*nullIterator) Next() bool         { return true }
func (*nullIterator) Prev() bool         { return true }
func (*nullIterator) Valid() bool        { return true }
func (*nullIterator) Key() []byte        { return nullKey }
func (*nullIterator) Value() []byte      { return nullValue }
func (*nullIterator) Err() error         { return nil }
func (*nullIterator) Close() error       { return nil }
