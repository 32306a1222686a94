package rangedel

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/kvlab/kvlab/internal/base"
)

// naive returns the newest tombstone of ts covering key at or below seq.
func naive(ts []Tombstone, key []byte, seq base.SeqNum) base.SeqNum {
	var best base.SeqNum
	for _, t := range ts {
		if string(t.Start) <= string(key) && string(key) < string(t.End) && t.Seq <= seq && t.Seq > best {
			best = t.Seq
		}
	}
	return best
}

func key(i int) []byte { return []byte(fmt.Sprintf("%03d", i)) }

// TestFragmentModel checks Set.MaxSeq and Cursor.Seq against a linear scan
// of random overlapping tombstones, at random reader sequence numbers and
// with keys visited forward, backward and at random.
func TestFragmentModel(t *testing.T) {
	for seed := uint64(0); seed < 200; seed++ {
		rng := rand.New(rand.NewPCG(seed, 1))
		var ts []Tombstone
		for i := range rng.IntN(20) {
			a, b := rng.IntN(60), rng.IntN(60)
			ts = append(ts, Tombstone{Start: key(a), End: key(b), Seq: base.SeqNum(rng.IntN(30) + 1 + i%2)})
		}
		orig := append([]Tombstone(nil), ts...)
		frags := Fragments(ts)
		for i := 1; i < len(frags); i++ {
			if string(frags[i-1].End) > string(frags[i].Start) {
				t.Fatalf("seed %d: fragments %d and %d overlap", seed, i-1, i)
			}
		}
		set := NewSet(frags)
		for _, seq := range []base.SeqNum{0, 5, 15, 40} {
			var vis []Tombstone
			for _, x := range orig {
				if x.Seq <= seq {
					vis = append(vis, x)
				}
			}
			c := NewCursor(Spans(set.AppendTombstones(nil, seq, nil, nil)))
			order := make([]int, 0, 3*62)
			for k := range 62 {
				order = append(order, k)
			}
			for k := 61; k >= 0; k-- {
				order = append(order, k)
			}
			for range 62 {
				order = append(order, rng.IntN(62))
			}
			for _, k := range order {
				want := naive(orig, key(k), seq)
				if got := set.MaxSeq(key(k), seq); got != want {
					t.Fatalf("seed %d: MaxSeq(%s, %d) = %d, want %d", seed, key(k), seq, got, want)
				}
				if got := c.Seq(key(k)); got != naive(vis, key(k), seq) {
					t.Fatalf("seed %d: Cursor.Seq(%s) at %d = %d, want %d", seed, key(k), seq, got, want)
				}
			}
		}
	}
}

// TestAppendTombstonesBounds checks that AppendTombstones returns exactly
// the (fragment, seq) pairs at or below seq overlapping the bounds.
func TestAppendTombstonesBounds(t *testing.T) {
	for seed := uint64(0); seed < 100; seed++ {
		rng := rand.New(rand.NewPCG(seed, 9))
		var ts []Tombstone
		for range rng.IntN(15) {
			a, b := rng.IntN(50), rng.IntN(50)
			ts = append(ts, Tombstone{Start: key(a), End: key(b), Seq: base.SeqNum(rng.IntN(20) + 1)})
		}
		set := NewSet(Fragments(ts))
		var lower, upper []byte
		if rng.IntN(3) > 0 {
			lower = key(rng.IntN(55))
		}
		if rng.IntN(3) > 0 {
			upper = key(rng.IntN(55))
		}
		seq := base.SeqNum(rng.IntN(25))
		var want []Tombstone
		for _, f := range set.Fragments() {
			if Overlaps(f.Start, f.End, lower, upper) {
				for _, q := range f.Seqs {
					if q <= seq {
						want = append(want, Tombstone{f.Start, f.End, q})
					}
				}
			}
		}
		got := set.AppendTombstones(nil, seq, lower, upper)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("seed %d: AppendTombstones(%d, %s, %s) = %v, want %v", seed, seq, lower, upper, got, want)
		}
	}
}
