package compaction

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/kvlab/kvlab/internal/base"
	"github.com/kvlab/kvlab/lsm/manifest"
)

// tbl returns a table over user keys [lo, hi] of size bytes whose entries
// have sequence numbers [seq, seq+9].
func tbl(num uint64, lo, hi string, size uint64, seq uint64) *manifest.TableMeta {
	return &manifest.TableMeta{
		FileNum:     num,
		Size:        size,
		Smallest:    base.MakeInternalKey([]byte(lo), base.SeqNum(seq+9), base.KindSet),
		Largest:     base.MakeInternalKey([]byte(hi), base.SeqNum(seq), base.KindSet),
		SmallestSeq: seq,
		LargestSeq:  seq + 9,
	}
}

// build returns the version holding the tables, level by level.
func build(t testing.TB, levels map[int][]*manifest.TableMeta) *manifest.Version {
	t.Helper()
	e := &manifest.VersionEdit{}
	for level, tables := range levels {
		for _, tb := range tables {
			e.Added = append(e.Added, manifest.NewTable{Level: level, Meta: tb})
		}
	}
	v, err := (&manifest.Version{}).Apply(e)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func nums(tables []*manifest.TableMeta) []uint64 {
	var out []uint64
	for _, t := range tables {
		out = append(out, t.FileNum)
	}
	return out
}

func k(i int) string { return fmt.Sprintf("k%05d", i) }

func newRand(t testing.TB) (*rand.Rand, uint64) {
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	return rand.New(rand.NewPCG(seed, 7)), seed
}

// randomVersion returns a version with random overlapping L0 tables and
// random disjoint tables in L1..L6, sized so that several levels score 1 or
// more under opts.
func randomVersion(t testing.TB, r *rand.Rand, o Options) *manifest.Version {
	levels := map[int][]*manifest.TableMeta{}
	var num uint64
	seq := uint64(1 << 30)
	for range r.IntN(2 * o.L0CompactionThreshold) {
		a, b := r.IntN(10000), r.IntN(10000)
		num++
		seq -= 10
		levels[0] = append(levels[0], tbl(num, k(min(a, b)), k(max(a, b)), o.TargetFileSize/2, seq))
	}
	for level := 1; level < manifest.NumLevels; level++ {
		n := r.IntN(12)
		cuts := make([]int, 0, 2*n)
		for range 2 * n {
			cuts = append(cuts, r.IntN(10000))
		}
		slices.Sort(cuts)
		cuts = slices.Compact(cuts)
		target := TargetSize(level, o)
		if target == 0 {
			target = o.TargetFileSize * 100
		}
		for i := 0; i+1 < len(cuts); i += 2 {
			num++
			seq -= 10
			size := target/uint64(max(n, 1))*uint64(1+r.IntN(3))/2 + 1
			levels[level] = append(levels[level], tbl(num, k(cuts[i]), k(cuts[i+1]), size, seq))
		}
	}
	return build(t, levels)
}
