package timeline

import (
	"errors"
	"testing"
	"time"

	"github.com/kvlab/kvlab/kv"
)

// TestRecorderPairsEvents: each End closes its Begin by job ID, even when
// jobs overlap; a job or stall still open when the timeline is taken ends
// then; a failed job keeps its error; samples keep levels and pages.
func TestRecorderPairsEvents(t *testing.T) {
	r := NewRecorder("lsm")
	l := r.Listener()
	r.Mark("load")
	l.FlushBegin(kv.FlushInfo{JobID: 1, InputBytes: 100})
	l.CompactionBegin(kv.CompactionInfo{JobID: 2, FromLevel: 0, ToLevel: 1, InputBytes: 500})
	l.FlushEnd(kv.FlushInfo{JobID: 1, InputBytes: 100, OutputBytes: 80})
	l.WriteStallBegin(kv.WriteStallInfo{Reason: "L0 stop trigger"})
	l.WriteStallBegin(kv.WriteStallInfo{Reason: "again"}) // nested: one stall
	l.WriteStallEnd()
	l.CompactionEnd(kv.CompactionInfo{JobID: 2, FromLevel: 0, ToLevel: 1, InputBytes: 500, OutputBytes: 450, Err: errors.New("disk full")})
	l.CheckpointBegin(kv.CheckpointInfo{JobID: 3, Dir: "/backup"}) // a copy: not recorded
	l.CheckpointEnd(kv.CheckpointInfo{JobID: 3, Dir: "/backup"})
	l.FlushBegin(kv.FlushInfo{JobID: 4})
	l.WriteStallBegin(kv.WriteStallInfo{Reason: "memtables full"})
	r.Record(kv.Stats{DiskBytes: 10, LSM: &kv.LSMStats{MemtableBytes: 5, Levels: []kv.LevelStats{{Level: 0, Bytes: 3}, {Level: 2, Bytes: 7}}}})
	r.Record(kv.Stats{BTree: &kv.BTreeStats{Height: 3, LeafPages: 9, BranchPages: 2}})
	tl := r.Timeline()
	if got := tl.Counts(); got[Flush] != 2 || got[Compaction] != 1 || got[Stall] != 2 || got[Checkpoint] != 0 {
		t.Fatalf("counts %v", got)
	}
	for _, e := range tl.Events {
		if e.End < e.Start || e.End > tl.Seconds {
			t.Errorf("event %+v outside [start, %v]", e, tl.Seconds)
		}
		switch {
		case e.Kind == Compaction && (e.Err != "disk full" || e.OutBytes != 450 || e.ToLevel != 1):
			t.Errorf("compaction %+v", e)
		case e.Kind == Stall && e.Reason != "L0 stop trigger" && e.Reason != "memtables full":
			t.Errorf("stall %+v", e)
		}
	}
	if s := tl.Samples[0]; len(s.LevelBytes) != 3 || s.LevelBytes[2] != 7 || s.MemtableBytes != 5 {
		t.Errorf("lsm sample %+v", s)
	}
	if s := tl.Samples[1]; s.Height != 3 || s.LeafPages != 9 {
		t.Errorf("btree sample %+v", s)
	}
	if len(tl.Phases) != 1 || tl.Phases[0].Name != "load" {
		t.Errorf("phases %+v", tl.Phases)
	}
}

// TestSampleStops: Sample records at once, on its ticker, and once more at
// stop, after which it records nothing.
func TestSampleStops(t *testing.T) {
	r := NewRecorder("x")
	n := 0
	stop := r.Sample(func() kv.Stats { n++; return kv.Stats{DiskBytes: int64(n)} }, time.Millisecond)
	for len(r.Timeline().Samples) < 3 {
		time.Sleep(time.Millisecond)
	}
	stop()
	stop()
	got := len(r.Timeline().Samples)
	time.Sleep(5 * time.Millisecond)
	if len(r.Timeline().Samples) != got || got < 4 {
		t.Fatalf("%d samples after stop, then %d", got, len(r.Timeline().Samples))
	}
}
