package indexbench

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/kvlab/kvlab/invertedindex/gocorpus"
)

func TestRunSmall(t *testing.T) {
	root := gocorpus.Root()
	if root == "" {
		t.Skip("no GOROOT source")
	}
	docs, err := gocorpus.Load(root, gocorpus.Options{Dirs: []string{"strings", "bufio"}})
	if err != nil {
		t.Fatal(err)
	}
	rs, err := Run(docs, Options{Engines: []string{"lsm", "btree", "bleve"}, Dir: t.TempDir(), BatchSize: 100, Queries: 20, Reps: 1})
	if err != nil {
		t.Fatal(err)
	}
	// The three engines find the same number of hits for every query.
	for _, k := range Kinds {
		if len(rs[0].Queries[k].Totals) == 0 {
			t.Errorf("%s: no queries", k)
		}
		for _, r := range rs[1:] {
			if !slices.Equal(r.Queries[k].Totals, rs[0].Queries[k].Totals) {
				t.Errorf("%s: %s finds %v hits, %s %v", k, r.Engine, r.Queries[k].Totals, rs[0].Engine, rs[0].Queries[k].Totals)
			}
		}
	}
	var b bytes.Buffer
	WriteTable(&b, rs)
	if !strings.Contains(b.String(), "vs bleve") {
		t.Fatalf("table:\n%s", b.String())
	}
	t.Log("\n" + b.String())
}
