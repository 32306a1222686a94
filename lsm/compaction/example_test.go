package compaction_test

import (
	"fmt"

	"github.com/kvlab/kvlab/internal/base"
	"github.com/kvlab/kvlab/lsm/compaction"
	"github.com/kvlab/kvlab/lsm/manifest"
)

// Predict's model beside the policy's simulated behaviour, for a store of
// 200 MiB (scaled-down options so that it runs in a moment).
func ExampleSimulate() {
	o := compaction.Options{L0CompactionThreshold: 4, L1TargetSize: 4 << 20, LevelRatio: 10, TargetFileSize: 512 << 10}
	const live, memtable = 200 << 20, 1 << 20
	m := compaction.Predict(o, live, memtable, 10)
	r := compaction.Simulate(o, memtable, 4*live/memtable, live, 1)
	fmt.Printf("levels below L0: %d\n", m.Levels)
	fmt.Printf("write amp: predicted %.1f, simulated %.1f\n", m.WriteAmp, r.WriteAmp())
	// Output:
	// levels below L0: 3
	// write amp: predicted 13.5, simulated 13.6
}

func ExamplePicker_Pick() {
	// Four flushed tables in L0 (the default trigger), one table in L1.
	table := func(num uint64, lo, hi string, seq uint64) *manifest.TableMeta {
		return &manifest.TableMeta{
			FileNum: num, Size: 1 << 20, SmallestSeq: seq, LargestSeq: seq,
			Smallest: base.MakeInternalKey([]byte(lo), base.SeqNum(seq), base.KindSet),
			Largest:  base.MakeInternalKey([]byte(hi), base.SeqNum(seq), base.KindSet),
		}
	}
	e := &manifest.VersionEdit{Added: []manifest.NewTable{
		{Level: 0, Meta: table(1, "a", "f", 10)},
		{Level: 0, Meta: table(2, "e", "k", 20)},
		{Level: 0, Meta: table(3, "x", "z", 30)},
		{Level: 0, Meta: table(4, "j", "m", 40)},
		{Level: 1, Meta: table(5, "c", "d", 5)},
	}}
	v, err := (&manifest.Version{}).Apply(e)
	if err != nil {
		panic(err)
	}
	p := compaction.NewPicker(compaction.DefaultOptions())
	c := p.Pick(v, nil)
	fmt.Println(c)
	fmt.Printf("range %s-%s\n", c.Smallest, c.Largest)
	// While it runs, the next pick avoids its tables.
	busy := map[uint64]bool{}
	for _, t := range c.Tables() {
		busy[t.FileNum] = true
	}
	fmt.Println(p.Pick(v, func(n uint64) bool { return busy[n] }))
	// Output:
	// L0->L1 [3 + 1 tables, 4194304 bytes] score 1.00
	// range a-m
	// L0->L1 [1 + 0 tables, 1048576 bytes] score 1.00 trivial move
}
