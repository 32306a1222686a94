package btree

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/kvlab/kvlab/vfs"
)

// TestReadShape writes random keys, some with overflow values, closes the
// store (a checkpoint) and reads its shape: the levels and page counts
// agree with the engine's own Stats, the fill histograms count every page,
// and the pages by type account for the file.
func TestReadShape(t *testing.T) {
	fsys := vfs.NewMem()
	db, err := Open(fsys, "db", Options{PageSize: 1024, CheckpointSize: 64 << 10})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(7, 7))
	for i := range 5000 {
		v := make([]byte, 20+rng.IntN(60))
		if i%500 == 0 {
			v = make([]byte, 3000) // overflow pages
		}
		if err := db.Put(fmt.Appendf(nil, "k%08d", rng.IntN(1e8)), v); err != nil {
			t.Fatal(err)
		}
	}
	st := db.Stats().BTree
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	s, err := ReadShape(fsys, "db")
	if err != nil {
		t.Fatal(err)
	}
	if s.Height != st.Height || len(s.LevelPages) != st.Height || s.LevelPages[0] != 1 {
		t.Fatalf("height %d, levels %v; stats say height %d", s.Height, s.LevelPages, st.Height)
	}
	if s.Leaf != st.LeafPages || s.Branch != st.BranchPages || s.Overflow != st.OverflowPages {
		t.Errorf("pages leaf %d branch %d overflow %d; stats %d %d %d", s.Leaf, s.Branch, s.Overflow, st.LeafPages, st.BranchPages, st.OverflowPages)
	}
	if s.LevelPages[len(s.LevelPages)-1] != s.Leaf {
		t.Errorf("last level %d pages, %d leaves", s.LevelPages[len(s.LevelPages)-1], s.Leaf)
	}
	var leaves, branches int64
	for i := range FillBuckets {
		leaves += s.LeafFill[i]
		branches += s.BranchFill[i]
	}
	if leaves != s.Leaf || branches != s.Branch {
		t.Errorf("fill histograms count %d leaves, %d branches; want %d, %d", leaves, branches, s.Leaf, s.Branch)
	}
	if s.Leaf+s.Branch+s.Overflow+s.FreeList+s.Free+s.Unused != s.FilePages {
		t.Errorf("pages by type %+v do not add up to the file's %d", s, s.FilePages)
	}
	if s.Keys == 0 || s.PageSize != 1024 || s.Overflow == 0 {
		t.Errorf("keys %d, page size %d, overflow pages %d", s.Keys, s.PageSize, s.Overflow)
	}
	if _, err := ReadShape(fsys, "nowhere"); err == nil {
		t.Error("ReadShape of no store succeeded")
	}
}
