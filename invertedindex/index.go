package invertedindex

import (
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"unicode/utf8"

	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/trie"
)

// ErrAnalyzerMismatch is returned by Open when the index was built with an
// analyzer of another name than the one passed in Options.
var ErrAnalyzerMismatch = errors.New("invertedindex: analyzer differs from the one the index was built with")

// ErrClosed is returned by every method of a closed Index.
var ErrClosed = errors.New("invertedindex: closed")

// MaxIDLen is the longest document ID accepted, in bytes.
const MaxIDLen = 1024

// BM25 holds the ranking function's parameters.
type BM25 struct {
	// K1 saturates term frequency (default 1.2).
	K1 float64
	// B scales the length normalization (default 0.75).
	B float64
}

// DefaultBM25 is k1 = 1.2, b = 0.75.
var DefaultBM25 = BM25{K1: 1.2, B: 0.75}

// Options configure Open.
type Options struct {
	// Analyzer analyzes document fields and query text. nil means the
	// analyzer the index was built with (which must then be a standard one,
	// see AnalyzerByName), or English() for a new index.
	Analyzer Analyzer
	// BM25 sets the ranking parameters; nil means DefaultBM25.
	BM25 *BM25
	// Sync makes every Write durable before it returns.
	Sync bool
	// NoAutoMerge turns off the merges Write starts when small chunks or
	// deleted documents pile up; Merge still works.
	NoAutoMerge bool
	// MergeMinChunks is the number of chunks written since the last merge
	// below which Write does not merge (default 65536).
	MergeMinChunks int
}

// Document is a unit of indexing, retrieval and deletion.
type Document struct {
	// ID names the document; adding a document whose ID exists replaces it.
	ID string
	// Fields are text fields by name: analyzed, indexed, and kept for
	// snippets and for returning with hits.
	Fields map[string]string
	// Stored are fields returned with hits but not indexed.
	Stored map[string]string
}

// Batch is a list of additions (or replacements) and deletions applied
// atomically by Index.Write. When one ID appears several times, the last
// operation wins. The zero Batch is empty and ready to use.
type Batch struct {
	ops []batchOp
}

type batchOp struct {
	del bool
	doc Document
}

// Add adds doc, replacing any document with its ID.
func (b *Batch) Add(doc Document) { b.ops = append(b.ops, batchOp{doc: doc}) }

// Delete removes the document with that ID, if any.
func (b *Batch) Delete(id string) { b.ops = append(b.ops, batchOp{del: true, doc: Document{ID: id}}) }

// Len returns the number of operations.
func (b *Batch) Len() int { return len(b.ops) }

// Reset empties the batch.
func (b *Batch) Reset() { b.ops = b.ops[:0] }

// Index is a full-text index stored in a kv.Engine. Its methods are safe for
// concurrent use: searches run in parallel, writes and merges one at a time.
type Index struct {
	db      kv.Engine
	opts    Options
	an      Analyzer
	bm25    BM25
	dict    *trieDict // the term dictionary
	ownsDB  bool
	mu      sync.RWMutex
	closed  bool
	meta    meta
	fields  map[string]uint32
	st      stats
	deleted []uint64 // sorted: documents with an "x" key
}

