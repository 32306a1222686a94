package kvlab_test

import (
	"fmt"
	"log"
	"os"

	"github.com/kvlab/kvlab"
	"github.com/kvlab/kvlab/kv"
)

// Example opens an engine by name, writes a batch atomically and durably,
// reads a key back and scans a range.
func Example() {
	dir, err := os.MkdirTemp("", "kvlab-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	db, err := kvlab.Open("memory", dir, kvlab.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	var b kv.Batch
	b.Put([]byte("fruit/apple"), []byte("red"))
	b.Put([]byte("fruit/banana"), []byte("yellow"))
	b.Put([]byte("veg/kale"), []byte("green"))
	if err := db.Write(&b, kv.WriteOptions{Sync: true}); err != nil {
		log.Fatal(err)
	}

	v, err := db.Get([]byte("fruit/apple"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("apple is %s\n", v)

	it, err := db.NewIterator(kv.IterOptions{LowerBound: []byte("fruit/"), UpperBound: []byte("fruit0")})
	if err != nil {
		log.Fatal(err)
	}
	for ok := it.First(); ok; ok = it.Next() {
		fmt.Printf("%s=%s\n", it.Key(), it.Value())
	}
	if err := it.Close(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// apple is red
	// fruit/apple=red
	// fruit/banana=yellow
}
