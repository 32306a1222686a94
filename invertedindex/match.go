package invertedindex

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"sort"
	"sync"

	"github.com/kvlab/kvlab/kv"
)

// noMore is the document number of an exhausted matcher.
const noMore = math.MaxUint64

// matcher walks the documents a query matches in increasing order
// (document-at-a-time evaluation).
type matcher interface {
	// doc returns the current document, noMore when exhausted (0 before the
	// first advance).
	doc() uint64
	// advance moves to the first matching document >= target and returns
	// it. Errors stop the matcher (noMore) and are kept in the evalCtx.
	advance(target uint64) uint64
	// score returns the BM25 score of the current document.
	score() float64
	// bound returns an upper bound of score for the current document, from
	// block maxima: computing it decodes no frequencies or lengths.
	bound() float64
	// cost estimates how many documents the matcher visits.
	cost() int
}

// evalCtx is the state one search shares among its matchers.
type evalCtx struct {
	ix   *Index
	err  error
	it   kv.Iterator // over the posting chunks, shared by the whole search
	bufs []*[]byte   // posting buffers to return to bufPool
}

// bufPool recycles the buffers term matchers copy chunk values into, so
// that a search allocates (and the collector scans) almost nothing.
var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 64<<10); return &b }}

// iter returns the search's iterator over the posting chunks: one for the
// whole search, repositioned for each term (creating an engine iterator
// costs more than a seek).
func (e *evalCtx) iter() (kv.Iterator, error) {
	if e.it == nil {
		it, err := e.ix.db.NewIterator(kv.IterOptions{LowerBound: []byte{prefixPostings}, UpperBound: []byte{prefixPostings + 1}})
		if err != nil {
			return nil, fmt.Errorf("invertedindex: search: %w", err)
		}
		e.it = it
	}
	return e.it, nil
}

// release closes the search's iterator and returns its buffers to the
// pool; the matchers must not be used afterwards.
func (e *evalCtx) release() {
	if e.it != nil {
		if err := e.it.Close(); err != nil {
			e.fail(fmt.Errorf("invertedindex: search: %w", err))
		}
		e.it = nil
	}
	for _, b := range e.bufs {
		if cap(*b) <= 16<<20 {
			*b = (*b)[:0]
			bufPool.Put(b)
		}
	}
	e.bufs = nil
}

func (e *evalCtx) fail(err error) {
	if e.err == nil {
		e.err = err
	}
}

// chunkRef is a chunk of a term's posting list as loaded for a search:
// its header, and its value, decoded on demand.
type chunkRef struct {
	last, first   uint64
	n             int
	hasDeleted    bool // a deleted document lies in [first, last]
	maxTF, minLen uint32
	val           []byte
	ub            float64 // block-max score, -1 until computed
}

// termMatcher iterates one term's postings in one field.
type termMatcher struct {
	ctx    *evalCtx
	chunks []chunkRef
	df     int // live documents containing the term
	idf    float64
	k1, b  float64
	avg    float64
	ci     int   // current chunk, -1 before the first
	c      chunk // the current chunk, decoded
	i      int   // position in c.docs
	cur    uint64
}

// loadTerm reads every chunk of the term: headers give the exact live
// document frequency BM25 needs before any scoring; the values stay in
// memory and are decoded only where the search lands.
//
// Without withPos only the sections before the positions are kept, which
// is most of the bytes a term, AND or OR query would otherwise copy.
func (ctx *evalCtx) loadTerm(field uint32, term string, withPos bool) (*termMatcher, error) {
	lo := termPrefix(nil, field, term)
	it, err := ctx.iter()
	if err != nil {
		return nil, err
	}
	l := ctx.newLoad(term, withPos)
	defer l.done()
	for ok := it.SeekGE(lo); ok && bytes.HasPrefix(it.Key(), lo); ok = it.Next() {
		k := it.Key()
		if len(k) != len(lo)+8 {
			return nil, kv.Corruptf("", -1, "invertedindex: chunk key %q", k)
		}
		if err := l.add(beUint64(k[len(lo):]), it.Value()); err != nil {
			return nil, err
		}
	}
	if err := it.Err(); err != nil {
		return nil, fmt.Errorf("invertedindex: search: %w", err)
	}
	return l.finish(), nil
}

