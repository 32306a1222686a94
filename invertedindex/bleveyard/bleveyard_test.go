package bleveyard

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/kvlab/kvlab/invertedindex"
	"github.com/kvlab/kvlab/kv/memory"
)

// TestSameAnswers: bleve and invertedindex, given the same documents and
// analyzer, agree on the total hits of every query kind.
func TestSameAnswers(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "bleve")
	b, err := Create(dir, "english")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ix, err := invertedindex.Open(memory.New(), invertedindex.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var docs []invertedindex.Document
	words := []string{"reader", "writer", "buffer", "returns", "bytes", "the", "error", "reading", "written", "string"}
	for i := 0; i < 300; i++ {
		text := ""
		for j := 0; j < 3+i%7; j++ {
			text += words[(i*7+j*3+i/11)%len(words)] + " "
		}
		docs = append(docs, invertedindex.Document{ID: fmt.Sprint(i), Fields: map[string]string{"text": text}})
	}
	if err := b.Write(docs); err != nil {
		t.Fatal(err)
	}
	var batch invertedindex.Batch
	for _, d := range docs {
		batch.Add(d)
	}
	if err := ix.Write(&batch); err != nil {
		t.Fatal(err)
	}
	check := func(name string, ours invertedindex.Query, total uint64, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		res, err := ix.Search(invertedindex.Request{Query: ours})
		if err != nil {
			t.Fatal(err)
		}
		if uint64(res.Total) != total {
			t.Fatalf("%s: invertedindex %d hits, bleve %d", name, res.Total, total)
		}
	}
	tot, _, err := b.Search(Term("reader"), 10)
	check("term", invertedindex.TermQuery{Field: "text", Word: "reader"}, tot, err)
	tot, _, err = b.Search(And(Term("reader"), Term("buffer")), 10)
	check("and", invertedindex.BooleanQuery{Must: []invertedindex.Query{invertedindex.TermQuery{Word: "reader"}, invertedindex.TermQuery{Word: "buffer"}}}, tot, err)
	tot, _, err = b.Search(Or(Term("reader"), Term("buffer")), 10)
	check("or", invertedindex.BooleanQuery{Should: []invertedindex.Query{invertedindex.TermQuery{Word: "reader"}, invertedindex.TermQuery{Word: "buffer"}}}, tot, err)
	tot, _, err = b.Search(Phrase("returns bytes"), 10)
	check("phrase", invertedindex.PhraseQuery{Field: "text", Text: "returns bytes"}, tot, err)
	tot, _, err = b.Search(Prefix("writ"), 10)
	check("prefix", invertedindex.PrefixQuery{Field: "text", Prefix: "writ"}, tot, err)
}
