// Package bleveyard runs bleve v2 (scorch) as the yardstick of package
// invertedindex: an index with the same analyzer (a bleve tokenizer that
// runs an invertedindex.Analyzer, so both index exactly the same terms at
// the same positions), BM25 scoring, one stored and term-vectored text
// field, and the query kinds the benchmark runs. It lives apart so that
// invertedindex itself does not import bleve.
package bleveyard

import (
	"fmt"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/registry"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/kvlab/kvlab/invertedindex"
)

// tokenizerType is the bleve tokenizer type registered by this package.
const tokenizerType = "kvlab_invertedindex"

var registerOnce sync.Once

func register() {
	registerOnce.Do(func() {
		err := registry.RegisterTokenizer(tokenizerType, func(config map[string]interface{}, _ *registry.Cache) (analysis.Tokenizer, error) {
			name, _ := config["analyzer"].(string)
			an, err := invertedindex.AnalyzerByName(name)
			if err != nil {
				return nil, err
			}
			return tokenizer{an}, nil
		})
		if err != nil {
			panic(err)
		}
	})
}

// tokenizer adapts an invertedindex.Analyzer to bleve: its tokens are
// already the final terms.
type tokenizer struct{ an invertedindex.Analyzer }

// Tokenize analyzes input; bleve positions are 1-based.
func (t tokenizer) Tokenize(input []byte) analysis.TokenStream {
	toks := t.an.Analyze(nil, string(input))
	out := make(analysis.TokenStream, len(toks))
	for i, tk := range toks {
		out[i] = &analysis.Token{Start: tk.Start, End: tk.End, Term: []byte(tk.Term), Position: tk.Pos + 1, Type: analysis.AlphaNumeric}
	}
	return out
}

// Index is a bleve index with one text field ("text", stored, with term
// vectors) and stored-only fields.
type Index struct {
	idx bleve.Index
}

// Mapping returns the index mapping for the standard analyzer of that name
// (see invertedindex.AnalyzerByName): BM25 scoring, field "text" analyzed,
// stored and with term vectors (positions for phrases and highlighting, as
// invertedindex keeps), every other field stored only.
func Mapping(analyzer string) (*mapping.IndexMappingImpl, error) {
	register()
	if _, err := invertedindex.AnalyzerByName(analyzer); err != nil {
		return nil, err
	}
	im := bleve.NewIndexMapping()
	im.ScoringModel = "bm25"
	if err := im.AddCustomTokenizer("kvlab", map[string]interface{}{"type": tokenizerType, "analyzer": analyzer}); err != nil {
		return nil, fmt.Errorf("bleveyard: %w", err)
	}
	if err := im.AddCustomAnalyzer("kvlab", map[string]interface{}{"type": custom.Name, "tokenizer": "kvlab"}); err != nil {
		return nil, fmt.Errorf("bleveyard: %w", err)
	}
	im.DefaultAnalyzer = "kvlab"
	im.StoreDynamic, im.IndexDynamic, im.DocValuesDynamic = false, false, false
	dm := bleve.NewDocumentStaticMapping()
	text := bleve.NewTextFieldMapping()
	text.Analyzer = "kvlab"
	text.Store = true
	text.IncludeTermVectors = true
	text.IncludeInAll = false
	text.DocValues = false
	dm.AddFieldMappingsAt("text", text)
	stored := bleve.NewTextFieldMapping()
	stored.Index = false
	stored.Store = true
	stored.IncludeInAll = false
	stored.DocValues = false
	dm.AddFieldMappingsAt("path", stored)
	im.DefaultMapping = dm
	return im, nil
}

// Create makes a new index in dir (which must not exist).
func Create(dir, analyzer string) (*Index, error) {
	im, err := Mapping(analyzer)
	if err != nil {
		return nil, err
	}
	idx, err := bleve.New(dir, im)
	if err != nil {
		return nil, fmt.Errorf("bleveyard: %w", err)
	}
	return &Index{idx: idx}, nil
}

// OpenIndex opens an existing index.
func OpenIndex(dir string) (*Index, error) {
	register()
	idx, err := bleve.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("bleveyard: %w", err)
	}
	return &Index{idx: idx}, nil
}

// Write indexes docs in one bleve batch: the "text" field from
// Fields["text"], "path" from Stored["path"].
func (ix *Index) Write(docs []invertedindex.Document) error {
	b := ix.idx.NewBatch()
	for _, d := range docs {
		if err := b.Index(d.ID, map[string]interface{}{"text": d.Fields["text"], "path": d.Stored["path"]}); err != nil {
			return fmt.Errorf("bleveyard: %w", err)
		}
	}
	if err := ix.idx.Batch(b); err != nil {
		return fmt.Errorf("bleveyard: %w", err)
	}
	return nil
}

// Close closes the index.
func (ix *Index) Close() error { return ix.idx.Close() }

// Term returns a query for an analyzed term in "text".
func Term(term string) query.Query {
	q := bleve.NewTermQuery(term)
	q.SetField("text")
	return q
}

// Phrase returns a query for text as a phrase in "text", analyzed by the
// field's analyzer.
func Phrase(text string) query.Query {
	q := bleve.NewMatchPhraseQuery(text)
	q.SetField("text")
	return q
}

// Prefix returns a query for terms of "text" starting with prefix.
func Prefix(prefix string) query.Query {
	q := bleve.NewPrefixQuery(prefix)
	q.SetField("text")
	return q
}

// And returns the conjunction of qs.
func And(qs ...query.Query) query.Query { return bleve.NewConjunctionQuery(qs...) }

// Or returns the disjunction of qs.
func Or(qs ...query.Query) query.Query { return bleve.NewDisjunctionQuery(qs...) }

// Search returns the total hit count and the IDs of the best k hits.
func (ix *Index) Search(q query.Query, k int) (total uint64, ids []string, err error) {
	req := bleve.NewSearchRequestOptions(q, k, 0, false)
	res, err := ix.idx.Search(req)
	if err != nil {
		return 0, nil, fmt.Errorf("bleveyard: %w", err)
	}
	for _, h := range res.Hits {
		ids = append(ids, h.ID)
	}
	return res.Total, ids, nil
}