// Open opens the index stored in db, creating it if db holds none. The
// index does not own db: Close leaves it open.
func Open(db kv.Engine, o Options) (*Index, error) {
	ix := &Index{db: db, opts: o, bm25: DefaultBM25, fields: map[string]uint32{}}
	if o.BM25 != nil {
		ix.bm25 = *o.BM25
	}
	if ix.opts.MergeMinChunks <= 0 {
		ix.opts.MergeMinChunks = 65536
	}
	ix.dict = &trieDict{t: trie.New()}
	v, err := db.Get(metaKey)
	switch {
	case errors.Is(err, kv.ErrNotFound):
		ix.an = o.Analyzer
		if ix.an == nil {
			ix.an = English()
		}
		ix.meta = meta{Version: FormatVersion, Analyzer: ix.an.Name(), Fields: []string{}}
		ix.st.NextDoc = 1 // 0 means "before the first document" to the matchers
		var b kv.Batch
		b.Put(metaKey, ix.meta.encode())
		b.Put(statsKey, ix.st.encode())
		if err := db.Write(&b, kv.WriteOptions{Sync: true}); err != nil {
			return nil, fmt.Errorf("invertedindex: create: %w", err)
		}
		return ix, nil
	case err != nil:
		return nil, fmt.Errorf("invertedindex: read meta: %w", err)
	}
	if ix.meta, err = decodeMeta(v); err != nil {
		return nil, err
	}
	switch {
	case o.Analyzer == nil:
		a, err := AnalyzerByName(ix.meta.Analyzer)
		if err != nil {
			return nil, fmt.Errorf("%w: built with %q, a custom analyzer; pass it in Options.Analyzer", ErrAnalyzerMismatch, ix.meta.Analyzer)
		}
		ix.an = a
	case o.Analyzer.Name() != ix.meta.Analyzer:
		return nil, fmt.Errorf("%w: built with %q, opened with %q", ErrAnalyzerMismatch, ix.meta.Analyzer, o.Analyzer.Name())
	default:
		ix.an = o.Analyzer
	}
	for i, f := range ix.meta.Fields {
		ix.fields[f] = uint32(i)
	}
	if v, err = db.Get(statsKey); err != nil {
		if errors.Is(err, kv.ErrNotFound) {
			return nil, kv.Corruptf("", -1, "invertedindex: meta present, stats missing")
		}
		return nil, fmt.Errorf("invertedindex: read stats: %w", err)
	}
	if ix.st, err = decodeStats(v); err != nil {
		return nil, err
	}
	if len(ix.st.Fields) != len(ix.meta.Fields) {
		return nil, kv.Corruptf("", -1, "invertedindex: stats hold %d fields, meta %d", len(ix.st.Fields), len(ix.meta.Fields))
	}
	it, err := db.NewIterator(kv.IterOptions{LowerBound: []byte{prefixDeleted}, UpperBound: []byte{prefixDeleted + 1}})
	if err != nil {
		return nil, fmt.Errorf("invertedindex: %w", err)
	}
	for ok := it.First(); ok; ok = it.Next() {
		k := it.Key()
		if len(k) != 9 {
			it.Close()
			return nil, kv.Corruptf("", -1, "invertedindex: deleted-document key of %d bytes", len(k))
		}
		ix.deleted = append(ix.deleted, beUint64(k[1:]))
	}
	if err := it.Close(); err != nil {
		return nil, fmt.Errorf("invertedindex: load deleted documents: %w", err)
	}
	if uint64(len(ix.deleted)) != ix.st.Deleted {
		return nil, kv.Corruptf("", -1, "invertedindex: %d deleted-document keys, stats say %d", len(ix.deleted), ix.st.Deleted)
	}
	if ix.dict, err = loadTrieDict(db); err != nil {
		return nil, err
	}
	return ix, nil
}

func beUint64(b []byte) uint64 {
	_ = b[7]
	return uint64(b[0])<<56 | uint64(b[1])<<48 | uint64(b[2])<<40 | uint64(b[3])<<32 |
		uint64(b[4])<<24 | uint64(b[5])<<16 | uint64(b[6])<<8 | uint64(b[7])
}

// Close closes the index (and its engine, if the index was opened by
// OpenDir). A second Close returns ErrClosed.
func (ix *Index) Close() error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.closed {
		return ErrClosed
	}
	ix.closed = true
	if ix.ownsDB {
		return ix.db.Close()
	}
	return nil
}

// Analyzer returns the index's analyzer.
func (ix *Index) Analyzer() Analyzer { return ix.an }

// Engine returns the engine the index is stored in.
func (ix *Index) Engine() kv.Engine { return ix.db }

// SetBM25 changes the ranking parameters for later searches.
func (ix *Index) SetBM25(p BM25) {
	ix.mu.Lock()
	ix.bm25 = p
	ix.mu.Unlock()
}

// Fields returns the names of the text fields indexed so far.
func (ix *Index) Fields() []string {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return slices.Clone(ix.meta.Fields)
}

// DocCount returns the number of live documents.
func (ix *Index) DocCount() uint64 {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.st.LiveDocs
}

