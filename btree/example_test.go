package btree_test

import (
	"fmt"
	"os"

	"github.com/kvlab/kvlab/btree"
	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/vfs"
)

func Example() {
	dir, _ := os.MkdirTemp("", "btree-example")
	defer os.RemoveAll(dir)

	db, err := btree.Open(vfs.Default, dir, btree.DefaultOptions())
	if err != nil {
		panic(err)
	}
	var b kv.Batch
	b.Put([]byte("apple"), []byte("red"))
	b.Put([]byte("banana"), []byte("yellow"))
	b.Put([]byte("cherry"), []byte("dark red"))
	if err := db.Write(&b, kv.WriteOptions{Sync: true}); err != nil {
		panic(err)
	}
	v, _ := db.Get([]byte("banana"))
	fmt.Printf("banana is %s\n", v)

	it, _ := db.NewIterator(kv.IterOptions{LowerBound: []byte("b")})
	for ok := it.First(); ok; ok = it.Next() {
		fmt.Printf("%s=%s\n", it.Key(), it.Value())
	}
	if err := it.Close(); err != nil {
		panic(err)
	}
	if err := db.Close(); err != nil {
		panic(err)
	}
	// Output:
	// banana is yellow
	// banana=yellow
	// cherry=dark red
}

func ExampleDB_Check() {
	dir, _ := os.MkdirTemp("", "btree-check")
	defer os.RemoveAll(dir)
	db, err := btree.Open(vfs.Default, dir, btree.DefaultOptions())
	if err != nil {
		panic(err)
	}
	defer db.Close()
	for i := 0; i < 1000; i++ {
		db.Put([]byte(fmt.Sprintf("key%04d", i)), []byte("value"))
	}
	// Check verifies the last checkpoint: take one first.
	if err := db.Flush(); err != nil {
		panic(err)
	}
	if err := db.Check(os.Stdout); err != nil {
		fmt.Println("damaged:", err)
	}
	// Output:
	// btree: checkpoint 2, page size 4096, 8 pages, root 4, height 2, log 2
	// btree: ok: 1000 keys (12000 bytes), 5 leaf, 1 branch, 0 overflow, 1 free-list and 1 free pages
}

func ExampleParseSettings() {
	o, err := btree.ParseSettings(map[string]string{"page-size": "16KiB", "sync": "true"})
	if err != nil {
		panic(err)
	}
	fmt.Println(o.PageSize, o.Sync, o.MaxKeySize())
	_, err = btree.ParseSettings(map[string]string{"page-size": "3KiB"})
	fmt.Println(err)
	// Output:
	// 16384 true 4072
	// btree: invalid options: page size 3072 is not a power of two from 1024 to 65536
}
