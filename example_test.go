package kvlab_test

import (
	"errors"
	"fmt"
	"log"
	"os"

	"github.com/kvlab/kvlab"
	"github.com/kvlab/kvlab/kv"
)

// Example embeds a store: it opens the LSM engine by name, writes a batch
// atomically and durably, reads keys back (an absent one is kv.ErrNotFound)
// and scans a range, checking the iterator's error. The README quotes it.
func Example() {
	dir, err := os.MkdirTemp("", "kvlab-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	db, err := kvlab.Open("lsm", dir, kvlab.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	var b kv.Batch
	b.Put([]byte("user/42"), []byte(`{"name":"Ada"}`))
	b.Put([]byte("user/43"), []byte(`{"name":"Grace"}`))
	b.Delete([]byte("session/old"))
	if err := db.Write(&b, kv.WriteOptions{Sync: true}); err != nil { // atomic, durable
		log.Fatal(err)
	}

	v, err := db.Get([]byte("user/42"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("user/42 is %s\n", v)
	if _, err := db.Get([]byte("user/44")); errors.Is(err, kv.ErrNotFound) {
		fmt.Println("user/44:", err)
	}

	it, err := db.NewIterator(kv.IterOptions{LowerBound: []byte("user/"), UpperBound: []byte("user0")})
	if err != nil {
		log.Fatal(err)
	}
	for ok := it.First(); ok; ok = it.Next() {
		fmt.Printf("%s=%s\n", it.Key(), it.Value())
	}
	if err := it.Close(); err != nil { // Close returns the iteration's error
		log.Fatal(err)
	}
	// Output:
	// user/42 is {"name":"Ada"}
	// user/44: kv: not found
	// user/42={"name":"Ada"}
	// user/43={"name":"Grace"}
}

// Example_snapshotAndDeleteRange pins a snapshot, removes a key range in
// one batch operation, and reads both views: the snapshot still sees the
// range, the store does not. Every persistent engine and the memory engine
// implement kv.Snapshotter and DeleteRange; the B+tree is used here.
func Example_snapshotAndDeleteRange() {
	dir, err := os.MkdirTemp("", "kvlab-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	db, err := kvlab.Open("btree", dir, kvlab.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	var b kv.Batch
	for _, k := range []string{"log/01", "log/02", "log/03", "user/42"} {
		b.Put([]byte(k), []byte("v"))
	}
	if err := db.Write(&b, kv.WriteOptions{}); err != nil {
		log.Fatal(err)
	}

	snap, err := db.(kv.Snapshotter).NewSnapshot()
	if err != nil {
		log.Fatal(err)
	}
	defer snap.Close()

	b.Reset()
	b.DeleteRange(kv.PrefixBounds([]byte("log/"))) // every key with the prefix
	if err := db.Write(&b, kv.WriteOptions{}); err != nil {
		log.Fatal(err)
	}

	count := func(r interface {
		NewIterator(kv.IterOptions) (kv.Iterator, error)
	}) int {
		it, err := r.NewIterator(kv.PrefixOptions([]byte("log/")))
		if err != nil {
			log.Fatal(err)
		}
		n := 0
		for ok := it.First(); ok; ok = it.Next() {
			n++
		}
		if err := it.Close(); err != nil {
			log.Fatal(err)
		}
		return n
	}
	fmt.Println("log/ keys in the store:", count(db))
	fmt.Println("log/ keys in the snapshot:", count(snap))
	// Output:
	// log/ keys in the store: 0
	// log/ keys in the snapshot: 3
}
