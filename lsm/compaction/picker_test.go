package compaction

import (
	"bytes"
	"slices"
	"testing"

	"github.com/kvlab/kvlab/lsm/manifest"
)

var testOpts = Options{L0CompactionThreshold: 4, L1TargetSize: 1000, LevelRatio: 10, TargetFileSize: 100}

func TestTargetSizeAndScores(t *testing.T) {
	o := testOpts
	want := []uint64{0, 1000, 10000, 100000, 1000000, 10000000, 0}
	for level, w := range want {
		if got := TargetSize(level, o); got != w {
			t.Errorf("TargetSize(%d) = %d, want %d", level, got, w)
		}
	}
	v := build(t, map[int][]*manifest.TableMeta{
		0: {tbl(1, "a", "b", 10, 100), tbl(2, "a", "b", 10, 200)},
		1: {tbl(3, "a", "b", 1500, 1)},
		2: {tbl(4, "a", "b", 5000, 1)},
		6: {tbl(5, "a", "b", 1<<40, 1)},
	})
	s := Scores(v, o)
	if s[0] != 0.5 || s[1] != 1.5 || s[2] != 0.5 || s[3] != 0 || s[6] != 0 {
		t.Errorf("scores %v", s)
	}
	// L0 bytes count too: two tables, but three times the bytes of four
	// tables of L1's target size.
	v = build(t, map[int][]*manifest.TableMeta{0: {tbl(1, "a", "b", 6000, 1), tbl(2, "a", "b", 6000, 20)}})
	if s := Scores(v, o); s[0] != 3 {
		t.Errorf("L0 score by bytes %v, want 3", s[0])
	}
}

func TestOptionsDefaultsAndValidate(t *testing.T) {
	d := DefaultOptions()
	if d.L0CompactionThreshold != 4 || d.L1TargetSize != 64<<20 || d.LevelRatio != 10 || d.TargetFileSize != 8<<20 {
		t.Fatalf("defaults %+v", d)
	}
	if (Options{}).WithDefaults() != d {
		t.Fatal("WithDefaults of zero options is not DefaultOptions")
	}
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []Options{
		{L0CompactionThreshold: 0, L1TargetSize: 1, LevelRatio: 10, TargetFileSize: 1},
		{L0CompactionThreshold: 1, L1TargetSize: 0, LevelRatio: 10, TargetFileSize: 1},
		{L0CompactionThreshold: 1, L1TargetSize: 1, LevelRatio: 1.5, TargetFileSize: 1},
		{L0CompactionThreshold: 1, L1TargetSize: 1, LevelRatio: 10, TargetFileSize: 0},
	} {
		if bad.Validate() == nil {
			t.Errorf("%+v validated", bad)
		}
	}
}

func TestPickNothingBelowThreshold(t *testing.T) {
	v := build(t, map[int][]*manifest.TableMeta{
		0: {tbl(1, "a", "b", 10, 100), tbl(2, "a", "b", 10, 200), tbl(3, "a", "b", 10, 300)},
		1: {tbl(4, "a", "b", 999, 1)},
	})
	if c := NewPicker(testOpts).Pick(v, nil); c != nil {
		t.Fatalf("picked %v", c)
	}
}

func TestPickL0TakesAllOverlapping(t *testing.T) {
	// 1 [a-c] and 2 [b-e] overlap; 4 [d-f] overlaps 2, so the closure of
	// the oldest table (1) is {1, 2, 4}; 3 [x-z] stays.
	v := build(t, map[int][]*manifest.TableMeta{
		0: {tbl(1, "a", "c", 10, 100), tbl(2, "b", "e", 10, 200), tbl(3, "x", "z", 10, 300), tbl(4, "d", "f", 10, 400)},
		1: {tbl(5, "0", "1", 10, 1), tbl(6, "ab", "b", 10, 1), tbl(7, "f", "g", 10, 1), tbl(8, "h", "i", 10, 1)},
		2: {tbl(9, "a", "fa", 10, 1), tbl(10, "fb", "z", 10, 1)},
	})
	c := NewPicker(testOpts).Pick(v, nil)
	if c == nil || c.Level != 0 || c.OutputLevel != 1 {
		t.Fatalf("picked %v", c)
	}
	if got := nums(c.Inputs); !slices.Equal(got, []uint64{4, 2, 1}) {
		t.Errorf("inputs %v, want [4 2 1] (newest first)", got)
	}
	if got := nums(c.Overlapping); !slices.Equal(got, []uint64{6, 7}) {
		t.Errorf("outputs %v, want [6 7]", got)
	}
	if got := nums(c.Grandparents); !slices.Equal(got, []uint64{9, 10}) {
		t.Errorf("grandparents %v, want [9 10]", got)
	}
	if string(c.Smallest) != "a" || string(c.Largest) != "g" || c.TrivialMove || c.Score != 1 {
		t.Errorf("range %q-%q trivial %v score %v", c.Smallest, c.Largest, c.TrivialMove, c.Score)
	}
	// With table 2 busy, the closure {1,2,4} is blocked; 3 goes alone.
	c = NewPicker(testOpts).Pick(v, func(n uint64) bool { return n == 2 })
	if c == nil || !slices.Equal(nums(c.Inputs), []uint64{3}) || !c.TrivialMove {
		t.Fatalf("with 2 busy picked %v", c)
	}
	// With an L1 output busy, likewise.
	c = NewPicker(testOpts).Pick(v, func(n uint64) bool { return n == 7 })
	if c == nil || !slices.Equal(nums(c.Inputs), []uint64{3}) {
		t.Fatalf("with 7 busy picked %v", c)
	}
	// Everything busy: nothing.
	if c := NewPicker(testOpts).Pick(v, func(uint64) bool { return true }); c != nil {
		t.Fatalf("all busy picked %v", c)
	}
}

