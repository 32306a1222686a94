package invertedindex

import (
	"math"
	"sort"
	"strings"
)

// model is the brute-force reference: the live documents, analyzed on
// demand, scored by a BM25 written from the formula without any of the
// index's code (only the analyzer is shared: both sides must agree on
// what the terms are).
type model struct {
	an     Analyzer
	docs   map[string]Document
	fields map[string]bool // every text field ever indexed
	k1, b  float64
	// caches, dropped by apply
	toks map[string]map[string][]Token // id -> field -> tokens
	df   map[string]float64            // field 0 term -> documents
	fs   map[string][2]float64         // field -> documents, total length
}

func newModel(an Analyzer) *model {
	return &model{an: an, docs: map[string]Document{}, fields: map[string]bool{}, k1: 1.2, b: 0.75}
}

func (m *model) clone() *model {
	c := *m
	c.toks, c.df, c.fs = nil, nil, nil
	c.docs = make(map[string]Document, len(m.docs))
	for k, v := range m.docs {
		c.docs[k] = v
	}
	c.fields = make(map[string]bool, len(m.fields))
	for k, v := range m.fields {
		c.fields[k] = v
	}
	return &c
}

func (m *model) apply(b *Batch) {
	m.toks, m.df, m.fs = nil, nil, nil
	for _, op := range b.ops {
		if op.del {
			delete(m.docs, op.doc.ID)
			continue
		}
		m.docs[op.doc.ID] = op.doc
		for f := range op.doc.Fields {
			m.fields[f] = true
		}
	}
}

func (m *model) terms(text string) []string {
	var out []string
	for _, t := range m.an.Analyze(nil, text) {
		out = append(out, t.Term)
	}
	return out
}

// tokensOf returns the analyzed tokens of a document's field, or ok=false
// when the document lacks the field.
func (m *model) tokensOf(d Document, field string) ([]Token, bool) {
	text, ok := d.Fields[field]
	if !ok {
		return nil, false
	}
	if m.toks == nil {
		m.toks = map[string]map[string][]Token{}
	}
	byField := m.toks[d.ID]
	if byField == nil {
		byField = map[string][]Token{}
		m.toks[d.ID] = byField
	}
	toks, ok := byField[field]
	if !ok {
		toks = m.an.Analyze(nil, text)
		byField[field] = toks
	}
	return toks, true
}

// collection returns the number of documents with field, their total
// length, and how many hold term, counted by scanning every document.
func (m *model) collection(field, term string) (nDocs, sumLen, df float64) {
	if m.df == nil {
		m.df, m.fs = map[string]float64{}, map[string][2]float64{}
	}
	fs, ok := m.fs[field]
	d, ok2 := m.df[field+"\x00"+term]
	if ok && ok2 {
		return fs[0], fs[1], d
	}
	for _, doc := range m.docs {
		toks, ok := m.tokensOf(doc, field)
		if !ok {
			continue
		}
		nDocs++
		sumLen += float64(len(toks))
		for _, t := range toks {
			if t.Term == term {
				df++
				break
			}
		}
	}
	m.fs[field] = [2]float64{nDocs, sumLen}
	m.df[field+"\x00"+term] = df
	return nDocs, sumLen, df
}

// bm25 scores term in field for document id from scratch.
func (m *model) bm25(field, term, id string) float64 {
	nDocs, sumLen, df := m.collection(field, term)
	toks, _ := m.tokensOf(m.docs[id], field)
	tf := 0.0
	for _, t := range toks {
		if t.Term == term {
			tf++
		}
	}
	if tf == 0 {
		return 0
	}
	idf := math.Log(1 + (nDocs-df+0.5)/(df+0.5))
	avg := sumLen / nDocs
	dl := float64(len(toks))
	return idf * tf * (m.k1 + 1) / (tf + m.k1*(1-m.b+m.b*dl/avg))
}

func (m *model) fieldList(f string) []string {
	if f != "" {
		if m.fields[f] {
			return []string{f}
		}
		return nil
	}
	var out []string
	for f := range m.fields {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

// eval returns the matching documents' scores; empty reports a query with
// no terms at all after analysis.
func (m *model) eval(q Query) (scores map[string]float64, empty bool) {
	scores = map[string]float64{}
	switch q := q.(type) {
	case TermQuery:
		toks := m.an.Analyze(nil, q.Word)
		if len(toks) == 0 {
			return scores, true
		}
		if len(toks) > 1 {
			return m.phrase(q.Field, toks), false
		}
		for _, f := range m.fieldList(q.Field) {
			for id := range m.docs {
				if s := m.bm25(f, toks[0].Term, id); s != 0 || m.has(id, f, toks[0].Term) {
					scores[id] += s
				}
			}
		}
	case PhraseQuery:
		toks := m.an.Analyze(nil, q.Text)
		if len(toks) == 0 {
			return scores, true
		}
		return m.phrase(q.Field, toks), false
	case PrefixQuery:
		pre := strings.ToLower(q.Prefix)
		for _, f := range m.fieldList(q.Field) {
			for id, d := range m.docs {
				toks, _ := m.tokensOf(d, f)
				seen := map[string]bool{}
				for _, t := range toks {
					if strings.HasPrefix(t.Term, pre) && !seen[t.Term] {
						seen[t.Term] = true
						scores[id] += m.bm25(f, t.Term, id)
					}
				}
			}
		}
	case BooleanQuery:
		var req map[string]float64
		positive := false
		for _, c := range q.Must {
			s, e := m.eval(c)
			if e {
				continue
			}
			positive = true
			if req == nil {
				req = s
				continue
			}
			next := map[string]float64{}
			for id, v := range req {
				if w, ok := s[id]; ok {
					next[id] = v + w
				}
			}
			req = next
		}
		var opt map[string]float64
		for _, c := range q.Should {
			s, e := m.eval(c)
			if e {
				continue
			}
			positive = true
			if opt == nil {
				opt = map[string]float64{}
			}
			for id, v := range s {
				opt[id] += v
			}
		}
		if !positive {
			return scores, true
		}
		if req == nil {
			if !anyNonEmpty(m, q.Must) {
				req, opt = opt, nil
			}
		}
		for id, v := range req {
			scores[id] = v + opt[id]
		}
		for _, c := range q.MustNot {
			s, _ := m.eval(c)
			for id := range s {
				delete(scores, id)
			}
		}
	}
	return scores, false
}

func anyNonEmpty(m *model, qs []Query) bool {
	for _, q := range qs {
		if _, e := m.eval(q); !e {
			return true
		}
	}
	return false
}

func (m *model) has(id, field, term string) bool {
	toks, _ := m.tokensOf(m.docs[id], field)
	for _, t := range toks {
		if t.Term == term {
			return true
		}
	}
	return false
}

func (m *model) phrase(field string, q []Token) map[string]float64 {
	scores := map[string]float64{}
	for _, f := range m.fieldList(field) {
		for id, d := range m.docs {
			toks, _ := m.tokensOf(d, f)
			at := map[int]string{}
			for _, t := range toks {
				at[t.Pos] = t.Term
			}
			found := false
			for _, t := range toks {
				if t.Term != q[0].Term {
					continue
				}
				ok := true
				for _, x := range q[1:] {
					if at[t.Pos+x.Pos-q[0].Pos] != x.Term {
						ok = false
						break
					}
				}
				if ok {
					found = true
					break
				}
			}
			if found {
				for _, x := range q {
					scores[id] += m.bm25(f, x.Term, id)
				}
			}
		}
	}
	return scores
}
