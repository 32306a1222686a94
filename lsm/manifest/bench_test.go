package manifest

import (
	"testing"
)

// benchVersion returns a version of n tables spread over L1..L6 plus a few
// in L0.
func benchVersion(b *testing.B, n int) *Version {
	e := &VersionEdit{}
	per := n / (NumLevels - 1)
	num := uint64(0)
	for level := 1; level < NumLevels; level++ {
		for i := range per {
			num++
			e.Added = append(e.Added, NewTable{Level: level, Meta: table(num, ukey(2*i), ukey(2*i+1), 1, 2)})
		}
	}
	v, err := (&Version{}).Apply(e)
	if err != nil {
		b.Fatal(err)
	}
	return v
}

// BenchmarkVersionApplyFlush measures installing one L0 table into a
// version of 6,000 tables (the unchanged levels are shared).
func BenchmarkVersionApplyFlush(b *testing.B) {
	v := benchVersion(b, 6000)
	e := &VersionEdit{Added: []NewTable{{Level: 0, Meta: table(1<<40, "a", "z", 10, 20)}}}
	for b.Loop() {
		if _, err := v.Apply(e); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVersionApplyCompaction measures a compaction edit (2 tables out,
// 2 in) on L3 of a version of 6,000 tables.
func BenchmarkVersionApplyCompaction(b *testing.B) {
	v := benchVersion(b, 6000)
	e := &VersionEdit{
		Deleted: []DeletedTable{{3, v.Levels[3][10].FileNum}, {3, v.Levels[3][11].FileNum}},
		Added: []NewTable{
			{Level: 3, Meta: table(1<<40, ukey(20), ukey(21), 1, 2)},
			{Level: 3, Meta: table(1<<40+1, ukey(22), ukey(23), 1, 2)},
		},
	}
	for b.Loop() {
		if _, err := v.Apply(e); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOverlaps(b *testing.B) {
	v := benchVersion(b, 6000)
	lo, hi := []byte(ukey(500)), []byte(ukey(520))
	for b.Loop() {
		if len(v.Overlaps(4, lo, hi)) != 11 {
			b.Fatal("wrong overlap")
		}
	}
}

func BenchmarkEditEncodeDecode(b *testing.B) {
	e := &VersionEdit{LastSeq: 1 << 40, HasLastSeq: true, NextFileNum: 99, HasNextFileNum: true}
	for i := range 10 {
		e.Added = append(e.Added, NewTable{Level: 2, Meta: table(uint64(i), ukey(i), ukey(i+1), 5, 9)})
	}
	var buf []byte
	var d VersionEdit
	for b.Loop() {
		buf = e.Encode(buf[:0])
		if err := d.Decode(buf); err != nil {
			b.Fatal(err)
		}
	}
}
