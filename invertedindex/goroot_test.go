package invertedindex

import (
	"os"
	"testing"

	"github.com/kvlab/kvlab/invertedindex/gocorpus"
)

// TestGorootCorpus indexes doc comments of the Go distribution into the
// LSM and the B+tree on disk and checks queries of every kind against the
// brute force. Short runs take two packages, normal runs a handful, and
// KVTEST_LONG=1 the whole distribution.
func TestGorootCorpus(t *testing.T) {
	root := gocorpus.Root()
	if root == "" {
		t.Skip("no Go source under GOROOT")
	}
	o := gocorpus.Options{Dirs: []string{"strings", "io", "bufio", "bytes", "sort"}}
	switch {
	case testing.Short():
		o.Dirs = o.Dirs[:2]
	case os.Getenv("KVTEST_LONG") != "":
		o.Dirs = nil
	}
	docs, err := gocorpus.Load(root, o)
	if err != nil {
		t.Fatal(err)
	}
	for _, engine := range []string{"lsm", "btree"} {
		t.Run(engine, func(t *testing.T) {
			dir := t.TempDir()
			ix, err := OpenDir(dir, DirOptions{Engine: engine, Options: Options{MergeMinChunks: 2000}})
			if err != nil {
				t.Fatal(err)
			}
			m := newModel(ix.Analyzer())
			var b Batch
			for i, d := range docs {
				b.Add(Document{ID: d.ID, Fields: map[string]string{"text": d.Text}, Stored: map[string]string{"path": d.Path}})
				if b.Len() == 500 || i == len(docs)-1 {
					m.apply(&b)
					if err := ix.Write(&b); err != nil {
						t.Fatal(err)
					}
					b.Reset()
				}
			}
			if err := ix.Close(); err != nil {
				t.Fatal(err)
			}
			ix, err = OpenDir(dir, DirOptions{}) // the directory remembers the engine
			if err != nil {
				t.Fatal(err)
			}
			defer ix.Close()
			if ix.DocCount() != uint64(len(m.docs)) {
				t.Fatalf("DocCount %d, want %d", ix.DocCount(), len(m.docs))
			}
			for _, qs := range []string{"reader", "returns", `"byte slice"`, "writ*", "+buffer +size", "string OR byte",
				"text:reader -writer", "(read OR write) error", `"the number of bytes"`, "utf*", "nonexistentword"} {
				q, err := ParseQuery(qs)
				if err != nil {
					t.Fatal(err)
				}
				check(t, ix, m, q, 0, 10, "goroot")
			}
			res, err := ix.SearchString("unread rune", 0, 3)
			if err != nil || len(res.Hits) == 0 || res.Hits[0].Snippet == "" {
				t.Fatalf("search with snippets: %v %+v", err, res)
			}
		})
	}
}
