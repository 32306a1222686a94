package manifest

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/kvlab/kvlab/internal/base"
)

// table returns a table covering user keys [lo, hi] with sequence numbers
// [seqLo, seqHi]: Smallest is lo at seqHi (newest first), Largest is hi at
// seqLo.
func table(num uint64, lo, hi string, seqLo, seqHi uint64) *TableMeta {
	return &TableMeta{
		FileNum:     num,
		Size:        num*100 + 1,
		Smallest:    base.MakeInternalKey([]byte(lo), base.SeqNum(seqHi), base.KindSet),
		Largest:     base.MakeInternalKey([]byte(hi), base.SeqNum(seqLo), base.KindDelete),
		SmallestSeq: seqLo,
		LargestSeq:  seqHi,
		Entries:     num + 3,
	}
}

// ukey is the i-th user key of the tests' key space.
func ukey(i int) string { return fmt.Sprintf("k%04d", i) }

// newRand returns a seeded generator and its seed for failure messages.
func newRand(t testing.TB) (*rand.Rand, uint64) {
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), seed
}

// randomEdit returns an edit with random fields (not necessarily one that
// applies to any version).
func randomEdit(r *rand.Rand) *VersionEdit {
	e := &VersionEdit{}
	if r.IntN(4) == 0 {
		e.Comparator = Comparator
	}
	if r.IntN(2) == 0 {
		e.LogNum, e.HasLogNum = r.Uint64(), true
	}
	if r.IntN(2) == 0 {
		e.NextFileNum, e.HasNextFileNum = r.Uint64N(1<<40), true
	}
	if r.IntN(2) == 0 {
		e.LastSeq, e.HasLastSeq = r.Uint64N(uint64(base.MaxSeqNum)+1), true
	}
	for range r.IntN(4) {
		e.Deleted = append(e.Deleted, DeletedTable{Level: r.IntN(NumLevels), FileNum: r.Uint64N(1 << 30)})
	}
	for range r.IntN(4) {
		a, b := r.IntN(1000), r.IntN(1000)
		lo, hi := min(a, b), max(a, b)
		s1, s2 := r.Uint64N(1<<50), r.Uint64N(1<<50)
		t := table(r.Uint64N(1<<30), ukey(lo), ukey(hi), min(s1, s2), max(s1, s2))
		if lo == hi {
			// Same user key: Smallest must carry the larger trailer.
			t.Smallest = base.MakeInternalKey([]byte(ukey(lo)), base.SeqNum(t.LargestSeq), base.KindSet)
		}
		t.Size = r.Uint64()
		t.Entries = r.Uint64N(1 << 32)
		e.Added = append(e.Added, NewTable{Level: r.IntN(NumLevels), Meta: t})
	}
	return e
}
