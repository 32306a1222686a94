package manifest_test

import (
	"fmt"

	"github.com/kvlab/kvlab/internal/base"
	"github.com/kvlab/kvlab/lsm/manifest"
	"github.com/kvlab/kvlab/vfs"
)

func ExampleCreate() {
	fs := vfs.NewMem()
	fs.MkdirAll("db")

	// A new store: an empty version, WAL 2 live, file numbers from 3.
	snap := (&manifest.Version{}).Snapshot()
	snap.LogNum, snap.HasLogNum = 2, true
	snap.NextFileNum, snap.HasNextFileNum = 3, true
	snap.LastSeq, snap.HasLastSeq = 0, true
	w, err := manifest.Create(fs, "db", 1, snap)
	if err != nil {
		panic(err)
	}

	// A flush of WAL 2 wrote table 3: build the new version, then make the
	// edit durable before using it.
	edit := &manifest.VersionEdit{
		Added: []manifest.NewTable{{Level: 0, Meta: &manifest.TableMeta{
			FileNum:     3,
			Size:        4096,
			Smallest:    base.MakeInternalKey([]byte("apple"), 100, base.KindSet),
			Largest:     base.MakeInternalKey([]byte("pear"), 1, base.KindSet),
			SmallestSeq: 1,
			LargestSeq:  100,
			Entries:     100,
		}}},
		LogNum: 4, HasLogNum: true,
		NextFileNum: 5, HasNextFileNum: true,
		LastSeq: 100, HasLastSeq: true,
	}
	v, err := (&manifest.Version{}).Apply(edit)
	if err != nil {
		panic(err)
	}
	if err := w.Apply(edit); err != nil {
		panic(err)
	}
	w.Close()
	fmt.Print(v)

	// Recovery.
	st, err := manifest.Load(fs, "db")
	if err != nil {
		panic(err)
	}
	fmt.Printf("manifest %d, log %d, next file %d, last seq %d, L0 files %d\n",
		st.ManifestNum, st.LogNum, st.NextFileNum, st.LastSeq, st.Version.NumFiles(0))
	// Output:
	// L0: 000003["apple"#100,SET-"pear"#1,SET]
	// manifest 1, log 4, next file 5, last seq 100, L0 files 1
}
