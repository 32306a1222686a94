package plot

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/kvlab/kvlab/bench"
	"github.com/kvlab/kvlab/kv"
)

// fakeResult builds a result with the figures the charts read.
func fakeResult(engine, workload string, opsPerSec, writeAmp float64, sweep map[string]string) *bench.Result {
	lat := bench.Latency{P50: 1000, P95: 3000, P99: 9000, P999: 40000, Max: 900000}
	run := &bench.Phase{Name: "run", Ops: 1000, Seconds: 1000 / opsPerSec, OpsPerSec: opsPerSec, WriteAmp: writeAmp,
		ReadAmp: writeAmp / 2, SpaceAmp: 1.3, BlocksPerGet: 2,
		ByOp: []bench.OpResult{{Op: "read", Count: 500, OpsPerSec: opsPerSec / 2, Latency: lat},
			{Op: "update", Count: 500, OpsPerSec: opsPerSec / 2, Latency: lat}},
		Stats: kv.Stats{Engine: engine}}
	return &bench.Result{Engine: engine, Workload: workload, Persistent: engine != "memory", Sweep: sweep, Run: run,
		Load: &bench.Phase{Name: "load", Ops: 1000, WriteAmp: 1.1}}
}

func TestRenderFormats(t *testing.T) {
	var rs []*bench.Result
	for _, w := range []string{"fillrandom", "ycsb-a"} {
		rs = append(rs, fakeResult("lsm", w, 400e3, 9.2, nil), fakeResult("btree", w, 130e3, 2.4, nil), fakeResult("memory", w, 2e6, 0, nil))
	}
	for _, bits := range []string{"0", "5", "10"} {
		for _, bs := range []string{"4KiB", "16KiB"} {
			rs = append(rs, fakeResult("lsm", "readrandom", 1e5, 3, map[string]string{"lsm.bloom-bits": bits, "lsm.block-size": bs}))
		}
	}
	for format, magic := range map[string]string{"svg": "<svg", "png": "\x89PNG", "pdf": "%PDF"} {
		var buf bytes.Buffer
		if err := Render(&buf, rs, format, Options{}); err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		if !strings.Contains(buf.String()[:min(buf.Len(), 512)], magic) || buf.Len() < 10_000 {
			t.Errorf("%s: %d bytes starting %q", format, buf.Len(), buf.String()[:min(buf.Len(), 16)])
		}
		if format == "svg" {
			for _, want := range []string{"Throughput", "Write amplification", "Latency: ycsb-a", "vs lsm.bloom-bits", "block-size=16KiB"} {
				if !strings.Contains(buf.String(), want) {
					t.Errorf("svg lacks %q", want)
				}
			}
		}
	}
}

// TestRenderSweepModel draws a sweep whose results carry the cost model's
// predictions: the write, blocks-per-get and space charts get a dashed
// "model" line beside the "measured" one, the others none.
func TestRenderSweepModel(t *testing.T) {
	var rs []*bench.Result
	for i, bits := range []string{"0", "5", "10"} {
		r := fakeResult("lsm", "ycsb-a", 1e5, 3+float64(i), map[string]string{"lsm.bloom-bits": bits})
		r.Run.Model = &bench.Model{Basis: "leveled compaction", WriteAmp: 4 + float64(i), BlocksPerGet: 1.5, SpaceAmp: 1.1}
		rs = append(rs, r)
	}
	var buf bytes.Buffer
	if err := Render(&buf, rs, "svg", Options{}); err != nil {
		t.Fatal(err)
	}
	svg := buf.String()
	if n := strings.Count(svg, ">model<"); n != 3 {
		t.Errorf("%d \"model\" legend entries, want 3 (write amp, blocks per get, space amp)", n)
	}
	if n := strings.Count(svg, ">measured<"); n != 3 {
		t.Errorf("%d \"measured\" legend entries, want 3", n)
	}
	if !strings.Contains(svg, "stroke-dasharray") {
		t.Error("no dashed line")
	}
	// Without models: no legend at all for a single series.
	for _, r := range rs {
		r.Run.Model = nil
	}
	buf.Reset()
	if err := Render(&buf, rs, "svg", Options{}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), ">model<") || strings.Contains(buf.String(), ">measured<") {
		t.Error("model legend without a model")
	}
}

// TestRenderBarModel: bar charts of amplification mark the cost model's
// prediction across the bars of the engines that have one.
func TestRenderBarModel(t *testing.T) {
	var rs []*bench.Result
	for _, w := range []string{"fillrandom", "ycsb-a"} {
		lsm := fakeResult("lsm", w, 400e3, 9.2, nil)
		lsm.Run.Model = &bench.Model{Basis: "leveled compaction", WriteAmp: 11, BlocksPerGet: 1.1, SpaceAmp: 1.2}
		rs = append(rs, lsm, fakeResult("memory", w, 2e6, 0, nil))
	}
	var buf bytes.Buffer
	if err := Render(&buf, rs, "svg", Options{}); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(buf.String(), ">model<"); n != 3 {
		t.Errorf("%d \"model\" legend entries, want 3 (write amp, space amp, blocks per get)", n)
	}
}

func TestRenderNothing(t *testing.T) {
	err := Render(&bytes.Buffer{}, []*bench.Result{{Engine: "x", Workload: "y", Error: "boom"}}, "svg", Options{})
	if !errors.Is(err, ErrNothingToPlot) {
		t.Fatalf("got %v, want ErrNothingToPlot", err)
	}
}

func TestFormatOf(t *testing.T) {
	for in, want := range map[string]string{"a.svg": "svg", "dir/b.PNG": "png", "c.pdf": "pdf", "d.jpg": "", "e": ""} {
		got, err := FormatOf(in)
		if got != want || (want == "") != (err != nil) {
			t.Errorf("FormatOf(%q) = %q, %v", in, got, err)
		}
	}
}

func TestShortNumbers(t *testing.T) {
	for v, want := range map[float64]string{0: "0", 1.5: "1.5", 242540: "243k", 1.25e6: "1.25M", 12.34: "12.3", 100: "100"} {
		if got := short(v); got != want {
			t.Errorf("short(%g) = %q, want %q", v, got, want)
		}
	}
}
