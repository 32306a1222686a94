package compaction

import (
	"math"
	"testing"
)

// TestPredictFormula restates the model of Predict's doc comment for the
// default options and a 1 GiB store.
func TestPredictFormula(t *testing.T) {
	const mib = 1 << 20
	m := Predict(DefaultOptions(), 1024*mib, 64*mib, 10)
	// Capacities 64 MiB, 640 MiB, 6400 MiB: three levels below L0.
	if m.Levels != 3 {
		t.Fatalf("Levels %d, want 3", m.Levels)
	}
	s1, s2, s3, b0 := 64.0, 640.0, 1024.0, 4*64.0
	wa := 1 + 1 + (1 + s1/b0) + (1 + s2/s1/2) + (1 + s3/s2/2)
	fpr := math.Pow(0.6185, 10)
	ra := 1 + (4.0/2+3-1)*fpr
	space := (b0/2 + s1 + s2 + s3) / 1024
	for _, c := range []struct {
		name      string
		got, want float64
	}{{"WriteAmp", m.WriteAmp, wa}, {"ReadAmpPerGet", m.ReadAmpPerGet, ra}, {"SpaceAmp", m.SpaceAmp, space}} {
		if math.Abs(c.got-c.want) > 1e-9 {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if math.Abs(wa-11.05) > 1e-9 {
		t.Errorf("worked example: WriteAmp %v, want 11.05", wa)
	}
}

func TestPredictTrends(t *testing.T) {
	o := DefaultOptions()
	prev := Predict(o, 1, 64<<20, 10)
	if prev.Levels != 1 {
		t.Fatalf("a tiny store needs %d levels", prev.Levels)
	}
	for live := uint64(1 << 20); live < 1<<50; live *= 4 {
		m := Predict(o, live, 64<<20, 10)
		if m.Levels < prev.Levels || m.Levels > 6 || m.WriteAmp < prev.WriteAmp-1e-9 {
			t.Fatalf("live %d: %+v after %+v", live, m, prev)
		}
		prev = m
	}
	if prev.Levels != 6 {
		t.Fatalf("a huge store uses %d levels", prev.Levels)
	}
	// Filters cut read amplification; none means every table is read.
	none, ten := Predict(o, 1<<30, 64<<20, 0), Predict(o, 1<<30, 64<<20, 10)
	if none.ReadAmpPerGet != 2+3 || ten.ReadAmpPerGet >= 1.1 {
		t.Fatalf("read amp without filters %v, with 10 bits %v", none.ReadAmpPerGet, ten.ReadAmpPerGet)
	}
	// A larger ratio: fewer levels, more write amplification per level.
	wide := o
	wide.LevelRatio = 20
	if w := Predict(wide, 1<<36, 64<<20, 10); w.Levels >= Predict(o, 1<<36, 64<<20, 10).Levels {
		t.Fatalf("ratio 20 uses %d levels", w.Levels)
	}
}
