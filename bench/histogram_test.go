package bench

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// TestHistogramPercentiles compares percentiles with the exact values of
// the sorted sample, merged from several histograms as the runner does.
func TestHistogramPercentiles(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var all []int64
	parts := []*Histogram{NewHistogram(), NewHistogram(), NewHistogram()}
	for i := range 100_000 {
		// Log-normal around 10 µs with a long tail, as latencies are.
		v := int64(math.Exp(r.NormFloat64()*1.2 + math.Log(10_000)))
		all = append(all, v)
		parts[i%3].Record(time.Duration(v))
	}
	h := NewHistogram()
	for _, p := range parts {
		h.Merge(p)
	}
	slices.Sort(all)
	if h.Count() != int64(len(all)) {
		t.Fatalf("count %d, want %d", h.Count(), len(all))
	}
	exact := func(p float64) int64 {
		i := int(math.Ceil(p/100*float64(len(all))-1e-9)) - 1 // the rank-th smallest
		return all[max(i, 0)]
	}
	for _, p := range []float64{50, 95, 99, 99.9, 100} {
		got, want := int64(h.Percentile(p)), exact(p)
		if math.Abs(float64(got-want)) > 0.001*float64(want)+1 {
			t.Errorf("p%g = %d, exact %d (more than 0.1%% off)", p, got, want)
		}
	}
	s := h.Summary()
	if math.Abs(float64(s.Max-all[len(all)-1])) > 0.001*float64(all[len(all)-1]) {
		t.Errorf("max %d, exact %d", s.Max, all[len(all)-1])
	}
	if !(s.P50 <= s.P95 && s.P95 <= s.P99 && s.P99 <= s.P999 && s.P999 <= s.Max) {
		t.Errorf("percentiles out of order: %+v", s)
	}
}

func TestHistogramClamps(t *testing.T) {
	h := NewHistogram()
	h.Record(0)
	h.Record(-5)
	h.Record(2 * time.Hour)
	if h.Count() != 3 || h.Percentile(100) < time.Hour-time.Second {
		t.Fatalf("count %d, max %v", h.Count(), h.Percentile(100))
	}
	if (&Histogram{h: NewHistogram().h}).Summary() != (Latency{}) {
		t.Fatal("empty histogram has a summary")
	}
}
