package kvlab_test

import (
	"errors"
	"fmt"
	"log"
	"os"

	"github.com/kvlab/kvlab"
	"github.com/kvlab/kvlab/lsm"
)

// ExampleOptions opens lsm with typed options and a setting on top, and
// shows a refused value.
func ExampleOptions() {
	dir, err := os.MkdirTemp("", "kvlab-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	o := lsm.DefaultOptions()
	o.MemtableSize = 16 << 20
	db, err := kvlab.Open("lsm", dir, kvlab.Options{Engine: o, Settings: map[string]string{"bloom-bits": "5"}})
	if err != nil {
		log.Fatal(err)
	}
	db.Close()

	info, _ := kvlab.Lookup("lsm")
	v, _ := info.Parse(map[string]string{"memtable-size": "16MiB", "compression": "none"})
	fmt.Printf("%T %d %v\n", v, v.(lsm.Options).MemtableSize, v.(lsm.Options).Compression)
	_, err = info.Parse(map[string]string{"memtable-size": "1KiB"})
	fmt.Println(errors.Is(err, kvlab.ErrBadOption), err)
	_, err = info.Parse(map[string]string{"memtable-size": "64M"})
	fmt.Println(err)
	// Output:
	// lsm.Options 16777216 false
	// true lsm.memtable-size=1KiB: out of range 64KiB–1GiB
	// lsm.memtable-size=64M: size "64M" is ambiguous: write 64MiB (powers of 1024) or 64MB (powers of 1000)
}
