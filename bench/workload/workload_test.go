package workload

import (
	"errors"
	"strings"
	"testing"
)

func TestLookupWorkload(t *testing.T) {
	for _, name := range []string{"ycsb-a", "YCSB-A", "ycsba", "a", "A"} {
		if w, err := LookupWorkload(name); err != nil || w.Name != "ycsb-a" {
			t.Errorf("LookupWorkload(%q) = %q, %v", name, w.Name, err)
		}
	}
	_, err := LookupWorkload("fillrandum")
	if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "fillrandom") {
		t.Errorf("unknown workload: %v (want ErrConfig listing the known ones)", err)
	}
	if len(Workloads()) != 15 {
		t.Errorf("%d workloads, want 9 db_bench + 6 YCSB", len(Workloads()))
	}
}

const workloadA = `# Yahoo! Cloud System Benchmark
# Workload A: Update heavy workload
recordcount=1000
operationcount=1000
workload=site.ycsb.workloads.CoreWorkload

readallfields=true

readproportion=0.5
updateproportion=0.5
scanproportion=0
insertproportion=0

requestdistribution=zipfian
`

func TestParseYCSBProperties(t *testing.T) {
	w, err := ParseYCSBProperties(strings.NewReader(workloadA), "workloada")
	if err != nil {
		t.Fatal(err)
	}
	if w.Records != 1000 || w.Operations != 1000 || w.Mix[OpRead] != 0.5 || w.Mix[OpUpdate] != 0.5 ||
		w.Distribution.Kind != Zipfian || w.ValueSize != (ValueSize{1000, 1000}) || !w.HashedKeys {
		t.Errorf("parsed %+v", w)
	}
	if len(w.Notes) != 2 {
		t.Errorf("notes %q, want the two ignored properties", w.Notes)
	}
	e, err := ParseYCSBProperties(strings.NewReader(`recordcount: 10
scanproportion 0.95
insertproportion=0.05
readproportion=0
updateproportion=0
maxscanlength=50
scanlengthdistribution=zipfian
requestdistribution=hotspot
hotspotdatafraction=0.3
fieldlength=10
fieldcount=2
fieldlengthdistribution=uniform
insertorder=ordered
zipfianconstant=0.7
`), "e")
	if err != nil {
		t.Fatal(err)
	}
	if e.ScanLength != (ScanLength{1, 50, true}) || e.Distribution.HotSetFraction != 0.3 || e.ValueSize != (ValueSize{2, 20}) || e.HashedKeys {
		t.Errorf("parsed %+v", e)
	}
	for _, bad := range []string{
		"readproportoin=0.5",           // misspelt: must not silently run the default mix
		"requestdistribution=gaussian", // unsupported
		"readproportion=-1",
		"readproportion=0\nupdateproportion=0",
		"fieldlengthdistribution=histogram",
		"insertorder=sideways",
		"justakey",
	} {
		if _, err := ParseYCSBProperties(strings.NewReader(bad), "bad"); !errors.Is(err, ErrConfig) {
			t.Errorf("%q: %v, want an ErrConfig error", bad, err)
		}
	}
}

// TestYCSBOverrides: properties given as overrides replace a file's, and
// applied to a built-in workload change only what they name.
func TestYCSBOverrides(t *testing.T) {
	file := "recordcount=1000\noperationcount=3000\nreadproportion=0.5\nupdateproportion=0.5\nfieldlength=10\n"
	w, err := ParseYCSBProperties(strings.NewReader(file), "x", map[string]string{"operationcount": "2k", "UpdateProportion": "0"})
	if err != nil {
		t.Fatal(err)
	}
	if w.Records != 1000 || w.Operations != 2000 || w.Mix[OpUpdate] != 0 || w.Mix[OpRead] != 0.5 || w.ValueSize.Max != 100 {
		t.Fatalf("overridden file: %+v", w)
	}
	a, _ := LookupWorkload("ycsb-a")
	got, err := ApplyYCSBProperties(a, map[string]string{"readproportion": "0.9", "requestdistribution": "uniform", "threadcount": "4"})
	if err != nil {
		t.Fatal(err)
	}
	m, _ := got.Mix.Normalized()
	if got.Name != "ycsb-a" || got.Distribution.Kind != Uniform || m[OpRead] < 0.64 || m[OpRead] > 0.65 || !got.HashedKeys ||
		got.Load != a.Load || !got.ValueSize.IsZero() || got.Records != 0 || len(got.Notes) != 1 {
		t.Fatalf("ycsb-a with overrides: %+v", got)
	}
	r, _ := LookupWorkload("readmissing")
	if got, err := ApplyYCSBProperties(r, map[string]string{"recordcount": "500", "fieldcount": "2"}); err != nil ||
		got.Records != 500 || got.Mix[OpReadMissing] != 1 || got.ValueSize.Max != 200 || got.HashedKeys {
		t.Fatalf("readmissing with overrides: %+v, %v", got, err)
	}
	if _, err := ApplyYCSBProperties(a, map[string]string{"readproportoin": "1"}); err == nil {
		t.Fatal("a misspelt property accepted")
	}
}
