package bench

import (
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// Latency histograms record nanoseconds from 1 ns to an hour with three
// significant digits (HDR: the error of any percentile is under 0.1 %).
const (
	histMin    = 1
	histMax    = int64(time.Hour)
	histDigits = 3
)

// Histogram records operation latencies. It is a thin wrapper over an HDR
// histogram; each client goroutine owns its own and the runner merges them
// after a phase. It is not safe for concurrent use.
type Histogram struct{ h *hdrhistogram.Histogram }

// NewHistogram returns an empty histogram.
func NewHistogram() *Histogram {
	return &Histogram{h: hdrhistogram.New(histMin, histMax, histDigits)}
}

// Record adds one latency; values beyond an hour count as an hour.
func (h *Histogram) Record(d time.Duration) {
	v := int64(d)
	if v < histMin {
		v = histMin
	} else if v > histMax {
		v = histMax
	}
	_ = h.h.RecordValue(v) // in range by construction
}

// Merge adds every value of o.
func (h *Histogram) Merge(o *Histogram) { h.h.Merge(o.h) }

// Count returns the number of values recorded.
func (h *Histogram) Count() int64 { return h.h.TotalCount() }

// Percentile returns the latency at or below which p percent of the values
// fall (p in [0, 100]).
func (h *Histogram) Percentile(p float64) time.Duration {
	return time.Duration(h.h.ValueAtQuantile(p))
}

// Summary returns the standard percentiles.
func (h *Histogram) Summary() Latency {
	if h.Count() == 0 {
		return Latency{}
	}
	return Latency{
		P50:  int64(h.Percentile(50)),
		P95:  int64(h.Percentile(95)),
		P99:  int64(h.Percentile(99)),
		P999: int64(h.Percentile(99.9)),
		Max:  h.h.Max(),
		Mean: h.h.Mean(),
	}
}

// Latency summarises a latency distribution, in nanoseconds.
type Latency struct {
	P50  int64   `json:"p50_ns"`
	P95  int64   `json:"p95_ns"`
	P99  int64   `json:"p99_ns"`
	P999 int64   `json:"p999_ns"`
	Max  int64   `json:"max_ns"`
	Mean float64 `json:"mean_ns"`
}