// loadPrefix loads every term of field starting with prefix in one
// sequential pass over their chunks (the scan dictionary's fast path: no
// seek per term). It returns nil, false when the prefix has more than
// MaxPrefixTerms terms.
func (ctx *evalCtx) loadPrefix(field uint32, prefix string) ([]*termMatcher, bool, error) {
	lo := append(fieldPrefix(field), prefix...)
	it, err := ctx.iter()
	if err != nil {
		return nil, false, err
	}
	var out []*termMatcher
	var l *termLoad
	var cur []byte
	flush := func() {
		if l != nil {
			out = append(out, l.finish())
			l.done()
			l = nil
		}
	}
	defer flush()
	for ok := it.SeekGE(lo); ok && bytes.HasPrefix(it.Key(), lo); ok = it.Next() {
		f, term, last, good := parseChunkKey(it.Key())
		if !good || f != field {
			return nil, false, kv.Corruptf("", -1, "invertedindex: bad chunk key %q", it.Key())
		}
		if l == nil || !bytes.Equal(term, cur) {
			flush()
			if len(out) >= MaxPrefixTerms {
				return nil, false, nil
			}
			cur = append(cur[:0], term...)
			l = ctx.newLoad(string(term), false)
		}
		if err := l.add(last, it.Value()); err != nil {
			return nil, false, err
		}
	}
	if err := it.Err(); err != nil {
		return nil, false, fmt.Errorf("invertedindex: search: %w", err)
	}
	flush()
	return out, true, nil
}

// termLoad gathers one term's chunks into a termMatcher.
type termLoad struct {
	ctx     *evalCtx
	term    string
	withPos bool
	tm      *termMatcher
	pb      *[]byte
	buf     []byte
	offs    []int
	hdr     chunk
}

func (ctx *evalCtx) newLoad(term string, withPos bool) *termLoad {
	pb := bufPool.Get().(*[]byte)
	return &termLoad{ctx: ctx, term: term, withPos: withPos, tm: &termMatcher{ctx: ctx, ci: -1}, pb: pb, buf: (*pb)[:0]}
}

// add adds the chunk whose last document is last.
func (l *termLoad) add(last uint64, v []byte) error {
	ix, tm, hdr := l.ctx.ix, l.tm, &l.hdr
	if err := parseChunk(hdr, last, v); err != nil {
		return fmt.Errorf("term %q: %w", l.term, err)
	}
	if n := len(tm.chunks); n > 0 && hdr.first <= tm.chunks[n-1].last {
		return kv.Corruptf("", -1, "invertedindex: term %q: chunks overlap", l.term)
	}
	ref := chunkRef{last: last, first: hdr.first, n: hdr.n, maxTF: hdr.maxTF, minLen: hdr.minLen, ub: -1}
	live := hdr.n
	if ix.deletedIn(hdr.first, last) > 0 {
		ref.hasDeleted = true
		if err := hdr.decodeDocs(); err != nil {
			return fmt.Errorf("term %q: %w", l.term, err)
		}
		for _, d := range hdr.docs {
			if ix.isDeleted(d) {
				live--
			}
		}
	}
	tm.df += live
	l.offs = append(l.offs, len(l.buf))
	if l.withPos {
		l.buf = append(l.buf, v...)
	} else {
		l.buf = append(l.buf, v[:len(v)-len(hdr.posB)]...)
	}
	tm.chunks = append(tm.chunks, ref)
	return nil
}

// finish points the chunks at their copied values and returns the matcher.
func (l *termLoad) finish() *termMatcher {
	tm := l.tm
	for i := range tm.chunks {
		end := len(l.buf)
		if i+1 < len(l.offs) {
			end = l.offs[i+1]
		}
		tm.chunks[i].val = l.buf[l.offs[i]:end:end]
	}
	return tm
}

// done hands the buffer to the search, which returns it to the pool.
func (l *termLoad) done() {
	if l.pb != nil {
		*l.pb = l.buf
		l.ctx.bufs = append(l.ctx.bufs, l.pb)
		l.pb = nil
	}
}

