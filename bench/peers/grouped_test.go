package peers

import (
	"context"
	"testing"

	"github.com/kvlab/kvlab/bench"
	"github.com/kvlab/kvlab/bench/workload"
)

// TestBboltMarksBufferedWrites: a run of updates on bbolt marks the update
// latency as buffered and reports the commits of the run phase, one per
// batch-size writes; the load phase, whose batches commit as they come,
// is not marked; and its read amplification is left unmeasured.
func TestBboltMarksBufferedWrites(t *testing.T) {
	w, _ := workload.LookupWorkload("ycsb-a")
	res, err := bench.Run(context.Background(), bench.Config{Engine: Bbolt, Workload: w, Num: 3000, Ops: 4000,
		Settings: map[string]string{"batch-size": "100"}, Dir: t.TempDir() + "/s"})
	if err != nil {
		t.Fatal(err)
	}
	up, rd := res.Run.Op("update"), res.Run.Op("read")
	if up == nil || !up.Buffered || rd == nil || rd.Buffered {
		t.Fatalf("update %+v, read %+v: want only the update buffered", up, rd)
	}
	c := res.Run.Commits
	if c == nil || c.Group != 100 || c.Count < up.Count/100 || c.Count > up.Count/100+1 || c.MicrosPerCommit <= 0 {
		t.Fatalf("commits %+v for %d updates in groups of 100", c, up.Count)
	}
	if res.Load.Commits != nil || res.Load.ByOp[0].Buffered {
		t.Errorf("load phase marked buffered: %+v", res.Load)
	}
	if !res.Unreports("Phase.ReadAmp") || res.Run.ReadAmp != 0 {
		t.Errorf("read amp %v, unreported %v: bbolt's mmap reads are unmeasured", res.Run.ReadAmp, res.Unreported)
	}
	// With --sync every write commits: nothing is buffered.
	res, err = bench.Run(context.Background(), bench.Config{Engine: Bbolt, Workload: w, Num: 500, Ops: 200, Sync: true,
		Settings: map[string]string{"batch-size": "100"}, Dir: t.TempDir() + "/s"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Run.Commits != nil || res.Run.Op("update").Buffered {
		t.Errorf("synced writes marked buffered: %+v", res.Run)
	}
}
