package memtable_test

import (
	"bytes"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"

	"github.com/google/btree"

	"github.com/kvlab/kvlab/internal/base"
	"github.com/kvlab/kvlab/memtable"
)

// The benchmarks compare the memtable with github.com/google/btree holding
// the same entries (internal keys ordered like base.Compare) on the same
// workloads: benchN random 16-byte user keys with 100-byte values.
//
//	go test -run '^$' -bench . -benchtime=1000000x ./memtable/
//
// With -benchtime=1000000x an insert benchmark fills exactly one table of
// benchN entries; with more iterations it starts a new table every benchN.
const (
	benchN        = 1_000_000
	benchKeyLen   = 16
	benchValueLen = 100
	btreeDegree   = 32
)

var bench struct {
	once   sync.Once
	keys   [][]byte
	values [][]byte
	order  []int // a random permutation of the keys, for gets
}

func benchData() (keys, values [][]byte, order []int) {
	bench.once.Do(func() {
		r := rand.New(rand.NewPCG(1, 2))
		keyBuf := make([]byte, benchN*benchKeyLen)
		for i := range keyBuf {
			keyBuf[i] = byte(r.Uint32())
		}
		blob := make([]byte, 1<<20+benchValueLen)
		for i := range blob {
			blob[i] = byte(r.Uint32())
		}
		bench.keys = make([][]byte, benchN)
		bench.values = make([][]byte, benchN)
		for i := range benchN {
			bench.keys[i] = keyBuf[i*benchKeyLen : (i+1)*benchKeyLen : (i+1)*benchKeyLen]
			off := r.IntN(1 << 20)
			bench.values[i] = blob[off : off+benchValueLen : off+benchValueLen]
		}
		bench.order = r.Perm(benchN)
		warmHeap()
	})
	return bench.keys, bench.values, bench.order
}

// warmHeap has the Go heap map and touch memory enough for every benchmark's
// tables, then frees it: the benchmarks then measure the data structures on
// recycled memory — as in a long-running store — rather than the kernel's
// (under virtualisation, very slow) first-touch page faults, which would
// otherwise penalise whichever benchmark happens to run first.
func warmHeap() {
	var bufs [][]byte
	for range 96 {
		b := make([]byte, 8<<20)
		for i := 0; i < len(b); i += 4096 {
			b[i] = 1
		}
		bufs = append(bufs, b)
	}
	runtime.KeepAlive(bufs)
	bufs = nil
	runtime.GC()
}

// btItem is a google/btree entry equivalent to a memtable node: an internal
// key (user key and trailer) and a value.
type btItem struct {
	ukey    []byte
	trailer uint64
	value   []byte
}

func btLess(a, b btItem) bool {
	if c := bytes.Compare(a.ukey, b.ukey); c != 0 {
		return c < 0
	}
	return a.trailer > b.trailer
}

// btInsert adds an entry copying key and value, as Memtable.Add does (the
// caller may reuse its buffers), in one allocation.
func btInsert(t *btree.BTreeG[btItem], seq base.SeqNum, ukey, value []byte) {
	buf := make([]byte, len(ukey)+len(value))
	copy(buf, ukey)
	copy(buf[len(ukey):], value)
	t.ReplaceOrInsert(btItem{buf[:len(ukey):len(ukey)], base.MakeTrailer(seq, base.KindSet), buf[len(ukey):]})
}

// btGet has Memtable.Get's semantics: the newest version with sequence <= seq.
func btGet(t *btree.BTreeG[btItem], ukey []byte, seq base.SeqNum) (value []byte, found bool) {
	t.AscendGreaterOrEqual(btItem{ukey: ukey, trailer: base.MakeTrailer(seq, base.KindMax)}, func(it btItem) bool {
		if bytes.Equal(it.ukey, ukey) {
			value, found = it.value, true
		}
		return false
	})
	return value, found
}

func reportRate(b *testing.B, unit string) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), unit)
}

func BenchmarkInsert(b *testing.B) {
	keys, values, _ := benchData()
	b.Run("memtable", func(b *testing.B) {
		b.ReportAllocs()
		m := memtable.New()
		i := 0
		for b.Loop() {
			j := i % benchN
			if j == 0 && i > 0 {
				b.StopTimer()
				m = memtable.New()
				b.StartTimer()
			}
			if err := m.Add(base.SeqNum(i), base.KindSet, keys[j], values[j]); err != nil {
				b.Fatal(err)
			}
			i++
		}
		reportRate(b, "inserts/s")
		b.ReportMetric(float64(m.ApproximateSize())/float64(m.Len()), "arena-B/entry")
	})
	b.Run("btree", func(b *testing.B) {
		b.ReportAllocs()
		t := btree.NewG(btreeDegree, btLess)
		i := 0
		for b.Loop() {
			j := i % benchN
			if j == 0 && i > 0 {
				b.StopTimer()
				t = btree.NewG(btreeDegree, btLess)
				b.StartTimer()
			}
			btInsert(t, base.SeqNum(i), keys[j], values[j])
			i++
		}
		reportRate(b, "inserts/s")
	})
	// For reference: the btree keeping the caller's slices instead of
	// copying them, which a memtable cannot do.
	b.Run("btree-nocopy", func(b *testing.B) {
		b.ReportAllocs()
		t := btree.NewG(btreeDegree, btLess)
		i := 0
		for b.Loop() {
			j := i % benchN
			if j == 0 && i > 0 {
				b.StopTimer()
				t = btree.NewG(btreeDegree, btLess)
				b.StartTimer()
			}
			t.ReplaceOrInsert(btItem{keys[j], base.MakeTrailer(base.SeqNum(i), base.KindSet), values[j]})
			i++
		}
		reportRate(b, "inserts/s")
	})
}

var (
	benchMem   *memtable.Memtable
	benchTree  *btree.BTreeG[btItem]
	benchFills sync.Once
)

// benchTables returns a memtable and a btree each holding all benchN entries.
func benchTables() (*memtable.Memtable, *btree.BTreeG[btItem]) {
	benchFills.Do(func() {
		keys, values, _ := benchData()
		benchMem = memtable.New()
		benchTree = btree.NewG(btreeDegree, btLess)
		for i := range benchN {
			if err := benchMem.Add(base.SeqNum(i+1), base.KindSet, keys[i], values[i]); err != nil {
				panic(err)
			}
			btInsert(benchTree, base.SeqNum(i+1), keys[i], values[i])
		}
	})
	return benchMem, benchTree
}

func BenchmarkGet(b *testing.B) {
	keys, _, order := benchData()
	m, t := benchTables()
	b.Run("memtable", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if _, _, found := m.Get(keys[order[i%benchN]], base.MaxSeqNum); !found {
				b.Fatal("key not found")
			}
			i++
		}
		reportRate(b, "gets/s")
	})
	b.Run("btree", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if _, found := btGet(t, keys[order[i%benchN]], base.MaxSeqNum); !found {
				b.Fatal("key not found")
			}
			i++
		}
		reportRate(b, "gets/s")
	})
}
