package invertedindex

import (
	"container/heap"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/kvlab/kvlab/kv"
)

// Request is one search.
type Request struct {
	// Query is what to find.
	Query Query
	// Offset skips that many of the best hits (paging).
	Offset int
	// Limit is the most hits returned; 0 means 10, a negative value none
	// (the total is still counted).
	Limit int
	// NoStored leaves Hit.Stored nil (saves decoding it).
	NoStored bool
	// Snippet asks for a highlighted excerpt of each hit's best text field.
	Snippet bool
	// HighlightPre and HighlightPost wrap matched words in snippets
	// (default "[" and "]").
	HighlightPre, HighlightPost string
}

// Hit is one matching document.
type Hit struct {
	ID     string
	Score  float64
	Stored map[string]string
	// Snippet is an excerpt of the text field with most matched words,
	// matched words highlighted; empty unless Request.Snippet.
	Snippet string
}

// Result is a search's answer.
type Result struct {
	// Total is the number of matching documents.
	Total int
	// Hits are the hits from Offset on, best first (ties by insertion
	// order).
	Hits []Hit
}

// SearchString parses q and returns hits offset to offset+limit with
// snippets.
func (ix *Index) SearchString(q string, offset, limit int) (*Result, error) {
	pq, err := ParseQuery(q)
	if err != nil {
		return nil, err
	}
	return ix.Search(Request{Query: pq, Offset: offset, Limit: limit, Snippet: true})
}

