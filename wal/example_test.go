package wal_test

import (
	"fmt"

	"github.com/kvlab/kvlab/vfs"
	"github.com/kvlab/kvlab/wal"
)

// A log is written, the machine crashes, and recovery replays what was
// synced, then appends after it.
func Example() {
	fs := vfs.NewMem()
	w, err := wal.Create(fs, "000001.log", 1, wal.Options{})
	if err != nil {
		panic(err)
	}
	w.Append([]byte("put a=1"))     // buffered
	w.AppendSync([]byte("put b=2")) // durable, and so is everything before it
	w.Append([]byte("put c=3"))     // buffered when the power fails

	fs = fs.CrashClone(vfs.CrashOptions{})
	end, err := wal.Replay(fs, "000001.log", 1, wal.ReaderOptions{}, func(rec []byte, pos wal.Pos) error {
		fmt.Printf("%s at %d\n", rec, pos.Offset)
		return nil
	})
	if err != nil {
		panic(err)
	}
	fmt.Println("log ended:", end.Reason)

	w, err = wal.OpenAppend(fs, "000001.log", 1, end, wal.Options{})
	if err != nil {
		panic(err)
	}
	w.AppendSync([]byte("put c=3"))
	w.Close()
	// Output:
	// put a=1 at 32
	// put b=2 at 46
	// log ended: clean
}
