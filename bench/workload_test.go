package bench

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/kvlab/kvlab/kv"
)

// runNull runs cfg against the no-op engine.
func runNull(t *testing.T, cfg Config) *Result {
	t.Helper()
	cfg.Engine = "no-op"
	cfg.Dir = t.TempDir()
	cfg.OpenEngine = func(string) (kv.Engine, error) { return &nullEngine{}, nil }
	res, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestWorkloadMixes runs every built-in workload for 100k operations and
// checks each operation's share against the mix, to within 1 %.
func TestWorkloadMixes(t *testing.T) {
	for _, w := range Workloads() {
		t.Run(w.Name, func(t *testing.T) {
			res := runNull(t, Config{Workload: w, Num: 1000, Ops: 100_000, ScanLength: ScanLength{Min: 1, Max: 2}})
			if res.Run.Ops != 100_000 {
				t.Fatalf("%d operations, want 100000", res.Run.Ops)
			}
			mix, _ := w.Mix.Normalized()
			for _, op := range mix.Ops() {
				o := res.Run.Op(op.String())
				if o == nil {
					t.Fatalf("no %v operations", op)
				}
				share := float64(o.Count) / float64(res.Run.Ops)
				if math.Abs(share-mix[op]) > 0.01 {
					t.Errorf("%v: %.4f of operations, want %.4f ± 0.01", op, share, mix[op])
				}
			}
			if len(res.Run.ByOp) != len(mix) {
				t.Errorf("operations %v, want only those of %v", res.Run.ByOp, mix)
			}
		})
	}
}

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
