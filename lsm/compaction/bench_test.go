package compaction

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkPick measures Pick on random versions (about 60 tables) with
// nothing busy.
func BenchmarkPick(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	v := randomVersion(b, r, testOpts)
	p := NewPicker(testOpts)
	for b.Loop() {
		p.Pick(v, nil)
	}
}

// BenchmarkSimulate measures the simulator on a 40 MiB store written 4
// times over with the scaled-down options.
func BenchmarkSimulate(b *testing.B) {
	for b.Loop() {
		if r := Simulate(simOpts, simMemtable, 160, 40<<20, 1); r.Err != nil {
			b.Fatal(r.Err)
		}
	}
}
