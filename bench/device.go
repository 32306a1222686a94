package bench

import (
	"time"

	"github.com/kvlab/kvlab/bench/workload"
	"github.com/kvlab/kvlab/vfs"
)

// DevicePhase holds a phase's figures on a simulated device
// (Config.Device): the device time the model charged, beside the CPU time
// the harness measured. docs/device-model.md explains how they combine.
//
// With Config.Direct (Measured set) the figures are measured on the real
// device instead: DeviceMicrosPerOp is the wall time the clients spent in
// read, write and sync system calls per operation, BusySeconds that time
// over every goroutine (background work included; calls on several
// goroutines overlap), Seconds and OpsPerSec the phase's measured figures
// (the device time is already in them), and ByOp is empty: the phase's own
// latencies are the latencies on the device.
type DevicePhase struct {
	// Model is the device model's one-line description, or the direct
	// file system's.
	Model string `json:"model"`
	// Measured says the figures were measured with direct I/O
	// (Config.Direct), not modelled.
	Measured bool `json:"measured,omitempty"`
	// CPUMicrosPerOp is the measured time per operation (Phase.MicrosPerOp):
	// the engine's code, with the page cache serving its file I/O.
	CPUMicrosPerOp float64 `json:"cpu_micros_per_op"`
	// DeviceMicrosPerOp is the modelled device time the clients waited
	// per operation: reads that missed the engine's caches and syncs made
	// on the clients' goroutines.
	DeviceMicrosPerOp float64 `json:"device_micros_per_op"`
	// BusySeconds is the modelled time the device was occupied by every
	// access of the phase, background flushes, compactions and
	// checkpoints included; Utilization is BusySeconds / Seconds.
	BusySeconds float64 `json:"busy_seconds"`
	Utilization float64 `json:"utilization"`
	// BackgroundSeconds is the modelled service time of the accesses no
	// client waited for (flushes, compactions, write-back).
	BackgroundSeconds float64 `json:"background_seconds"`
	// Seconds is the modelled phase time: the clients' measured time plus
	// the device time they waited, or the device's busy time if that is
	// longer (the device cannot be more than fully occupied).
	Seconds float64 `json:"seconds"`
	// OpsPerSec is Ops / Seconds: the modelled throughput.
	OpsPerSec float64 `json:"ops_per_sec"`
	// DeviceBound says the busy time set Seconds.
	DeviceBound bool `json:"device_bound,omitempty"`
	// RandomReadsPerOp and SeqReadsPerOp are device reads per operation;
	// SyncsPerOp syncs per operation.
	RandomReadsPerOp float64 `json:"random_reads_per_op"`
	SeqReadsPerOp    float64 `json:"seq_reads_per_op"`
	SyncsPerOp       float64 `json:"syncs_per_op"`
	// ByOp is the modelled latency (measured time plus device time) per
	// operation kind, in the order of Phase.ByOp.
	ByOp []DeviceOp `json:"by_op"`
}

// DeviceOp is one operation kind's modelled latency.
type DeviceOp struct {
	Op      string  `json:"op"`
	Latency Latency `json:"latency"`
}

// Op returns the modelled figures of the named operation, or nil.
func (d *DevicePhase) Op(name string) *DeviceOp {
	if d == nil {
		return nil
	}
	for i := range d.ByOp {
		if d.ByOp[i].Op == name {
			return &d.ByOp[i]
		}
	}
	return nil
}

// deviceFS is what a phase takes device figures from: the simulated
// vfs.Device or the real device under vfs.Direct.
type deviceFS interface {
	Stats() vfs.DeviceStats
	Meter() *vfs.Meter
}

// deviceClient is a client's view of the simulated device.
type deviceClient struct {
	meter  *vfs.Meter
	hists  [workload.NumOps]*Histogram // measured + device time
	waited time.Duration               // device time of measured operations
}

// deviceStart takes the client's meter; it must run on the client's goroutine.
func (c *client) deviceStart() {
	if c.s.dev == nil {
		return
	}
	c.dev = &deviceClient{meter: c.s.dev.Meter()}
}

// deviceStop releases the meter.
func (c *client) deviceStop() {
	if c.dev != nil {
		c.dev.meter.Release()
	}
}

// deviceRecord adds the device time of the operation just done to the
// modelled latency of op; measured says whether the operation counts.
func (c *client) deviceRecord(op workload.Op, d time.Duration, measured bool) {
	if c.dev == nil {
		return
	}
	w := c.dev.meter.Take()
	if !measured {
		return
	}
	h := c.dev.hists[op]
	if h == nil {
		h = NewHistogram()
		c.dev.hists[op] = h
	}
	h.Record(d + w)
	c.dev.waited += w
}

// measureDevice fills ph.Device from the clients and the device's figures
// over the phase.
func (s *runState) measureDevice(ph *Phase, clients []*client, d vfs.DeviceStats) {
	if s.dev == nil || ph.Ops == 0 {
		return
	}
	dp := &DevicePhase{Model: s.devDesc, Measured: s.direct, CPUMicrosPerOp: ph.MicrosPerOp}
	var waited time.Duration // the longest a client waited
	var total time.Duration
	for _, c := range clients {
		if c.dev != nil {
			waited = max(waited, c.dev.waited)
			total += c.dev.waited
		}
	}
	ops := float64(ph.Ops)
	dp.DeviceMicrosPerOp = total.Seconds() * 1e6 / ops
	dp.BusySeconds = d.Busy.Seconds()
	dp.BackgroundSeconds = max(0, (d.Waited - d.Metered).Seconds())
	dp.Seconds = ph.Seconds + waited.Seconds()
	if s.direct {
		// Measured: the device time is already in the phase's time.
		dp.Seconds = ph.Seconds
		dp.BackgroundSeconds = max(0, (d.Busy - d.Metered).Seconds())
	}
	if dp.BusySeconds > dp.Seconds && !s.direct {
		dp.Seconds, dp.DeviceBound = dp.BusySeconds, true
	}
	if dp.Seconds > 0 {
		dp.OpsPerSec = ops / dp.Seconds
		dp.Utilization = dp.BusySeconds / dp.Seconds
	}
	dp.RandomReadsPerOp = float64(d.RandomReads) / ops
	dp.SeqReadsPerOp = float64(d.SeqReads) / ops
	dp.SyncsPerOp = float64(d.Syncs) / ops
	if s.direct {
		ph.Device = dp
		return
	}
	for _, o := range ph.ByOp {
		op, ok := workload.OpByName(o.Op)
		if !ok {
			continue
		}
		var h *Histogram
		for _, c := range clients {
			if c.dev == nil || c.dev.hists[op] == nil {
				continue
			}
			if h == nil {
				h = NewHistogram()
			}
			h.Merge(c.dev.hists[op])
		}
		if h != nil {
			dp.ByOp = append(dp.ByOp, DeviceOp{Op: o.Op, Latency: h.Summary()})
		}
	}
	ph.Device = dp
}
