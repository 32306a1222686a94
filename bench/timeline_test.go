package bench

import (
	"context"
	"testing"
	"time"

	"github.com/kvlab/kvlab/bench/timeline"
	"github.com/kvlab/kvlab/bench/workload"
)

// TestTimelineRecordsBackgroundWork: a run with Timeline holds the engine's
// flushes and compactions (lsm) or checkpoints (btree) as they happened,
// each within the recording, as many as the phase figures count, and
// samples of the shape that end with the store's levels or tree.
func TestTimelineRecordsBackgroundWork(t *testing.T) {
	w, _ := workload.LookupWorkload("fillrandom")
	for _, tc := range []struct {
		engine   string
		settings map[string]string
		kinds    []string
	}{
		{"lsm", map[string]string{"memtable-size": "64KiB", "l1-target-size": "128KiB", "target-file-size": "64KiB"}, []string{timeline.Flush, timeline.Compaction}},
		{"btree", map[string]string{"checkpoint-size": "128KiB"}, []string{timeline.Checkpoint}},
	} {
		t.Run(tc.engine, func(t *testing.T) {
			res, err := Run(context.Background(), Config{Engine: tc.engine, Settings: tc.settings, Workload: w, Num: 20000,
				Timeline: true, TimelineEvery: 5 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			tl := res.Timeline
			if tl == nil || tl.Engine != tc.engine {
				t.Fatalf("timeline %+v", tl)
			}
			counts := tl.Counts()
			for _, k := range tc.kinds {
				if counts[k] == 0 {
					t.Errorf("no %s events: %v", k, counts)
				}
			}
			if b := res.Run.Background; b != nil && int64(counts[timeline.Flush]) < b.Flushes {
				t.Errorf("%d flush events, the run phase alone counted %d", counts[timeline.Flush], b.Flushes)
			}
			for _, e := range tl.Events {
				if e.Start < 0 || e.End < e.Start || e.End > tl.Seconds {
					t.Errorf("event %+v outside [0, %.3f]", e, tl.Seconds)
				}
			}
			if len(tl.Phases) == 0 || tl.Phases[len(tl.Phases)-1].Name != "run" {
				t.Errorf("phase marks %+v", tl.Phases)
			}
			if len(tl.Samples) < 3 {
				t.Fatalf("%d samples", len(tl.Samples))
			}
			last := tl.Samples[len(tl.Samples)-1]
			switch tc.engine {
			case "lsm":
				var total int64
				for _, b := range last.LevelBytes {
					total += b
				}
				if total == 0 {
					t.Errorf("last sample %+v: no level bytes", last)
				}
			case "btree":
				if last.Height < 2 || last.LeafPages == 0 {
					t.Errorf("last sample %+v: no tree", last)
				}
			}
		})
	}
}