// Search runs a request. Documents are matched document-at-a-time; a heap
// keeps the best Offset+Limit; a document whose block-max bound cannot beat
// the heap's worst is counted without being scored, and a single-term query
// skips whole chunks that way without decoding them.
func (ix *Index) Search(req Request) (*Result, error) {
	if req.Query == nil {
		return nil, errors.New("invertedindex: search: no query")
	}
	if req.Offset < 0 {
		return nil, fmt.Errorf("invertedindex: search: negative offset %d", req.Offset)
	}
	limit := req.Limit
	if limit == 0 {
		limit = 10
	} else if limit < 0 {
		limit = 0
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.closed {
		return nil, ErrClosed
	}
	ctx := &evalCtx{ix: ix}
	defer ctx.release()
	m, err := ctx.compile(req.Query)
	if err != nil {
		return nil, err
	}
	k := req.Offset + limit
	h := hitHeap{}
	total := 0
	if m != nil {
		if tm, ok := m.(*termMatcher); ok {
			total = ctx.collectTerm(tm, &h, k)
		} else {
			for d := m.advance(1); d != noMore; d = m.advance(d + 1) {
				total++
				if k == 0 {
					continue
				}
				if len(h) == k && m.bound()*(1+1e-9) <= h[0].score {
					continue
				}
				h.offer(scored{d, m.score()}, k)
			}
		}
	}
	if ctx.err != nil {
		return nil, ctx.err
	}
	top := make([]scored, len(h))
	copy(top, h)
	slices.SortFunc(top, func(a, b scored) int {
		switch {
		case a.score > b.score:
			return -1
		case a.score < b.score:
			return 1
		case a.doc < b.doc:
			return -1
		case a.doc > b.doc:
			return 1
		}
		return 0
	})
	res := &Result{Total: total}
	if req.Offset >= len(top) {
		return res, nil
	}
	var hl *highlighter
	if req.Snippet {
		hl = ctx.highlighter(req)
	}
	for _, s := range top[req.Offset:] {
		v, err := ix.db.Get(docKey(s.doc))
		if err != nil {
			if errors.Is(err, kv.ErrNotFound) {
				err = kv.Corruptf("", -1, "invertedindex: document %d has postings but no record", s.doc)
			}
			return nil, fmt.Errorf("invertedindex: search: %w", err)
		}
		if req.NoStored && hl == nil {
			// Only the ID is wanted: it leads the record.
			r := reader{b: v}
			id := r.bytes()
			if r.bad {
				return nil, corrupt("document record", "malformed ID")
			}
			res.Hits = append(res.Hits, Hit{ID: string(id), Score: s.score})
			continue
		}
		rec, err := decodeDocRecord(v, len(ix.meta.Fields))
		if err != nil {
			return nil, err
		}
		hit := Hit{ID: rec.ID, Score: s.score}
		if !req.NoStored && len(rec.Stored) > 0 {
			hit.Stored = make(map[string]string, len(rec.Stored))
			for _, f := range rec.Stored {
				hit.Stored[f.Name] = f.Value
			}
		}
		if hl != nil {
			hit.Snippet = hl.snippet(&rec)
		}
		res.Hits = append(res.Hits, hit)
	}
	return res, nil
}

// collectTerm collects a single-term query chunk by chunk: a chunk whose
// block-max score cannot beat the heap's worst is counted from its header
// and never decoded.
func (ctx *evalCtx) collectTerm(tm *termMatcher, h *hitHeap, k int) int {
	total := 0
	for ci := range tm.chunks {
		ref := &tm.chunks[ci]
		if k == 0 || (len(*h) == k && tm.chunkBound(ci)*(1+1e-9) <= (*h)[0].score) {
			if !ref.hasDeleted {
				total += ref.n
				continue
			}
		}
		for d := tm.seekChunk(ci, ref.first); d != noMore && d <= ref.last; d = tm.seekChunk(ci, d+1) {
			total++
			if k == 0 || (len(*h) == k && tm.chunkBound(ci)*(1+1e-9) <= (*h)[0].score) {
				continue
			}
			h.offer(scored{d, tm.score()}, k)
		}
		if ctx.err != nil {
			break
		}
	}
	return total
}

type scored struct {
	doc   uint64
	score float64
}

// hitHeap is a min-heap of the best hits so far: the worst (lowest score,
// then highest document number) on top.
type hitHeap []scored

func (h hitHeap) Len() int { return len(h) }
func (h hitHeap) Less(i, j int) bool {
	if h[i].score != h[j].score {
		return h[i].score < h[j].score
	}
	return h[i].doc > h[j].doc
}
func (h hitHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *hitHeap) Push(x any)   { *h = append(*h, x.(scored)) }
func (h *hitHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// offer adds s if the heap has room or s beats its worst.
func (h *hitHeap) offer(s scored, k int) {
	if len(*h) < k {
		heap.Push(h, s)
		return
	}
	w := (*h)[0]
	if s.score > w.score || (s.score == w.score && s.doc < w.doc) {
		(*h)[0] = s
		heap.Fix(h, 0)
	}
}

// fieldsFor returns the fields a query on field f searches: f itself (if
// the index has it) or, for "", every text field.
func (ctx *evalCtx) fieldsFor(f string) []uint32 {
	ix := ctx.ix
	if f != "" {
		if n, ok := ix.fields[f]; ok {
			return []uint32{n}
		}
		return nil
	}
	out := make([]uint32, len(ix.meta.Fields))
	for i := range out {
		out[i] = uint32(i)
	}
	return out
}

// compile turns a query into a matcher; nil means it matches nothing.
func (ctx *evalCtx) compile(q Query) (matcher, error) {
	switch q := q.(type) {
	case TermQuery:
		toks := ctx.ix.an.Analyze(nil, q.Word)
		if len(toks) > 1 {
			return ctx.phrase(q.Field, toks)
		}
		if len(toks) == 0 {
			return nil, nil
		}
		var subs []matcher
		for _, f := range ctx.fieldsFor(q.Field) {
			tm, err := ctx.term(f, toks[0].Term, false)
			if err != nil {
				return nil, err
			}
			if tm != nil {
				subs = append(subs, tm)
			}
		}
		return orOf(subs), nil
	case PhraseQuery:
		return ctx.phrase(q.Field, ctx.ix.an.Analyze(nil, q.Text))
	case PrefixQuery:
		pre := strings.ToLower(q.Prefix)
		var terms []*termMatcher
		for _, f := range ctx.fieldsFor(q.Field) {
			tms, err := ctx.prefixTerms(f, pre)
			if err != nil {
				return nil, fmt.Errorf("invertedindex: prefix %q: %w", q.Prefix, err)
			}
			for _, tm := range tms {
				if tm.df > 0 {
					tm.setScoring(ctx.ix.bm25, ctx.ix.st.Fields[f])
					terms = append(terms, tm)
				}
			}
		}
		if len(terms) > accumulateMin {
			return accumulate(terms), nil
		}
		subs := make([]matcher, len(terms))
		for i, t := range terms {
			subs[i] = t
		}
		return orOf(subs), nil
	case BooleanQuery:
		return ctx.boolean(q)
	case nil:
		return nil, errors.New("invertedindex: nil query")
	}
	return nil, fmt.Errorf("invertedindex: unknown query type %T", q)
}

func orOf(subs []matcher) matcher {
	switch len(subs) {
	case 0:
		return nil
	case 1:
		return subs[0]
	}
	return &disjunction{subs: subs}
}

// errTooManyTerms reports a prefix with more than MaxPrefixTerms terms.
var errTooManyTerms = fmt.Errorf("more than %d terms", MaxPrefixTerms)

// prefixTerms loads the terms of field starting with pre. The term
// dictionary says how many there are without any I/O (none: no read; more
// than MaxPrefixTerms: an error at once); their chunks, adjacent in key
// order, are then read in one forward pass.
func (ctx *evalCtx) prefixTerms(f uint32, pre string) ([]*termMatcher, error) {
	switch n := ctx.ix.dict.count(f, pre, MaxPrefixTerms+1); {
	case n == 0:
		return nil, nil
	case n > MaxPrefixTerms:
		return nil, errTooManyTerms
	}
	tms, ok, err := ctx.loadPrefix(f, pre)
	if err == nil && !ok {
		err = errTooManyTerms
	}
	return tms, err
}

// term returns the matcher of one term in one field, nil if no live
// document has it.
func (ctx *evalCtx) term(f uint32, term string, withPos bool) (*termMatcher, error) {
	tm, err := ctx.loadTerm(f, term, withPos)
	if err != nil || tm.df == 0 {
		return nil, err
	}
	tm.setScoring(ctx.ix.bm25, ctx.ix.st.Fields[f])
	return tm, nil
}

// phrase compiles a phrase of analyzed tokens, in one field or in any.
func (ctx *evalCtx) phrase(field string, toks []Token) (matcher, error) {
	if len(toks) == 0 {
		return nil, nil
	}
	var alts []matcher
fields:
	for _, f := range ctx.fieldsFor(field) {
		p := &phrase{}
		subs := make([]matcher, len(toks))
		for i, t := range toks {
			tm, err := ctx.term(f, t.Term, len(toks) > 1)
			if err != nil {
				return nil, err
			}
			if tm == nil {
				continue fields
			}
			p.terms = append(p.terms, tm)
			p.offs = append(p.offs, uint32(t.Pos-toks[0].Pos))
			subs[i] = tm
		}
		if len(toks) == 1 {
			alts = append(alts, subs[0])
			continue
		}
		p.conj = newConjunction(subs)
		alts = append(alts, p)
	}
	return orOf(alts), nil
}

func (ctx *evalCtx) boolean(q BooleanQuery) (matcher, error) {
	var must, should, not []matcher
	for _, c := range q.Must {
		m, err := ctx.compile(c)
		if err != nil {
			return nil, err
		}
		if m == nil {
			if isEmptyByAnalysis(ctx, c) {
				continue // a stop word: dropped, not required
			}
			return nil, nil // a required clause matches nothing
		}
		must = append(must, m)
	}
	for _, c := range q.Should {
		m, err := ctx.compile(c)
		if err != nil {
			return nil, err
		}
		if m != nil {
			should = append(should, m)
		}
	}
	for _, c := range q.MustNot {
		m, err := ctx.compile(c)
		if err != nil {
			return nil, err
		}
		if m != nil {
			not = append(not, m)
		}
	}
	b := &boolean{}
	switch {
	case len(must) == 1:
		b.req = must[0]
	case len(must) > 1:
		b.req = newConjunction(must)
	case len(should) > 0:
		b.req = orOf(should)
		should = nil
	default:
		return nil, nil
	}
	b.opt = orOf(should)
	b.excl = orOf(not)
	if b.opt == nil && b.excl == nil {
		return b.req, nil
	}
	return b, nil
}

// isEmptyByAnalysis reports whether q has no terms at all after analysis
// (a stop word, punctuation), as opposed to terms no document has.
func isEmptyByAnalysis(ctx *evalCtx, q Query) bool {
	switch q := q.(type) {
	case TermQuery:
		return len(ctx.ix.an.Analyze(nil, q.Word)) == 0
	case PhraseQuery:
		return len(ctx.ix.an.Analyze(nil, q.Text)) == 0
	case BooleanQuery:
		for _, c := range q.Must {
			if !isEmptyByAnalysis(ctx, c) {
				return false
			}
		}
		for _, c := range q.Should {
			if !isEmptyByAnalysis(ctx, c) {
				return false
			}
		}
		return true
	}
	return false
}
