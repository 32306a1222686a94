package btree

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/kvlab/kvlab/vfs"
)

// TestInspect dumps a store with a few thousand keys: both meta slots after
// two checkpoints, and a page census that finds the leaves and branches.
// A damaged page is listed.
func TestInspect(t *testing.T) {
	fs := vfs.NewMem()
	o := DefaultOptions()
	o.PageSize = 1 << 10
	db, err := Open(fs, "/db", o)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3000; i++ {
		if err := db.Put([]byte(fmt.Sprintf("key%06d", i)), []byte("value")); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := Inspect(fs, "/db", &out); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	for _, want := range []string{"meta slot 0: checkpoint", "meta slot 1: checkpoint", "3000 keys", "leaf", "branch", "page size 1024"} {
		if !strings.Contains(s, want) {
			t.Fatalf("inspect output lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "damaged?") {
		t.Fatalf("a healthy store shows damage:\n%s", s)
	}
	data, _ := vfs.ReadFile(fs, "/db/"+pagesFileName, vfs.KindBTreePages)
	data[1024+100] ^= 0xff // page 2
	vfs.WriteFileAtomic(fs, "/db/"+pagesFileName, data, vfs.KindBTreePages)
	out.Reset()
	if err := Inspect(fs, "/db", &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "page 2") {
		t.Fatalf("a damaged page 2 is not listed:\n%s", out.String())
	}
}
