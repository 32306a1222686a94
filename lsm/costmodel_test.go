package lsm

import (
	"math"
	"strings"
	"testing"

	"github.com/kvlab/kvlab/kv/costmodel"
	"github.com/kvlab/kvlab/lsm/compaction"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol*math.Max(math.Abs(b), 1e-12) }

func lsmInput(live int64, settings map[string]string) costmodel.Input {
	return costmodel.Input{Settings: settings, KeySize: 16, ValueSize: 100, Compressibility: 0.5, LiveBytes: live, LiveBytesBefore: live}
}

func TestPredict(t *testing.T) {
	const live = 1 << 30
	// Without compression or filters the table factor is (16+11+100)/116.
	m, err := Predict(lsmInput(live, map[string]string{"compression": "none", "bloom-bits": "0"}))
	if err != nil || m == nil {
		t.Fatal(m, err)
	}
	c := 127.0 / 116
	p := compaction.Predict(compaction.DefaultOptions(), uint64(c*live), uint64(c*(64<<20)), 0)
	wal := (116.0 + 3 + 19) / 116
	if want := wal + c*(p.WriteAmp-1); !near(m.WriteAmp, want, 1e-9) {
		t.Errorf("write amp %v, want %v", m.WriteAmp, want)
	}
	if m.BlocksPerGet != p.ReadAmpPerGet || m.Levels != p.Levels {
		t.Errorf("model %+v vs compaction.Predict %+v", m, p)
	}
	if want := c*p.SpaceAmp + float64(32<<20)/live; !near(m.SpaceAmp, want, 1e-9) {
		t.Errorf("space amp %v, want %v", m.SpaceAmp, want)
	}
	// Compression shrinks the table terms; filters cut the blocks per Get.
	def, _ := Predict(lsmInput(live, nil))
	if def.WriteAmp >= m.WriteAmp || def.SpaceAmp >= m.SpaceAmp {
		t.Errorf("compressed %+v not below uncompressed %+v", def, m)
	}
	if def.BlocksPerGet >= m.BlocksPerGet || def.BlocksPerGet < 1 {
		t.Errorf("bloom filters: %v blocks per get vs %v without", def.BlocksPerGet, m.BlocksPerGet)
	}
	// A smaller level ratio means more levels.
	r4, _ := Predict(lsmInput(4*live, map[string]string{"level-ratio": "4"}))
	r10, _ := Predict(lsmInput(4*live, nil))
	if r4.Levels <= r10.Levels {
		t.Errorf("4 GiB: ratio 4: %d levels, ratio 10: %d", r4.Levels, r10.Levels)
	}
	if _, err := Predict(lsmInput(live, map[string]string{"no-such-knob": "1"})); err == nil {
		t.Error("unknown setting accepted")
	}
}

func TestPredictTransient(t *testing.T) {
	const mib = 1 << 20
	for _, tc := range []struct {
		written, before, live int64
		want                  string
	}{
		{10 * mib, 100 * mib, 100 * mib, "less than one memtable"},
		{100 * mib, 100 * mib, 100 * mib, "less than the 4 memtables"},
		{300 * mib, 0, 300 * mib, "the store grew from"},
		{600 * mib, 300 * mib, 300 * mib, "rewrote 2.0×"},
		{3000 * mib, 300 * mib, 300 * mib, ""},
	} {
		in := lsmInput(tc.live, nil)
		in.UserBytesWritten, in.LiveBytesBefore = tc.written, tc.before
		m, _ := Predict(in)
		if tc.want == "" && m.Transient != "" || !strings.Contains(m.Transient, tc.want) {
			t.Errorf("%+v: transient %q, want %q", tc, m.Transient, tc.want)
		}
	}
	if m, _ := Predict(lsmInput(10*mib, nil)); !strings.Contains(m.ReadTransient, "fits in one memtable") {
		t.Errorf("small store: read transient %q", m.ReadTransient)
	}
}

// TestPredictMisses checks that Gets of absent keys are predicted to read
// only the blocks the Bloom filters let through, weighed by the hit ratio.
func TestPredictMisses(t *testing.T) {
	const live = 1e6 * 116
	blocks := func(hits, gets int64) float64 {
		in := lsmInput(live, nil)
		in.GetHits, in.Gets = hits, gets
		m, err := Predict(in)
		if err != nil || m == nil {
			t.Fatal(m, err)
		}
		return m.BlocksPerGet
	}
	hit, miss, half := blocks(100, 100), blocks(0, 100), blocks(50, 100)
	if hit < 1 || miss <= 0 || miss > 0.1 {
		t.Fatalf("blocks per get: present %.3f, absent %.3f; want >= 1 and in (0, 0.1]", hit, miss)
	}
	if d := half - (hit+miss)/2; d > 1e-9 || d < -1e-9 {
		t.Fatalf("half hits predict %.4f, want the mean %.4f", half, (hit+miss)/2)
	}
	if noGets := blocks(0, 0); noGets != hit {
		t.Fatalf("a phase without Gets predicts %.3f, want the present-key figure %.3f", noGets, hit)
	}
}
