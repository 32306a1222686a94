package memtable

import (
	"errors"
	"testing"

	"github.com/kvlab/kvlab/internal/base"
	"github.com/kvlab/kvlab/kv"
)

func TestApplyBatchRangeDelete(t *testing.T) {
	m := New()
	if !m.Empty() {
		t.Fatal("new memtable not empty")
	}
	var b kv.Batch
	b.Put([]byte("a"), []byte("1"))
	b.DeleteRange([]byte("b"), []byte("d"))
	b.Delete([]byte("c"))
	b.DeleteRange([]byte("c"), []byte("f"))
	if err := m.ApplyBatch(&b, 10); err != nil {
		t.Fatal(err)
	}
	if m.Len() != 2 || m.RangeDelCount() != 2 {
		t.Fatalf("Len %d, RangeDelCount %d; want 2 and 2", m.Len(), m.RangeDelCount())
	}
	// The range tombstone is not a set: the skiplist holds no entry for b.
	if _, _, found := m.Get([]byte("b"), base.MaxSeqNum); found {
		t.Fatal("Get(b) found an entry; the range delete became a point entry")
	}
	set := m.RangeDels()
	for _, c := range []struct {
		key  string
		seq  base.SeqNum
		want base.SeqNum
	}{{"a", 20, 0}, {"b", 20, 11}, {"c", 20, 13}, {"c", 12, 11}, {"c", 10, 0}, {"e", 20, 13}, {"f", 20, 0}} {
		if got := set.MaxSeq([]byte(c.key), c.seq); got != c.want {
			t.Errorf("MaxSeq(%s, %d) = %d, want %d", c.key, c.seq, got, c.want)
		}
	}
	size := m.ApproximateSize()
	if err := m.AddRangeDel(14, []byte("y"), []byte("x")); !errors.Is(err, kv.ErrInvalidRange) {
		t.Fatalf("reversed range: %v, want ErrInvalidRange", err)
	}
	if err := m.AddRangeDel(14, []byte("x"), []byte("x")); err != nil || m.RangeDelCount() != 2 {
		t.Fatalf("empty range: %v, %d tombstones; want a no-op", err, m.RangeDelCount())
	}
	if err := m.AddRangeDel(14, []byte("x"), []byte("y")); err != nil {
		t.Fatal(err)
	}
	if m.ApproximateSize() <= size || m.RangeDels().Len() != 4 {
		t.Fatalf("size %d -> %d, %d fragments", size, m.ApproximateSize(), m.RangeDels().Len())
	}
	only := New()
	if err := only.AddRangeDel(1, []byte("a"), []byte("b")); err != nil || only.Empty() {
		t.Fatalf("a memtable holding only a range tombstone: err %v, Empty %v", err, only.Empty())
	}
}