// setScoring fixes the BM25 parameters for a field with collection stats fs.
func (tm *termMatcher) setScoring(p BM25, fs fieldStats) {
	tm.k1, tm.b = p.K1, p.B
	tm.idf = idf(fs.Docs, uint64(tm.df))
	if fs.Docs > 0 {
		tm.avg = float64(fs.SumLen) / float64(fs.Docs)
	}
}

// idf is ln(1 + (N - n + 0.5)/(n + 0.5)), as Lucene and bleve use.
func idf(n, df uint64) float64 {
	return math.Log(1 + (float64(n)-float64(df)+0.5)/(float64(df)+0.5))
}

// bm25 is the score of one term in one document.
func bm25(idf, k1, b, avg float64, tf, dl uint32) float64 {
	norm := 1.0
	if avg > 0 {
		norm = 1 - b + b*float64(dl)/avg
	}
	t := float64(tf)
	return idf * t * (k1 + 1) / (t + k1*norm)
}

func (tm *termMatcher) doc() uint64 { return tm.cur }
func (tm *termMatcher) cost() int   { return tm.df }

// load decodes chunk ci's documents and positions the matcher at its first
// live document >= target, moving on to later chunks as needed.
func (tm *termMatcher) seekChunk(ci int, target uint64) uint64 {
	for ; ci < len(tm.chunks); ci++ {
		ref := &tm.chunks[ci]
		if ci != tm.ci {
			if err := parseChunk(&tm.c, ref.last, ref.val); err != nil {
				return tm.stop(err)
			}
			if err := tm.c.decodeDocs(); err != nil {
				return tm.stop(err)
			}
			tm.ci = ci
			tm.i = 0
		}
		docs := tm.c.docs
		i := seekDocs(docs, tm.i, target)
		for ; i < len(docs); i++ {
			if !ref.hasDeleted || !tm.ctx.ix.isDeleted(docs[i]) {
				tm.i, tm.cur = i, docs[i]
				return tm.cur
			}
		}
		tm.i = len(docs)
	}
	tm.cur = noMore
	return noMore
}

