package compaction

import (
	"testing"

	"github.com/kvlab/kvlab/lsm/manifest"
)

func TestIsBaseLevelForKey(t *testing.T) {
	v := build(t, map[int][]*manifest.TableMeta{
		1: {tbl(1, "a", "z", 10, 50)},
		2: {tbl(2, "c", "e", 10, 1)},
		4: {tbl(3, "m", "p", 10, 1), tbl(4, "r", "r", 10, 1)},
	})
	c := &Compaction{Level: 1, OutputLevel: 2}
	for key, want := range map[string]bool{
		"a": true, "b": true, "c": true, "e": true, // L2 is the output level itself
		"m": false, "n": false, "p": false, "r": false,
		"q": true, "s": true, "l": true,
	} {
		if got := c.IsBaseLevelForKey(v, []byte(key)); got != want {
			t.Errorf("L1->L2: IsBaseLevelForKey(%q) = %v, want %v", key, got, want)
		}
	}
	c = &Compaction{Level: 0, OutputLevel: 1}
	if c.IsBaseLevelForKey(v, []byte("d")) {
		t.Error("L0->L1: key d is in L2")
	}
	c = &Compaction{Level: 4, OutputLevel: 5}
	if !c.IsBaseLevelForKey(v, []byte("n")) {
		t.Error("L4->L5: nothing is below L5")
	}
}

func TestSplitterTargetFileSize(t *testing.T) {
	c := &Compaction{Level: 1, OutputLevel: 2}
	s := c.NewSplitter(Options{TargetFileSize: 100})
	size := uint64(0)
	var splits []int
	for i := range 50 {
		if s.ShouldSplit([]byte(k(i)), size) {
			splits = append(splits, i)
			size = 0
		}
		size += 30
	}
	// 30 bytes per entry: a table reaches 100 bytes after 4 entries.
	want := []int{4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48}
	if len(splits) != len(want) {
		t.Fatalf("splits at %v, want %v", splits, want)
	}
	for i := range want {
		if splits[i] != want[i] {
			t.Fatalf("splits at %v, want %v", splits, want)
		}
	}
}

func TestSplitterKeepsUserKeyTogether(t *testing.T) {
	c := &Compaction{Level: 1, OutputLevel: 2}
	s := c.NewSplitter(Options{TargetFileSize: 10})
	if s.ShouldSplit([]byte("a"), 0) {
		t.Fatal("split before the first key")
	}
	// Versions of "b" after the table is full: no split among them.
	if !s.ShouldSplit([]byte("b"), 100) {
		t.Fatal("no split at a full table")
	}
	for range 5 {
		if s.ShouldSplit([]byte("b"), 100) {
			t.Fatal("split between versions of one user key")
		}
	}
	if !s.ShouldSplit([]byte("c"), 100) {
		t.Fatal("no split at the next user key")
	}
}

func TestSplitterGrandparentOverlap(t *testing.T) {
	o := Options{TargetFileSize: 100} // max grandparent overlap 1000 bytes
	var gps []*manifest.TableMeta
	for i := range 10 {
		gps = append(gps, tbl(uint64(i+1), k(100*i), k(100*i+50), 400, 1))
	}
	c := &Compaction{Level: 1, OutputLevel: 2, Grandparents: gps}
	s := c.NewSplitter(o)
	var splits []int
	for i := 0; i < 1000; i += 10 {
		// Tiny output: only grandparent overlap can split it.
		if s.ShouldSplit([]byte(k(i)), 1) {
			splits = append(splits, i)
		}
	}
	// Passing a grandparent adds 400 bytes; a split comes once more than
	// 1000 bytes have been passed (the third grandparent ends before k00260),
	// then the count restarts.
	want := []int{260, 560, 860}
	if len(splits) != len(want) || splits[0] != want[0] || splits[1] != want[1] || splits[2] != want[2] {
		t.Fatalf("splits at %v, want %v", splits, want)
	}
}
