package bench

import (
	"context"
	"errors"
	"testing"

	"github.com/kvlab/kvlab/bench/workload"
	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/vfs"
)

// TestDeviceTurnsReadsIntoTime runs both engines on a simulated SSD with
// caches far smaller than the data: their reads miss, and the modelled
// latency of a read must exceed its measured time by about a device read.
func TestDeviceTurnsReadsIntoTime(t *testing.T) {
	w, _ := workload.LookupWorkload("readrandom")
	dev := vfs.DeviceSSD
	for _, tc := range []struct {
		engine   string
		settings map[string]string
	}{
		{"lsm", map[string]string{"memtable-size": "64KiB", "block-cache": "64KiB"}},
		{"btree", map[string]string{"pool-size": "64KiB", "checkpoint-size": "256KiB"}},
	} {
		t.Run(tc.engine, func(t *testing.T) {
			res, err := Run(context.Background(), Config{Engine: tc.engine, Settings: tc.settings, Workload: w,
				Num: 20000, Ops: 2000, Device: &dev})
			if err != nil {
				t.Fatal(err)
			}
			d := res.Run.Device
			if d == nil {
				t.Fatal("no device figures")
			}
			if d.RandomReadsPerOp < 0.5 {
				t.Errorf("%.2f random device reads per get: the small caches should miss", d.RandomReadsPerOp)
			}
			if d.DeviceMicrosPerOp < 50 {
				t.Errorf("device µs/op %.1f: want about a device read (%v) per get", d.DeviceMicrosPerOp, dev.Latency)
			}
			if d.OpsPerSec <= 0 || d.OpsPerSec >= res.Run.OpsPerSec {
				t.Errorf("modelled ops/s %.0f, measured %.0f: device time must slow the run", d.OpsPerSec, res.Run.OpsPerSec)
			}
			m, o := d.Op("read"), res.Run.Op("read")
			if m == nil || m.Latency.P50 <= o.Latency.P50 {
				t.Errorf("modelled read latency %+v, measured %+v", m, o.Latency)
			}
			if res.Load.Device == nil || res.Load.Device.BusySeconds <= 0 {
				t.Errorf("load phase device figures %+v", res.Load.Device)
			}
		})
	}
}

func TestDeviceRefusesPeers(t *testing.T) {
	w, _ := workload.LookupWorkload("readrandom")
	dev := vfs.DeviceHDD
	_, err := Run(context.Background(), Config{Engine: "x", Workload: w, Device: &dev,
		OpenEngine: func(string) (kv.Engine, error) { return nil, nil }})
	if !errors.Is(err, ErrConfig) {
		t.Fatalf("device run of an engine outside vfs: %v, want ErrConfig", err)
	}
}
