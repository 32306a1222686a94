package memtable_test

import (
	"fmt"

	"github.com/kvlab/kvlab/internal/base"
	"github.com/kvlab/kvlab/memtable"
)

func ExampleMemtable() {
	m := memtable.New()
	// One writer adds versions; sequence numbers order them.
	_ = m.Add(1, base.KindSet, []byte("apple"), []byte("red"))
	_ = m.Add(2, base.KindSet, []byte("banana"), []byte("yellow"))
	_ = m.Add(3, base.KindDelete, []byte("apple"), nil)

	// A read at sequence number 2 does not see the delete at 3.
	v, kind, found := m.Get([]byte("apple"), 2)
	fmt.Println(string(v), kind, found)
	_, kind, found = m.Get([]byte("apple"), base.MaxSeqNum)
	fmt.Println(kind, found)

	// An iterator walks every version, newest first within a key.
	it := m.NewIter(nil, nil)
	defer it.Close()
	for ok := it.First(); ok; ok = it.Next() {
		fmt.Printf("%s=%s\n", base.Format(it.Key()), it.Value())
	}
	// Output:
	// red SET true
	// DEL true
	// "apple"#3,DEL=
	// "apple"#1,SET=red
	// "banana"#2,SET=yellow
}
