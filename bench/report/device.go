package report

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/kvlab/kvlab/bench"
	"github.com/kvlab/kvlab/bench/workload"
)

// deviceRows are the rows of a run on a simulated device
// (docs/device-model.md): modelled time beside measured, for the phase
// named.
func deviceRows(rs []*bench.Result, phase string) []row {
	has := slices.ContainsFunc(rs, func(r *bench.Result) bool {
		p := phaseOf(r, phase)
		return p != nil && p.Device != nil
	})
	if !has {
		return nil
	}
	dev := func(label string, better int, format func(float64) string, zeroOK bool, f func(*bench.DevicePhase) float64) row {
		return phaseRow(phase+" "+label, phase, better, format, zeroOK, func(p *bench.Phase) float64 {
			if p.Device == nil {
				return 0
			}
			return f(p.Device)
		})
	}
	rows := []row{
		// Measured on the real device, the phase's own ops/s is the device's.
		dev("ops/s on device", +1, formatRate, false, func(d *bench.DevicePhase) float64 {
			if d.Measured {
				return 0
			}
			return d.OpsPerSec
		}),
		dev("device µs/op", -1, formatMicros, true, func(d *bench.DevicePhase) float64 { return d.DeviceMicrosPerOp }),
		dev("device busy", 0, formatPercent, true, func(d *bench.DevicePhase) float64 { return min(d.Utilization, 1) }),
		dev("device reads/op", -1, formatRatio, true, func(d *bench.DevicePhase) float64 { return d.RandomReadsPerOp }),
		dev("device syncs/op", -1, formatRatio, true, func(d *bench.DevicePhase) float64 { return d.SyncsPerOp }),
	}
	if phase == "load" {
		return rows
	}
	for op := workload.Op(0); op < workload.NumOps; op++ {
		name := op.String()
		if !slices.ContainsFunc(rs, func(r *bench.Result) bool { return r.Run != nil && r.Run.Device.Op(name) != nil }) {
			continue
		}
		lat := func(label string, f func(bench.Latency) int64) row {
			return phaseRow(fmt.Sprintf("%s %s on device", name, label), "run", -1, formatNanos, false, func(p *bench.Phase) float64 {
				if o := p.Device.Op(name); o != nil {
					return float64(f(o.Latency))
				}
				return 0
			})
		}
		rows = append(rows,
			lat("p50", func(l bench.Latency) int64 { return l.P50 }),
			lat("p99", func(l bench.Latency) int64 { return l.P99 }))
	}
	return rows
}

// writeDeviceHeader says which device the results were measured on and
// how the device rows are made.
func writeDeviceHeader(w io.Writer, rs []*bench.Result) {
	var models, direct []string
	for _, r := range rs {
		for _, p := range []*bench.Phase{r.Load, r.Run} {
			switch {
			case p == nil || p.Device == nil:
			case p.Device.Measured && !slices.Contains(direct, p.Device.Model):
				direct = append(direct, p.Device.Model)
			case !p.Device.Measured && !slices.Contains(models, p.Device.Model):
				models = append(models, p.Device.Model)
			}
		}
	}
	if len(models) > 0 {
		fmt.Fprintf(w, "device: simulated %s; \"on device\" rows add the modelled device time each client waited to the measured time, "+
			"and the device's busy time bounds throughput (docs/device-model.md)\n", strings.Join(models, "; "))
	}
	if len(direct) > 0 {
		fmt.Fprintf(w, "device: %s, measured: no page cache, the engines' own caches only; \"device µs/op\" is the time clients spent in read, "+
			"write and sync calls per operation, \"device busy\" that time on every goroutine (background included) / phase time, "+
			"\"device reads/op\" the random reads per operation (docs/device-model.md)\n", strings.Join(direct, "; "))
	}
}
