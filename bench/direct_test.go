package bench

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/kvlab/kvlab/bench/workload"
	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/vfs"
)

// TestDirectReadsTheDevice runs both engines with direct I/O and caches far
// smaller than the data: their Gets miss the caches and read the device,
// which the phase reports as device reads and measured device time, and
// the engines' results are right (readrandom finds every key).
func TestDirectReadsTheDevice(t *testing.T) {
	dir := t.TempDir()
	if _, err := vfs.NewDirect(dir); errors.Is(err, vfs.ErrDirectUnsupported) {
		t.Skipf("no direct I/O here: %v", err)
	}
	w, _ := workload.LookupWorkload("readrandom")
	for _, tc := range []struct {
		engine   string
		settings map[string]string
	}{
		{"lsm", map[string]string{"memtable-size": "64KiB", "block-cache": "64KiB"}},
		{"btree", map[string]string{"pool-size": "64KiB", "checkpoint-size": "1MiB"}},
	} {
		t.Run(tc.engine, func(t *testing.T) {
			res, err := Run(context.Background(), Config{Engine: tc.engine, Settings: tc.settings, Workload: w,
				Num: 10000, Ops: 1000, Direct: true, Dir: t.TempDir() + "/store"})
			if err != nil {
				t.Fatal(err)
			}
			d := res.Run.Device
			if d == nil || !d.Measured {
				t.Fatalf("device figures %+v: want measured ones", d)
			}
			if !strings.Contains(d.Model, "O_DIRECT") {
				t.Errorf("model %q does not say O_DIRECT", d.Model)
			}
			if d.RandomReadsPerOp < 0.5 {
				t.Errorf("%.2f device reads per get: the small caches should miss", d.RandomReadsPerOp)
			}
			if d.DeviceMicrosPerOp <= 0 || d.DeviceMicrosPerOp > res.Run.MicrosPerOp {
				t.Errorf("device µs/op %.1f: want within the measured %.1f µs/op", d.DeviceMicrosPerOp, res.Run.MicrosPerOp)
			}
			if d.OpsPerSec != res.Run.OpsPerSec || len(d.ByOp) != 0 {
				t.Errorf("measured device ops/s %.0f (phase %.0f), %d modelled latencies: want the phase's own", d.OpsPerSec, res.Run.OpsPerSec, len(d.ByOp))
			}
			if o := res.Run.Op("read"); o == nil || o.Misses != 0 {
				t.Errorf("reads %+v: every loaded key must be found", o)
			}
		})
	}
}

// TestDirectRefusals: direct I/O is refused with peers, with a simulated
// device, and on a memory file system, where the error names it.
func TestDirectRefusals(t *testing.T) {
	w, _ := workload.LookupWorkload("readrandom")
	dev := vfs.DeviceSSD
	_, err := Run(context.Background(), Config{Engine: "lsm", Workload: w, Direct: true, Device: &dev})
	if !errors.Is(err, ErrConfig) {
		t.Errorf("direct with a simulated device: %v, want ErrConfig", err)
	}
	_, err = Run(context.Background(), Config{Engine: "x", Workload: w, Direct: true,
		OpenEngine: func(string) (kv.Engine, error) { return nil, nil }})
	if !errors.Is(err, ErrConfig) {
		t.Errorf("direct with an engine of its own I/O: %v, want ErrConfig", err)
	}
	shm, err := os.MkdirTemp("/dev/shm", "kvlab-bench-")
	if err != nil {
		t.Skip("no /dev/shm")
	}
	defer os.RemoveAll(shm)
	_, err = Run(context.Background(), Config{Engine: "lsm", Workload: w, Num: 100, Direct: true, Dir: shm + "/store"})
	if err == nil {
		t.Skip("/dev/shm is not a memory file system here")
	}
	if !errors.Is(err, vfs.ErrDirectUnsupported) || !strings.Contains(err.Error(), "tmpfs") {
		t.Errorf("direct on /dev/shm: %v, want ErrDirectUnsupported naming tmpfs", err)
	}
}
