package bench

import (
	"context"
	"testing"

	"github.com/kvlab/kvlab/bench/workload"
)

// TestSteadyReachesLevelsAndCheckpoints: with Steady, the LSM spreads over
// the levels its model expects and the B+tree checkpoints before the run
// phase, and the result says so.
func TestSteadyReachesLevelsAndCheckpoints(t *testing.T) {
	w, _ := workload.LookupWorkload("overwrite")
	for _, tc := range []struct {
		engine   string
		settings map[string]string
	}{
		{"lsm", map[string]string{"memtable-size": "64KiB", "l1-target-size": "128KiB", "target-file-size": "64KiB", "level-ratio": "3"}},
		{"btree", map[string]string{"checkpoint-size": "256KiB", "pool-size": "256KiB"}},
	} {
		t.Run(tc.engine, func(t *testing.T) {
			res, err := Run(context.Background(), Config{Engine: tc.engine, Settings: tc.settings, Workload: w, Num: 20000, Ops: 5000, Steady: true})
			if err != nil {
				t.Fatal(err)
			}
			st := res.Steady
			if st == nil || !st.Reached || st.Rounds < 1 {
				t.Fatalf("steady %+v", st)
			}
			if tc.engine == "lsm" && (st.TargetLevels < 2 || st.Levels < 2 || st.Levels < st.TargetLevels-1 || st.Compactions == 0) {
				t.Errorf("lsm steady %+v: want the model's levels, at least 2", st)
			}
			if tc.engine == "btree" && st.Checkpoints < steadyCheckpoints {
				t.Errorf("btree steady %+v", st)
			}
			if !res.Params.Steady {
				t.Error("params do not record the steady run")
			}
		})
	}
}
