package main

import (
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/kvlab/kvlab/internal/units"
	"github.com/kvlab/kvlab/vfs"
)

// deviceFlags choose the device a run is measured on: the page cache (the
// default), the real device with the page cache taken out (direct:
// vfs.Direct), or a simulated device (vfs.Device); docs/device-model.md.
type deviceFlags struct {
	device, bandwidth, iops string
	latency, syncLatency    time.Duration
}

func (f *deviceFlags) register(fl *pflag.FlagSet) {
	fl.StringVar(&f.device, "device", "cache", "where file I/O goes: cache (the OS page cache, measured), direct (the real disk under --dir with O_DIRECT: "+
		"only the engines' own caches, device reads measured; fails on tmpfs) or a simulated device on a virtual clock: "+
		strings.Join(vfs.DeviceNames(), ", ")+" (see docs/device-model.md)")
	fl.DurationVar(&f.latency, "device-latency", 0, "simulated device: access time of a random read (default: the profile's; alone: an ssd with this latency)")
	fl.DurationVar(&f.syncLatency, "device-sync-latency", 0, "simulated device: time a sync waits beside its transfer (default: the profile's)")
	fl.StringVar(&f.bandwidth, "device-bandwidth", "", "simulated device: transfer rate per second, a size (500MB, 2GB; default: the profile's)")
	fl.StringVar(&f.iops, "device-iops", "", "simulated device: random accesses per second it serves at most, a count (100k; default: the profile's)")
}

// direct reports whether --device direct was chosen.
func (f *deviceFlags) direct() bool { return f.device == "direct" }

// model returns the simulated device chosen, or nil for the page cache and
// for direct I/O.
func (f *deviceFlags) model(fl *pflag.FlagSet) (*vfs.DeviceModel, error) {
	custom := fl.Changed("device-latency") || fl.Changed("device-sync-latency") || fl.Changed("device-bandwidth") || fl.Changed("device-iops")
	var m vfs.DeviceModel
	switch {
	case f.direct() && custom:
		return nil, usageErrorf("--device direct measures the real device: the --device-* parameters describe a simulated one (%s)", strings.Join(vfs.DeviceNames(), ", "))
	case f.direct():
		return nil, nil
	case f.device == "cache" && !custom:
		return nil, nil
	case f.device == "cache" && fl.Changed("device"):
		return nil, usageErrorf("--device cache measures the page cache: the --device-* parameters need a simulated device (%s)", strings.Join(vfs.DeviceNames(), ", "))
	case f.device == "cache":
		m = vfs.DeviceSSD
		m.Name = "custom"
	default:
		var ok bool
		if m, ok = vfs.DeviceByName(f.device); !ok {
			return nil, usageErrorf("--device %q: want cache, direct, %s", f.device, strings.Join(vfs.DeviceNames(), ", "))
		}
		if custom {
			m.Name += "*"
		}
	}
	if fl.Changed("device-latency") {
		m.Latency = f.latency
	}
	if fl.Changed("device-sync-latency") {
		m.SyncLatency = f.syncLatency
	}
	if fl.Changed("device-bandwidth") {
		n, err := units.ParseSize(f.bandwidth)
		if err != nil || n == 0 {
			return nil, usageErrorf("--device-bandwidth %q: want a positive size per second (500MB, 2GiB)", f.bandwidth)
		}
		m.Bandwidth = float64(n)
	}
	if fl.Changed("device-iops") {
		n, err := units.ParseCount(f.iops)
		if err != nil || n == 0 {
			return nil, usageErrorf("--device-iops %q: want a positive count (100k)", f.iops)
		}
		m.IOPS = float64(n)
	}
	if err := m.Validate(); err != nil {
		return nil, usageErrorf("%v", err)
	}
	return &m, nil
}
