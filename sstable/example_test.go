package sstable_test

import (
	"fmt"

	"github.com/kvlab/kvlab/internal/base"
	"github.com/kvlab/kvlab/sstable"
	"github.com/kvlab/kvlab/vfs"
)

// Build a table from internal keys in order, then read it back with Get and
// an iterator, through a block cache.
func Example() {
	fs := vfs.NewMem()
	f, err := fs.Create("000001.sst", vfs.KindSSTable)
	if err != nil {
		panic(err)
	}
	w := sstable.NewWriter(f, sstable.DefaultWriterOptions())
	for _, e := range []struct {
		key  string
		seq  base.SeqNum
		kind base.Kind
		val  string
	}{
		{"apple", 7, base.KindDelete, ""},
		{"apple", 3, base.KindSet, "red"},
		{"pear", 5, base.KindSet, "green"},
	} {
		if err := w.Add(base.MakeInternalKey([]byte(e.key), e.seq, e.kind), []byte(e.val)); err != nil {
			panic(err)
		}
	}
	meta, err := w.Finish() // writes the meta blocks and footer, and syncs
	if err != nil {
		panic(err)
	}
	f.Close()
	fmt.Println("entries:", meta.Properties.NumEntries, "deletions:", meta.Properties.NumDeletions)

	cache := sstable.NewCache(8 << 20) // shared by every table of an engine
	f, err = fs.Open("000001.sst", vfs.KindSSTable)
	if err != nil {
		panic(err)
	}
	r, err := sstable.Open(f, "000001.sst", 1, sstable.ReaderOptions{Cache: cache})
	if err != nil {
		panic(err)
	}
	defer r.Close()

	for _, seq := range []base.SeqNum{5, 7} {
		v, kind, found, err := r.Get([]byte("apple"), seq)
		fmt.Printf("apple at seq %d: found=%v kind=%s value=%q err=%v\n", seq, found, kind, v, err)
	}

	it := r.NewIter(nil, nil)
	for ok := it.Last(); ok; ok = it.Prev() {
		fmt.Println(base.Format(it.Key()), string(it.Value()))
	}
	if err := it.Close(); err != nil {
		panic(err)
	}
	// Output:
	// entries: 3 deletions: 1
	// apple at seq 5: found=true kind=SET value="red" err=<nil>
	// apple at seq 7: found=true kind=DEL value="" err=<nil>
	// "pear"#5,SET green
	// "apple"#3,SET red
	// "apple"#7,DEL
}