func TestTrivialMove(t *testing.T) {
	o := testOpts
	l1 := []*manifest.TableMeta{tbl(1, "a", "c", 600, 1), tbl(2, "d", "f", 600, 1)}
	// Nothing under table 1 in L2: trivial move.
	v := build(t, map[int][]*manifest.TableMeta{1: l1, 2: {tbl(3, "e", "e", 10, 0)}, 3: {tbl(4, "a", "b", 10*o.TargetFileSize, 0)}})
	c := NewPicker(o).Pick(v, nil)
	if c == nil || !c.TrivialMove || c.Inputs[0].FileNum != 1 || len(c.Overlapping) != 0 {
		t.Fatalf("picked %v, want a trivial move of 1", c)
	}
	// Too many grandparent bytes: a real compaction (that splits).
	v = build(t, map[int][]*manifest.TableMeta{1: l1, 3: {tbl(4, "a", "b", 10*o.TargetFileSize+1, 0)}})
	if c := NewPicker(o).Pick(v, nil); c == nil || c.TrivialMove {
		t.Fatalf("picked %v, want a merge", c)
	}
	// Something overlapping below: a merge.
	v = build(t, map[int][]*manifest.TableMeta{1: l1, 2: {tbl(3, "c", "d", 10, 0)}})
	if c := NewPicker(o).Pick(v, nil); c == nil || c.TrivialMove || len(c.Overlapping) != 1 {
		t.Fatalf("picked %v, want a merge with 3", c)
	}
}