// Add adds (or replaces) one document.
func (ix *Index) Add(doc Document) error {
	var b Batch
	b.Add(doc)
	return ix.Write(&b)
}

// Delete deletes the document with that ID, if any.
func (ix *Index) Delete(id string) error {
	var b Batch
	b.Delete(id)
	return ix.Write(&b)
}

// analyzedField is one text field of a document after analysis.
type analyzedField struct {
	name  string
	text  string
	terms map[string][]uint32 // term -> positions
	len   uint32
}

func (ix *Index) analyzeDoc(d Document) []analyzedField {
	names := sortedKeys(d.Fields)
	out := make([]analyzedField, 0, len(names))
	var toks []Token
	for _, name := range names {
		text := d.Fields[name]
		toks = ix.an.Analyze(toks[:0], text)
		af := analyzedField{name: name, text: text, terms: make(map[string][]uint32, len(toks))}
		for _, t := range toks {
			if len(t.Term) == 0 || len(t.Term) > MaxTermLen || hasZero(t.Term) {
				continue
			}
			ps := af.terms[t.Term]
			if len(ps) > 0 && uint32(t.Pos) <= ps[len(ps)-1] {
				continue // an analyzer repeating a position: keep the first
			}
			af.terms[t.Term] = append(ps, uint32(t.Pos))
			af.len++
		}
		out = append(out, af)
	}
	return out
}

func hasZero(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			return true
		}
	}
	return false
}

func checkDoc(d *Document) error {
	if d.ID == "" || len(d.ID) > MaxIDLen || !utf8.ValidString(d.ID) {
		return fmt.Errorf("invertedindex: document ID %.40q: want 1 to %d bytes of UTF-8", d.ID, MaxIDLen)
	}
	for name := range d.Fields {
		if name == "" || len(name) > 255 {
			return fmt.Errorf("invertedindex: document %q: field name %.40q: want 1 to 255 bytes", d.ID, name)
		}
	}
	return nil
}

// termKey names one field's term within a batch.
type termKey struct {
	field uint32
	term  string
}

// Write applies the batch atomically: one kv.Batch holds every key it
// changes, so after a crash either all of its operations are searchable or
// none is.
func (ix *Index) Write(b *Batch) error {
	// The last operation on each ID wins.
	last := make(map[string]int, len(b.ops))
	for i := range b.ops {
		if b.ops[i].del {
			if b.ops[i].doc.ID == "" {
				return fmt.Errorf("invertedindex: delete of an empty ID")
			}
		} else if err := checkDoc(&b.ops[i].doc); err != nil {
			return err
		}
		last[b.ops[i].doc.ID] = i
	}
	var ops []int
	for i := range b.ops {
		if last[b.ops[i].doc.ID] == i {
			ops = append(ops, i)
		}
	}
	analyzed := ix.analyzeAll(b, ops)

	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.closed {
		return ErrClosed
	}
	st := ix.st
	st.Fields = slices.Clone(ix.st.Fields)
	m := ix.meta
	m.Fields = slices.Clone(ix.meta.Fields)
	fields := ix.fields
	newFields := false
	var kb kv.Batch
	var newDeleted []uint64
	inv := map[termKey][]posting{}
	var rec []byte
	for j, i := range ops {
		op := &b.ops[i]
		if err := ix.removeDoc(&kb, op.doc.ID, &st, &newDeleted); err != nil {
			return err
		}
		if op.del {
			continue
		}
		doc := st.NextDoc
		st.NextDoc++
		st.LiveDocs++
		r := docRecord{ID: op.doc.ID}
		for _, af := range analyzed[j] {
			f, ok := fields[af.name]
			if !ok {
				if !newFields {
					fields = make(map[string]uint32, len(ix.fields)+1)
					for k, v := range ix.fields {
						fields[k] = v
					}
					newFields = true
				}
				f = uint32(len(m.Fields))
				fields[af.name] = f
				m.Fields = append(m.Fields, af.name)
				st.Fields = append(st.Fields, fieldStats{})
			}
			st.Fields[f].Docs++
			st.Fields[f].SumLen += uint64(af.len)
			r.Text = append(r.Text, textField{Field: f, Len: af.len, Text: af.text})
			for term, pos := range af.terms {
				k := termKey{f, term}
				inv[k] = append(inv[k], posting{doc: doc, len: af.len, pos: pos})
			}
		}
		slices.SortFunc(r.Text, func(a, b textField) int { return int(a.Field) - int(b.Field) })
		for _, name := range sortedKeys(op.doc.Stored) {
			r.Stored = append(r.Stored, storedField{name, op.doc.Stored[name]})
		}
		rec = r.encode(rec[:0])
		kb.Put(idKey(op.doc.ID), appendUvarints(nil, doc))
		kb.Put(docKey(doc), rec)
	}
	var key, val []byte
	for k, ps := range inv {
		for len(ps) > 0 {
			n := min(len(ps), ChunkSize)
			val = appendChunk(val[:0], ps[:n])
			key = chunkKey(key[:0], k.field, k.term, ps[n-1].doc)
			kb.Put(key, val)
			st.Postings += uint64(n)
			st.Chunks++
			ps = ps[n:]
		}
	}
	if newFields {
		kb.Put(metaKey, m.encode())
	}
	kb.Put(statsKey, st.encode())
	if err := ix.db.Write(&kb, kv.WriteOptions{Sync: ix.opts.Sync}); err != nil {
		return fmt.Errorf("invertedindex: write batch: %w", err)
	}
	ix.st, ix.meta, ix.fields = st, m, fields
	for k, ps := range inv {
		ix.dict.add(k.field, k.term, uint64(len(ps)))
	}
	if len(newDeleted) > 0 {
		ix.deleted = append(ix.deleted, newDeleted...)
		slices.Sort(ix.deleted)
	}
	if !ix.opts.NoAutoMerge && ix.mergeDue() {
		if err := ix.merge(); err != nil {
			return fmt.Errorf("invertedindex: the batch is written, the merge after it failed: %w", err)
		}
	}
	return nil
}