// seekDocs returns the first index >= i of docs (increasing) whose
// document is >= target: a few linear steps (the next match is usually
// near), then a binary search.
func seekDocs(docs []uint64, i int, target uint64) int {
	for end := min(i+8, len(docs)); i < end; i++ {
		if docs[i] >= target {
			return i
		}
	}
	lo, hi := i, len(docs)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if docs[m] < target {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

func (tm *termMatcher) stop(err error) uint64 {
	tm.ctx.fail(err)
	tm.cur = noMore
	tm.ci = len(tm.chunks)
	return noMore
}

func (tm *termMatcher) advance(target uint64) uint64 {
	if tm.cur == noMore || (tm.ci >= 0 && tm.cur >= target) {
		return tm.cur
	}
	ci := max(tm.ci, 0)
	if tm.chunks == nil || ci >= len(tm.chunks) {
		tm.cur = noMore
		return noMore
	}
	if tm.chunks[ci].last < target {
		// Skip: the chunk keys' last documents are the skip list.
		lo, hi := ci+1, len(tm.chunks)
		for lo < hi {
			m := int(uint(lo+hi) >> 1)
			if tm.chunks[m].last < target {
				lo = m + 1
			} else {
				hi = m
			}
		}
		ci = lo
	}
	return tm.seekChunk(ci, target)
}

func (tm *termMatcher) score() float64 {
	if err := tm.c.decodeStats(); err != nil {
		tm.ctx.fail(err)
		return 0
	}
	return bm25(tm.idf, tm.k1, tm.b, tm.avg, tm.c.freqs[tm.i], tm.c.lens[tm.i])
}

// chunkBound returns chunk ci's block-max score.
func (tm *termMatcher) chunkBound(ci int) float64 {
	ref := &tm.chunks[ci]
	if ref.ub < 0 {
		ref.ub = bm25(tm.idf, tm.k1, tm.b, tm.avg, ref.maxTF, ref.minLen)
	}
	return ref.ub
}

func (tm *termMatcher) bound() float64 { return tm.chunkBound(tm.ci) }

// positions returns the current document's positions.
func (tm *termMatcher) positions() []uint32 {
	if err := tm.c.decodePositions(); err != nil {
		tm.ctx.fail(err)
		return nil
	}
	return tm.c.pos[tm.c.posStart[tm.i]:tm.c.posStart[tm.i+1]]
}

// conjunction matches documents every sub-matcher matches.
type conjunction struct {
	subs []matcher // cheapest first
	cur  uint64
}

func newConjunction(subs []matcher) *conjunction {
	slices.SortStableFunc(subs, func(a, b matcher) int { return a.cost() - b.cost() })
	return &conjunction{subs: subs}
}

func (c *conjunction) doc() uint64 { return c.cur }
func (c *conjunction) cost() int   { return c.subs[0].cost() }

func (c *conjunction) advance(target uint64) uint64 {
	d := c.subs[0].advance(target)
outer:
	for d != noMore {
		for _, s := range c.subs[1:] {
			if x := s.advance(d); x > d {
				d = c.subs[0].advance(x)
				continue outer
			}
		}
		break
	}
	c.cur = d
	return d
}

func (c *conjunction) score() float64 {
	s := 0.0
	for _, m := range c.subs {
		s += m.score()
	}
	return s
}

func (c *conjunction) bound() float64 {
	s := 0.0
	for _, m := range c.subs {
		s += m.bound()
	}
	return s
}

// disjunction matches documents at least one sub-matcher matches.
type disjunction struct {
	subs    []matcher
	cur     uint64
	started bool
}

func (d *disjunction) doc() uint64 { return d.cur }

func (d *disjunction) cost() int {
	n := 0
	for _, s := range d.subs {
		n += s.cost()
	}
	return n
}

func (d *disjunction) advance(target uint64) uint64 {
	if d.started && d.cur >= target {
		return d.cur
	}
	d.started = true
	m := uint64(noMore)
	for _, s := range d.subs {
		x := s.doc()
		if x < target || x == 0 {
			x = s.advance(target)
		}
		m = min(m, x)
	}
	d.cur = m
	return m
}

func (d *disjunction) score() float64 {
	s := 0.0
	for _, m := range d.subs {
		if m.doc() == d.cur {
			s += m.score()
		}
	}
	return s
}

func (d *disjunction) bound() float64 {
	s := 0.0
	for _, m := range d.subs {
		if m.doc() == d.cur {
			s += m.bound()
		}
	}
	return s
}

// boolean is a required matcher, optional ones that add to the score, and
// excluded ones.
type boolean struct {
	req  matcher
	opt  matcher // may be nil
	excl matcher // may be nil
	cur  uint64
}

func (b *boolean) doc() uint64 { return b.cur }
func (b *boolean) cost() int   { return b.req.cost() }

func (b *boolean) advance(target uint64) uint64 {
	for {
		d := b.req.advance(target)
		if d != noMore && b.excl != nil && b.excl.advance(d) == d {
			target = d + 1
			continue
		}
		b.cur = d
		return d
	}
}

func (b *boolean) score() float64 {
	s := b.req.score()
	if b.opt != nil && b.opt.advance(b.cur) == b.cur {
		s += b.opt.score()
	}
	return s
}

func (b *boolean) bound() float64 {
	s := b.req.bound()
	if b.opt != nil && b.opt.advance(b.cur) == b.cur {
		s += b.opt.bound()
	}
	return s
}

// phrase matches documents where its terms appear at the given offsets
// from the first.
type phrase struct {
	conj  *conjunction
	terms []*termMatcher
	offs  []uint32 // offs[i]: terms[i]'s position relative to terms[0]
	cur   uint64
	lists [][]uint32
}

func (p *phrase) doc() uint64    { return p.cur }
func (p *phrase) cost() int      { return p.conj.cost() }
func (p *phrase) score() float64 { return p.conj.score() }
func (p *phrase) bound() float64 { return p.conj.bound() }

func (p *phrase) advance(target uint64) uint64 {
	for {
		d := p.conj.advance(target)
		if d == noMore || p.matches() {
			p.cur = d
			return d
		}
		target = d + 1
	}
}

// matches reports whether the current document holds the phrase.
func (p *phrase) matches() bool {
	if p.lists == nil {
		p.lists = make([][]uint32, len(p.terms))
	}
	lists := p.lists
	for i, t := range p.terms {
		lists[i] = t.positions()
	}
	first := lists[0]
next:
	for _, x := range first {
		for i := 1; i < len(lists); i++ {
			want := x + p.offs[i]
			l := lists[i]
			j := sort.Search(len(l), func(k int) bool { return l[k] >= want })
			if j == len(l) || l[j] != want {
				continue next
			}
		}
		return true
	}
	return false
}

// listMatcher replays a precomputed list of documents and scores: the
// term-at-a-time evaluation of a wide disjunction (a prefix with many
// terms), cheaper than advancing every term for every document.
type listMatcher struct {
	docs   []uint64
	scores []float64
	i      int
	cur    uint64
}

func (l *listMatcher) doc() uint64    { return l.cur }
func (l *listMatcher) cost() int      { return len(l.docs) }
func (l *listMatcher) score() float64 { return l.scores[l.i] }
func (l *listMatcher) bound() float64 { return l.scores[l.i] }
func (l *listMatcher) advance(target uint64) uint64 {
	if l.cur != 0 && l.cur >= target {
		return l.cur
	}
	l.i += sort.Search(len(l.docs)-l.i, func(j int) bool { return l.docs[l.i+j] >= target })
	if l.i >= len(l.docs) {
		l.cur = noMore
		return noMore
	}
	l.cur = l.docs[l.i]
	return l.cur
}

// denseMatcher replays scores accumulated in an array indexed by document
// number minus base; a document matches when its score is positive (every
// BM25 term score is).
type denseMatcher struct {
	base   uint64
	scores []float64
	i      int
	cur    uint64
}

func (d *denseMatcher) doc() uint64    { return d.cur }
func (d *denseMatcher) cost() int      { return len(d.scores) }
func (d *denseMatcher) score() float64 { return d.scores[d.i] }
func (d *denseMatcher) bound() float64 { return d.scores[d.i] }
func (d *denseMatcher) advance(target uint64) uint64 {
	if d.cur != 0 && d.cur >= target {
		return d.cur
	}
	i := 0
	if target > d.base {
		i = int(min(target-d.base, uint64(len(d.scores))))
	}
	for ; i < len(d.scores); i++ {
		if d.scores[i] > 0 {
			d.i, d.cur = i, d.base+uint64(i)
			return d.cur
		}
	}
	d.i, d.cur = len(d.scores), noMore
	return noMore
}

// accumulateMin is the number of terms above which a prefix query is
// evaluated term-at-a-time (a variable for tests).
var accumulateMin = 8

// maxDense bounds the document range accumulated in an array.
const maxDense = 1 << 24

// accumulate evaluates a disjunction of terms term-at-a-time, into an
// array over the documents' range when it is not too wide, else a map.
func accumulate(terms []*termMatcher) matcher {
	lo, hi := uint64(noMore), uint64(0)
	for _, t := range terms {
		if len(t.chunks) > 0 {
			lo = min(lo, t.chunks[0].first)
			hi = max(hi, t.chunks[len(t.chunks)-1].last)
		}
	}
	if hi >= lo && hi-lo < maxDense {
		d := &denseMatcher{base: lo, scores: make([]float64, hi-lo+1)}
		for _, t := range terms {
			for doc := t.advance(0); doc != noMore; doc = t.advance(doc + 1) {
				d.scores[doc-lo] += t.score()
			}
		}
		return d
	}
	return accumulateMap(terms)
}

// accumulateMap is accumulate with a map, for documents too far apart.
func accumulateMap(terms []*termMatcher) *listMatcher {
	acc := map[uint64]float64{}
	for _, t := range terms {
		for d := t.advance(0); d != noMore; d = t.advance(d + 1) {
			acc[d] += t.score()
		}
	}
	l := &listMatcher{docs: make([]uint64, 0, len(acc))}
	for d := range acc {
		l.docs = append(l.docs, d)
	}
	slices.Sort(l.docs)
	l.scores = make([]float64, len(l.docs))
	for i, d := range l.docs {
		l.scores[i] = acc[d]
	}
	return l
}