func TestRoundRobinCursor(t *testing.T) {
	var l1 []*manifest.TableMeta
	for i := range 5 {
		l1 = append(l1, tbl(uint64(i+1), k(10*i), k(10*i+5), 300, 1))
	}
	v := build(t, map[int][]*manifest.TableMeta{1: l1})
	p := NewPicker(testOpts)
	var got []uint64
	for range 7 {
		c := p.Pick(v, nil)
		if c == nil {
			t.Fatal("nothing picked")
		}
		got = append(got, c.Inputs[0].FileNum)
		if !bytes.Equal(p.Cursor(1), c.Largest) {
			t.Fatalf("cursor %q, want %q", p.Cursor(1), c.Largest)
		}
	}
	if !slices.Equal(got, []uint64{1, 2, 3, 4, 5, 1, 2}) {
		t.Fatalf("picked %v, want a sweep that wraps", got)
	}
	// Busy tables are skipped without losing the sweep's place.
	c := p.Pick(v, func(n uint64) bool { return n == 3 || n == 4 })
	if c == nil || c.Inputs[0].FileNum != 5 {
		t.Fatalf("picked %v, want 5", c)
	}
	// After the version changes (table 1 compacted away), the cursor still
	// places the next pick after the last key compacted.
	v2, err := v.Apply(&manifest.VersionEdit{Deleted: []manifest.DeletedTable{{Level: 1, FileNum: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	if c := p.Pick(v2, nil); c == nil || c.Inputs[0].FileNum != 2 {
		t.Fatalf("picked %v, want 2", c)
	}
}

func TestPickHighestScoreFirst(t *testing.T) {
	v := build(t, map[int][]*manifest.TableMeta{
		0: {tbl(1, "a", "b", 1, 10), tbl(2, "a", "b", 1, 20), tbl(3, "a", "b", 1, 30), tbl(4, "a", "b", 1, 40)}, // 1.0
		1: {tbl(5, "c", "d", 1200, 1)},                                                                          // 1.2
		2: {tbl(6, "e", "f", 25000, 1)},                                                                         // 2.5
	})
	p := NewPicker(testOpts)
	c := p.Pick(v, nil)
	if c == nil || c.Level != 2 || c.Score != 2.5 {
		t.Fatalf("picked %v, want L2", c)
	}
	c = p.Pick(v, func(n uint64) bool { return n == 6 })
	if c == nil || c.Level != 1 {
		t.Fatalf("with L2 busy picked %v, want L1", c)
	}
	c = p.Pick(v, func(n uint64) bool { return n >= 5 })
	if c == nil || c.Level != 0 {
		t.Fatalf("with L1, L2 busy picked %v, want L0", c)
	}
	if c := p.PickLevel(v, 6, nil); c != nil {
		t.Fatalf("PickLevel(6) = %v", c)
	}
	if c := p.PickLevel(v, 3, nil); c != nil {
		t.Fatalf("PickLevel of an empty level = %v", c)
	}
}

// TestPickProperties picks from random versions with random busy sets and
// checks every job: no busy table; outputs are exactly the output level's
// tables overlapping the inputs; L0 inputs are closed under overlap; jobs
// picked while earlier ones are busy write disjoint key ranges of each
// level and take no input from a range another writes; and applying the
// jobs keeps the version valid.
func TestPickProperties(t *testing.T) {
	r, seed := newRand(t)
	o := testOpts
	totalJobs, l0Jobs := 0, 0
	for iter := range 300 {
		v := randomVersion(t, r, o)
		p := NewPicker(o)
		busy := map[uint64]bool{}
		for num := range v.AllFiles() {
			if r.IntN(10) == 0 {
				busy[num] = true
			}
		}
		type span struct {
			level  int
			lo, hi []byte
		}
		var written []span
		var jobs []*Compaction
		for {
			c := p.Pick(v, func(n uint64) bool { return busy[n] })
			if c == nil {
				break
			}
			for _, tb := range c.Tables() {
				if busy[tb.FileNum] {
					t.Fatalf("seed %d iter %d: job %v includes busy table %d", seed, iter, c, tb.FileNum)
				}
				busy[tb.FileNum] = true
			}
			lo, hi := keyRange(c.Inputs)
			if want := v.Overlaps(c.OutputLevel, lo, hi); !slices.Equal(nums(want), nums(c.Overlapping)) {
				t.Fatalf("seed %d iter %d: outputs %v, want %v", seed, iter, nums(c.Overlapping), nums(want))
			}
			if c.Level == 0 {
				if got := v.Overlaps(0, lo, hi); len(got) != len(c.Inputs) {
					t.Fatalf("seed %d iter %d: L0 inputs %v not closed: %v overlap", seed, iter, nums(c.Inputs), nums(got))
				}
			}
			for _, s := range written {
				if s.level == c.OutputLevel && bytes.Compare(s.lo, c.Largest) <= 0 && bytes.Compare(c.Smallest, s.hi) <= 0 {
					t.Fatalf("seed %d iter %d: job %v writes [%q, %q] of L%d, which a running job writes", seed, iter, c, c.Smallest, c.Largest, c.OutputLevel)
				}
				// Nor may it take tables from where a running job writes.
				if s.level == c.Level && bytes.Compare(s.lo, hi) <= 0 && bytes.Compare(lo, s.hi) <= 0 {
					t.Fatalf("seed %d iter %d: job %v reads [%q, %q] of L%d, which a running job writes", seed, iter, c, lo, hi, c.Level)
				}
			}
			written = append(written, span{c.OutputLevel, c.Smallest, c.Largest})
			jobs = append(jobs, c)
			totalJobs++
			if c.Level == 0 {
				l0Jobs++
			}
		}
		// Run the jobs (as relinks of their key ranges) in reverse order;
		// every intermediate version must be valid.
		var next uint64 = 1 << 20
		for i := len(jobs) - 1; i >= 0; i-- {
			c := jobs[i]
			e := &manifest.VersionEdit{}
			for _, tb := range c.Inputs {
				e.Deleted = append(e.Deleted, manifest.DeletedTable{Level: c.Level, FileNum: tb.FileNum})
			}
			for _, tb := range c.Overlapping {
				e.Deleted = append(e.Deleted, manifest.DeletedTable{Level: c.OutputLevel, FileNum: tb.FileNum})
			}
			next++
			e.Added = append(e.Added, manifest.NewTable{Level: c.OutputLevel, Meta: tbl(next, string(c.Smallest), string(c.Largest), c.InputBytes(), 0)})
			nv, err := v.Apply(e)
			if err != nil {
				t.Fatalf("seed %d iter %d: applying %v: %v", seed, iter, c, err)
			}
			v = nv
		}
		if err := v.CheckOrder(); err != nil {
			t.Fatalf("seed %d iter %d: %v", seed, iter, err)
		}
	}
	t.Logf("%d jobs, %d from L0", totalJobs, l0Jobs)
	if totalJobs < 300 || l0Jobs < 30 {
		t.Fatalf("seed %d: only %d jobs (%d from L0) picked", seed, totalJobs, l0Jobs)
	}
}
