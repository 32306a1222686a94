package main

import (
	"testing"

	"github.com/kvlab/kvlab/bench/workload"
)

func TestParseMix(t *testing.T) {
	for _, tc := range []struct {
		in   string
		op   string
		n    int
		fail bool
	}{
		{"read=0.1,0.9", "read", 2, false},
		{"scan=0,0.5,1", "scan", 3, false},
		{"update=0.5", "", 0, true},
		{"scan=", "", 0, true},
		{"scan=1.5", "", 0, true},
		{"0.5", "", 0, true},
	} {
		op, fs, err := parseMix(tc.in)
		if (err != nil) != tc.fail || op != tc.op || len(fs) != tc.n {
			t.Errorf("parseMix(%q) = %q, %v, %v", tc.in, op, fs, err)
		}
	}
}

func TestMixVariantsScan(t *testing.T) {
	w := workload.Workload{Name: "ycsb-a"}
	ws, labels := mixVariants(w, "scan", []float64{0, 0.5, 1})
	if len(ws) != 3 || labels[1]["scan"] != "0.5" {
		t.Fatalf("variants %+v, labels %v", ws, labels)
	}
	if ws[0].Mix[workload.OpScan] != 0 || ws[0].Mix[workload.OpUpdate] != 1 {
		t.Errorf("scan=0: mix %v, want updates only", ws[0].Mix)
	}
	if ws[1].Mix[workload.OpScan] != 0.5 || ws[1].Mix[workload.OpUpdate] != 0.5 || ws[1].ScanLength != defaultMixScan {
		t.Errorf("scan=0.5: mix %v, scan length %v", ws[1].Mix, ws[1].ScanLength)
	}
	if ws[2].Mix[workload.OpUpdate] != 0 || ws[2].Name != "ycsb-a-mix" {
		t.Errorf("scan=1: %+v", ws[2])
	}
	// A workload's own scan length is kept.
	e := workload.Workload{Name: "ycsb-e", ScanLength: workload.ScanLength{Min: 1, Max: 100}}
	if ws, _ := mixVariants(e, "scan", []float64{1}); ws[0].ScanLength != e.ScanLength {
		t.Errorf("ycsb-e scan length %v, want %v", ws[0].ScanLength, e.ScanLength)
	}
}
