package memtable_test

import (
	"bytes"
	"flag"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/kvlab/kvlab/internal/base"
)

var seedFlag = flag.Uint64("seed", 0, "seed for randomized tests (0 = random)")

// newRand returns a generator and its seed, which every failure message
// names; rerun with -seed to reproduce.
func newRand(t testing.TB) (*rand.Rand, uint64) {
	seed := *seedFlag
	if seed == 0 {
		seed = rand.Uint64()
	}
	t.Logf("seed %d", seed)
	return rand.New(rand.NewPCG(seed, seed>>1|1)), seed
}

// entry is one version in the model.
type entry struct {
	ik    []byte // internal key
	value []byte
}

// model is a sorted slice of entries: the obviously-correct memtable.
type model struct {
	ents []entry
}

func (m *model) find(ik []byte) (int, bool) {
	return slices.BinarySearchFunc(m.ents, ik, func(e entry, ik []byte) int { return base.Compare(e.ik, ik) })
}

// add inserts a version; false if the internal key is already present.
func (m *model) add(seq base.SeqNum, kind base.Kind, ukey, value []byte) bool {
	ik := base.MakeInternalKey(ukey, seq, kind)
	i, found := m.find(ik)
	if found {
		return false
	}
	m.ents = slices.Insert(m.ents, i, entry{ik, bytes.Clone(value)})
	return true
}

// get returns the newest version of ukey with sequence <= seq.
func (m *model) get(ukey []byte, seq base.SeqNum) (value []byte, kind base.Kind, found bool) {
	i, _ := m.find(base.SeekKey(nil, ukey, seq))
	if i == len(m.ents) || !bytes.Equal(base.UserKey(m.ents[i].ik), ukey) {
		return nil, 0, false
	}
	e := m.ents[i]
	return e.value, base.KindOf(e.ik), true
}

// bounded returns the entries with user keys in [lower, upper).
func (m *model) bounded(lower, upper []byte) []entry {
	var out []entry
	for _, e := range m.ents {
		u := base.UserKey(e.ik)
		if (lower == nil || bytes.Compare(u, lower) >= 0) && (upper == nil || bytes.Compare(u, upper) < 0) {
			out = append(out, e)
		}
	}
	return out
}

// keyGen draws user keys from a small space, so that keys get many versions,
// including the empty key.
type keyGen struct {
	r        *rand.Rand
	alphabet string
	maxLen   int
}

func (g keyGen) key() []byte {
	n := g.r.IntN(g.maxLen + 1)
	k := make([]byte, n)
	for i := range k {
		k[i] = g.alphabet[g.r.IntN(len(g.alphabet))]
	}
	return k
}

func (g keyGen) value() []byte {
	if g.r.IntN(8) == 0 {
		return nil
	}
	v := make([]byte, g.r.IntN(40))
	for i := range v {
		v[i] = byte(g.r.Uint32())
	}
	return v
}

// newReaderRand returns a generator for the i-th concurrent reader.
func newReaderRand(seed uint64, i int) *rand.Rand {
	return rand.New(rand.NewPCG(seed, uint64(i)+1))
}