// removeDoc adds to kb the operations that delete the live document with
// that ID, if any, and accounts for it in st.
func (ix *Index) removeDoc(kb *kv.Batch, id string, st *stats, deleted *[]uint64) error {
	v, err := ix.db.Get(idKey(id))
	if errors.Is(err, kv.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("invertedindex: look up %q: %w", id, err)
	}
	r := reader{b: v}
	doc := r.uvarint()
	if r.bad || len(r.b) != 0 || doc >= st.NextDoc {
		return corrupt("id entry", "document %q: bad number", id)
	}
	rv, err := ix.db.Get(docKey(doc))
	if err != nil {
		return fmt.Errorf("invertedindex: document %q (number %d): %w", id, doc, err)
	}
	rec, err := decodeDocRecord(rv, len(st.Fields))
	if err != nil {
		return err
	}
	for _, t := range rec.Text {
		st.Fields[t.Field].Docs--
		st.Fields[t.Field].SumLen -= uint64(t.Len)
	}
	st.LiveDocs--
	st.Deleted++
	kb.Delete(idKey(id))
	kb.Delete(docKey(doc))
	kb.Put(deletedKey(doc), nil)
	*deleted = append(*deleted, doc)
	return nil
}

// analyzeAll analyzes the added documents of ops, in parallel.
func (ix *Index) analyzeAll(b *Batch, ops []int) [][]analyzedField {
	out := make([][]analyzedField, len(ops))
	workers := min(runtime.GOMAXPROCS(0), len(ops)/32+1)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for j := w; j < len(ops); j += workers {
				if op := &b.ops[ops[j]]; !op.del {
					out[j] = ix.analyzeDoc(op.doc)
				}
			}
		}(w)
	}
	wg.Wait()
	return out
}

// isDeleted reports whether doc is deleted but not yet merged away.
func (ix *Index) isDeleted(doc uint64) bool {
	_, ok := slices.BinarySearch(ix.deleted, doc)
	return ok
}

// deletedIn returns the number of deleted documents in [lo, hi].
func (ix *Index) deletedIn(lo, hi uint64) int {
	i, _ := slices.BinarySearch(ix.deleted, lo)
	j, _ := slices.BinarySearch(ix.deleted, hi+1)
	return j - i
}
