package report

import (
	"fmt"
	"github.com/kvlab/kvlab/bench"
	"io"
	"maps"
	"runtime"
	"slices"
	"strings"
	"unicode"
)

// WriteBenchstat writes the results as the lines "go test -bench" prints,
// so that benchstat (golang.org/x/perf/cmd/benchstat) can compare two
// runs:
//
//	BenchmarkFillrandom/engine=lsm  200000  2431 ns/op  411344 ops/s  45.5 MiB/s  9.21 write-amp ...
//
// The run phase is BenchmarkWorkload, the load phase BenchmarkWorkloadLoad;
// sweep points add /option=value. ns/op is wall-clock time per operation
// (all clients together: the inverse of throughput, db_bench's micros/op
// × 1000); MiB/s is the user bytes written and read per second (db_bench's
// "MB/s", which divides by 2^20 too); latency percentiles
// are per operation kind ("read-p99-ns"), amplification figures are
// unitless ("write-amp"), and the cost model's predictions of them, where
// the engine has a model, are "model-write-amp", "model-blocks/get" and
// "model-space-amp". Unit lines tell benchstat which direction is better.
func WriteBenchstat(w io.Writer, results []*bench.Result) error {
	ew := &errWriter{w: w}
	fmt.Fprintf(ew, "goos: %s\ngoarch: %s\npkg: github.com/kvlab/kvlab/bench\n", runtime.GOOS, runtime.GOARCH)
	fmt.Fprintln(ew, "Unit ops/s better=higher")
	fmt.Fprintln(ew, "Unit MiB/s better=higher")
	fmt.Fprintln(ew, "Unit cache-hit-ratio better=higher")
	for _, u := range []string{"write-amp", "read-amp", "space-amp", "blocks/get", "disk-B", "peak-RSS-B"} {
		fmt.Fprintf(ew, "Unit %s better=lower\n", u)
	}
	var lastCfg string
	for _, r := range results {
		p := r.Params
		cfg := fmt.Sprintf("threads: %d\nnum: %d\nkey-size: %d\nvalue-size: %s\n", p.Threads, p.Num, p.KeySize, p.ValueSize)
		if cfg != lastCfg {
			fmt.Fprint(ew, cfg)
			lastCfg = cfg
		}
		name := benchName(r.Workload)
		sub := "/engine=" + benchKeyValue(r.Engine)
		for _, k := range slices.Sorted(maps.Keys(r.Sweep)) {
			_, opt, _ := strings.Cut(k, ".")
			if opt == "" {
				opt = k
			}
			sub += "/" + benchKeyValue(opt) + "=" + benchKeyValue(r.Sweep[k])
		}
		if r.Load != nil && r.Load.Ops > 0 {
			writeBenchLine(ew, "Benchmark"+name+"Load"+sub, r.Load)
		}
		if r.Run != nil && r.Run.Ops > 0 {
			writeBenchLine(ew, "Benchmark"+name+sub, r.Run)
		}
	}
	return ew.err
}

func writeBenchLine(w io.Writer, name string, ph *bench.Phase) {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\t%d\t%.1f ns/op\t%.0f ops/s", name, ph.Ops, ph.Seconds*1e9/float64(ph.Ops), ph.OpsPerSec)
	if ph.MiBPerSec > 0 {
		fmt.Fprintf(&b, "\t%.2f MiB/s", ph.MiBPerSec)
	}
	for _, o := range ph.ByOp {
		l := o.Latency
		op := o.Op
		if o.Buffered {
			// Only buffered (bbolt's grouped commits): a unit of its own,
			// so that benchstat never sets it against committed writes.
			op += "-buffered"
		}
		fmt.Fprintf(&b, "\t%d %s-p50-ns\t%d %s-p99-ns\t%d %s-p99.9-ns", l.P50, op, l.P99, op, l.P999, op)
	}
	metric := func(v float64, unit string) {
		if v != 0 {
			fmt.Fprintf(&b, "\t%.4g %s", v, unit)
		}
	}
	metric(ph.WriteAmp, "write-amp")
	metric(ph.ReadAmp, "read-amp")
	metric(ph.SpaceAmp, "space-amp")
	metric(ph.BlocksPerGet, "blocks/get")
	metric(ph.CacheHitRatio, "cache-hit-ratio")
	metric(float64(ph.DiskBytes), "disk-B")
	metric(float64(ph.PeakRSS), "peak-RSS-B")
	metric(float64(ph.PeakPrivateRSS), "peak-private-RSS-B")
	if d := ph.Device; d != nil {
		metric(d.OpsPerSec, "device-ops/s")
		metric(d.DeviceMicrosPerOp*1e3, "device-ns/op")
		for _, o := range d.ByOp {
			metric(float64(o.Latency.P99), o.Op+"-device-p99-ns")
		}
	}
	if c := ph.Commits; c != nil {
		metric(c.MicrosPerCommit*1e3, "ns/commit")
	}
	if m := ph.Model; m != nil {
		metric(m.WriteAmp, "model-write-amp")
		metric(m.BlocksPerGet, "model-blocks/get")
		metric(m.SpaceAmp, "model-space-amp")
	}
	fmt.Fprintln(w, b.String())
}

// benchName turns a workload name into a Go benchmark name: "ycsb-a" ->
// "YcsbA", "fillrandom" -> "Fillrandom".
func benchName(workload string) string {
	var b strings.Builder
	up := true
	for _, r := range workload {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			up = true
			continue
		}
		if up {
			r = unicode.ToUpper(r)
			up = false
		}
		b.WriteRune(r)
	}
	if b.Len() == 0 {
		return "Workload"
	}
	return b.String()
}

// benchKeyValue makes a string safe inside a benchmark name: no spaces, no
// slashes, no '=' and no trailing "-digits" (read as GOMAXPROCS).
func benchKeyValue(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '/' || r == '=' {
			return '_'
		}
		return r
	}, s)
	if i := strings.LastIndexByte(s, '-'); i >= 0 && i < len(s)-1 && strings.Trim(s[i+1:], "0123456789") == "" {
		s = s[:i] + "_" + s[i+1:]
	}
	return s
}
