package base

import (
	"bytes"
	"math/rand/v2"
	"sort"
	"testing"
)

func TestCompareOrdersByUserKeyThenNewestFirst(t *testing.T) {
	seed := rand.Uint64()
	r := rand.New(rand.NewPCG(seed, 0))
	type ent struct {
		ukey []byte
		seq  SeqNum
		kind Kind
	}
	var ents []ent
	var iks [][]byte
	for range 2000 {
		e := ent{[]byte{byte(r.IntN(8)), byte(r.IntN(3))}[:r.IntN(3)], SeqNum(r.Uint64N(uint64(MaxSeqNum))), Kind(r.IntN(2))}
		ents = append(ents, e)
		iks = append(iks, MakeInternalKey(e.ukey, e.seq, e.kind))
	}
	sort.Slice(iks, func(i, j int) bool { return Compare(iks[i], iks[j]) < 0 })
	for i := 1; i < len(iks); i++ {
		a, sa, ka, _ := Parse(iks[i-1])
		b, sb, kb, _ := Parse(iks[i])
		c := bytes.Compare(a, b)
		if c > 0 || (c == 0 && (sa < sb || (sa == sb && ka < kb))) {
			t.Fatalf("seed %d: %s sorted before %s", seed, Format(iks[i-1]), Format(iks[i]))
		}
	}
}

func TestSeekKeySortsFirstAmongVisibleVersions(t *testing.T) {
	k := []byte("k")
	seek := SeekKey(nil, k, 10)
	for _, seq := range []SeqNum{0, 5, 10} {
		for _, kind := range []Kind{KindDelete, KindSet} {
			if Compare(seek, MakeInternalKey(k, seq, kind)) > 0 {
				t.Fatalf("seek key after visible version seq %d kind %s", seq, kind)
			}
		}
	}
	if Compare(seek, MakeInternalKey(k, 11, KindDelete)) < 0 {
		t.Fatal("seek key before an invisible newer version")
	}
}

func TestParseRejectsShortAndUnknownKinds(t *testing.T) {
	if _, _, _, ok := Parse([]byte{1, 2, 3}); ok {
		t.Fatal("short key parsed")
	}
	ik := MakeInternalKey([]byte("a"), 1, KindSet)
	ik[len(ik)-TrailerLen] = 7
	if _, _, _, ok := Parse(ik); ok {
		t.Fatal("unknown kind parsed")
	}
}
