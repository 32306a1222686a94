package indexbench

import (
	"bytes"
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
	rs, err := Run(docs, Options{Engines: []string{"lsm", "btree", "bleve"}, Dir: t.TempDir(), BatchSize: 100, Queries: 5, Reps: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range Kinds {
		for _, r := range rs[1:] {
			if r.Queries[k].Hits != rs[0].Queries[k].Hits {
				t.Errorf("%s: %s finds %.1f hits on average, %s %.1f", k, r.Engine, r.Queries[k].Hits, rs[0].Engine, rs[0].Queries[k].Hits)
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
