package invertedindex

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/kvlab/kvlab"
	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/kv/memory"
	"github.com/kvlab/kvlab/vfs"
)

// budget scales a test's iteration count: n normally, n/4 under -short, 10n
// with KVTEST_LONG=1 (as kv/kvtest does).
func budget(n int) int {
	switch {
	case os.Getenv("KVTEST_LONG") != "":
		return 10 * n
	case testing.Short():
		return max(1, n/4)
	}
	return n
}

func openMem(t *testing.T, o Options) *Index {
	t.Helper()
	ix, err := Open(memory.New(), o)
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

// check runs q on the index and on the model and compares totals, scores
// (to 1e-9) and the order of the top hits.
func check(t *testing.T, ix *Index, m *model, q Query, offset, limit int, ctx string) {
	t.Helper()
	res, err := ix.Search(Request{Query: q, Offset: offset, Limit: limit, NoStored: limit%2 == 0})
	if err != nil {
		t.Fatalf("%s: query %s: %v", ctx, q, err)
	}
	want, _ := m.eval(q)
	if res.Total != len(want) {
		t.Fatalf("%s: query %s: total %d, brute force %d", ctx, q, res.Total, len(want))
	}
	all := make([]float64, 0, len(want))
	for _, s := range want {
		all = append(all, s)
	}
	sort.Sort(sort.Reverse(sort.Float64Slice(all)))
	if offset > len(all) {
		offset = len(all)
	}
	all = all[offset:]
	if limit == 0 {
		limit = 10
	}
	if len(all) > limit {
		all = all[:limit]
	}
	if len(res.Hits) != len(all) {
		t.Fatalf("%s: query %s: %d hits, brute force %d", ctx, q, len(res.Hits), len(all))
	}
	for i, h := range res.Hits {
		ws, ok := want[h.ID]
		if !ok {
			t.Fatalf("%s: query %s: hit %q does not match", ctx, q, h.ID)
		}
		if math.Abs(ws-h.Score) > 1e-9 || math.Abs(all[i]-h.Score) > 1e-9 {
			t.Fatalf("%s: query %s: hit %d %q score %.12f, brute force %.12f (rank %d: %.12f)", ctx, q, i, h.ID, h.Score, ws, i, all[i])
		}
	}
}

func TestBM25AgainstBruteForce(t *testing.T) {
	ix := openMem(t, Options{})
	m := newModel(ix.Analyzer())
	var b Batch
	texts := []string{
		"The quick brown fox jumps over the lazy dog",
		"Foxes are quick; dogs are lazy. Quick quick quick!",
		"A lazy afternoon with a book about foxes and dogs",
		"Running runners run: the runner runs",
		"Nothing to see here",
		"brown bread, brown sugar, brown rice and a brown fox",
	}
	for i, s := range texts {
		d := Document{ID: fmt.Sprint("d", i), Fields: map[string]string{"body": s}, Stored: map[string]string{"n": fmt.Sprint(i)}}
		if i%2 == 0 {
			d.Fields["title"] = strings.Join(strings.Fields(s)[:2], " ")
		}
		b.Add(d)
	}
	m.apply(&b)
	if err := ix.Write(&b); err != nil {
		t.Fatal(err)
	}
	for _, qs := range []string{"fox", "quick", "lazy dog", "brown OR quick", "run", "\"lazy dog\"", "fox*", "title:quick",
		"body:brown -fox", "(quick OR lazy) dog", "+brown +fox", "the", "nothing OR the", "quick -the", "\"the lazy\"",
		"title:\"the quick\"", "runn*", "missing", "brown missing", "missing OR brown"} {
		q, err := ParseQuery(qs)
		if err != nil {
			t.Fatalf("%s: %v", qs, err)
		}
		for _, lim := range []int{1, 2, 10} {
			check(t, ix, m, q, 0, lim, "fixed")
		}
		check(t, ix, m, q, 1, 2, "fixed page 2")
	}
	// Settable parameters.
	ix.SetBM25(BM25{K1: 2, B: 0.3})
	m.k1, m.b = 2, 0.3
	check(t, ix, m, TermQuery{Word: "brown"}, 0, 10, "k1=2 b=0.3")
}

func TestReplaceAndDeleteLeaveNoTrace(t *testing.T) {
	for _, merge := range []bool{false, true} {
		ix := openMem(t, Options{NoAutoMerge: true})
		m := newModel(ix.Analyzer())
		apply := func(b *Batch) {
			t.Helper()
			m.apply(b)
			if err := ix.Write(b); err != nil {
				t.Fatal(err)
			}
		}
		var b Batch
		for i := 0; i < 300; i++ {
			b.Add(Document{ID: fmt.Sprint(i), Fields: map[string]string{"body": fmt.Sprintf("common word%d alpha%d", i, i%7)}})
		}
		apply(&b)
		b.Reset()
		b.Add(Document{ID: "5", Fields: map[string]string{"body": "replaced text zebra"}})
		b.Delete("6")
		b.Delete("nonexistent")
		apply(&b)
		if merge {
			if err := ix.Merge(); err != nil {
				t.Fatal(err)
			}
			if n := ix.st.Deleted; n != 0 {
				t.Fatalf("after merge %d deleted documents remain", n)
			}
		}
		for _, q := range []string{"word5", "word6", "zebra", "common", "alpha5", "alpha6", "alp*", "replaced", "wor*"} {
			pq, _ := ParseQuery(q)
			check(t, ix, m, pq, 0, 1000, fmt.Sprint("merge=", merge))
		}
		if got := ix.DocCount(); got != 299 {
			t.Fatalf("DocCount %d, want 299", got)
		}
		if merge {
			// No posting of a deleted document survives the merge.
			assertNoPostingsOf(t, ix, m)
		}
	}
}

// assertNoPostingsOf checks that every posting in the index belongs to a
// live document.
func assertNoPostingsOf(t *testing.T, ix *Index, m *model) {
	t.Helper()
	live := map[uint64]bool{}
	it, _ := ix.db.NewIterator(kv.IterOptions{LowerBound: []byte{prefixDoc}, UpperBound: []byte{prefixDoc + 1}})
	for ok := it.First(); ok; ok = it.Next() {
		live[beUint64(it.Key()[1:])] = true
	}
	it.Close()
	if len(live) != len(m.docs) {
		t.Fatalf("%d document records, model has %d", len(live), len(m.docs))
	}
	it, _ = ix.db.NewIterator(kv.IterOptions{LowerBound: []byte{prefixPostings}, UpperBound: []byte{prefixPostings + 1}})
	defer it.Close()
	var c chunk
	for ok := it.First(); ok; ok = it.Next() {
		_, term, last, good := parseChunkKey(it.Key())
		if !good {
			t.Fatalf("bad key %q", it.Key())
		}
		if err := parseChunk(&c, last, it.Value()); err != nil {
			t.Fatal(err)
		}
		if err := c.decodeAll(); err != nil {
			t.Fatal(err)
		}
		for _, d := range c.docs {
			if !live[d] {
				t.Fatalf("term %q keeps a posting of dead document %d", term, d)
			}
		}
	}
}

var vocab = strings.Fields(`alpha beta gamma delta run running runs runner the a of and
	fox foxes quick brown lazy dog dogs jump jumped jumping zebra zeta zest
	index indexes indexing search searched tree trees lsm btree kv engine engines ünïcode café 42 7x`)

func randText(r *rand.Rand) string {
	n := r.IntN(12)
	w := make([]string, n)
	for i := range w {
		w[i] = vocab[r.IntN(len(vocab))]
		if r.IntN(8) == 0 {
			w[i] = strings.ToUpper(w[i])
		}
	}
	return strings.Join(w, " ")
}

func randDoc(r *rand.Rand, id string) Document {
	d := Document{ID: id, Fields: map[string]string{}, Stored: map[string]string{"tag": fmt.Sprint(r.IntN(100))}}
	if r.IntN(4) != 0 {
		d.Fields["body"] = randText(r)
	}
	if r.IntN(2) == 0 {
		d.Fields["title"] = randText(r)
	}
	return d
}

func randWord(r *rand.Rand) string { return vocab[r.IntN(len(vocab))] }

func randQuery(r *rand.Rand, depth int) Query {
	field := ""
	if r.IntN(4) == 0 {
		field = []string{"body", "title", "nope"}[r.IntN(3)]
	}
	k := r.IntN(10)
	if depth > 2 {
		k = r.IntN(6)
	}
	switch {
	case k < 3:
		return TermQuery{Field: field, Word: randWord(r)}
	case k < 4:
		return PhraseQuery{Field: field, Text: randWord(r) + " " + randWord(r)}
	case k < 5:
		w := randWord(r)
		return PrefixQuery{Field: field, Prefix: w[:1+r.IntN(min(3, len(w)))]}
	case k < 6:
		return TermQuery{Field: field, Word: randWord(r) + "-" + randWord(r)}
	}
	var b BooleanQuery
	for i := r.IntN(3); i >= 0; i-- {
		b.Must = append(b.Must, randQuery(r, depth+1))
	}
	for i := r.IntN(3); i > 0; i-- {
		b.Should = append(b.Should, randQuery(r, depth+1))
	}
	for i := r.IntN(2); i > 0; i-- {
		b.MustNot = append(b.MustNot, randQuery(r, depth+1))
	}
	if r.IntN(3) == 0 {
		b.Must = nil
	}
	return b
}

func newSeed(t *testing.T) (*rand.Rand, uint64) {
	seed := rand.Uint64()
	if s := os.Getenv("INDEX_SEED"); s != "" {
		fmt.Sscan(s, &seed)
	}
	t.Logf("seed %d (rerun with INDEX_SEED=%d)", seed, seed)
	return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), seed
}

func randBatch(r *rand.Rand, ids int) *Batch {
	var b Batch
	for j := r.IntN(8); j >= 0; j-- {
		id := fmt.Sprint("doc", r.IntN(ids))
		if r.IntN(4) == 0 {
			b.Delete(id)
		} else {
			b.Add(randDoc(r, id))
		}
	}
	return &b
}

func TestRandomizedAgainstBruteForce(t *testing.T) {
	for _, engine := range []string{"memory", "lsm", "btree"} {
		t.Run(engine, func(t *testing.T) {
			if engine == "memory" {
				// Term-at-a-time prefix evaluation from two terms on.
				defer func(n int) { accumulateMin = n }(accumulateMin)
				accumulateMin = 1
			}
			r, seed := newSeed(t)
			fs := vfs.NewMem()
			open := func() *Index {
				db, err := kvlab.Open(engine, "/db", kvlab.Options{FS: fs})
				if err != nil {
					t.Fatalf("seed %d: %v", seed, err)
				}
				ix, err := Open(db, Options{MergeMinChunks: 40})
				if err != nil {
					t.Fatalf("seed %d: %v", seed, err)
				}
				ix.ownsDB = true
				return ix
			}
			ix := open()
			m := newModel(ix.Analyzer())
			for i := 0; i < budget(400); i++ {
				b := randBatch(r, 50)
				m.apply(b)
				if err := ix.Write(b); err != nil {
					t.Fatalf("seed %d op %d: %v", seed, i, err)
				}
				switch r.IntN(40) {
				case 0:
					if err := ix.Merge(); err != nil {
						t.Fatalf("seed %d op %d: merge: %v", seed, i, err)
					}
				case 1:
					if engine != "memory" {
						if err := ix.Close(); err != nil {
							t.Fatal(err)
						}
						ix = open()
					}
				}
				for j := 0; j < 3; j++ {
					q := randQuery(r, 0)
					check(t, ix, m, q, r.IntN(3), 1+r.IntN(6), fmt.Sprintf("seed %d op %d", seed, i))
				}
				if i%10 == 0 {
					checkDict(t, ix, fmt.Sprintf("seed %d op %d", seed, i))
				}
			}
			if err := ix.Merge(); err != nil {
				t.Fatal(err)
			}
			assertNoPostingsOf(t, ix, m)
			checkDict(t, ix, fmt.Sprintf("seed %d after the last merge", seed))
			ix.Close()
		})
	}
}

// checkDict checks that the term dictionary the index keeps up to date
// equals one built afresh from the chunks on disk: the same terms with the
// same posting counts.
func checkDict(t *testing.T, ix *Index, where string) {
	t.Helper()
	fresh, err := loadTrieDict(ix.db)
	if err != nil {
		t.Fatalf("%s: %v", where, err)
	}
	type entry struct {
		key string
		n   uint64
	}
	var got, want []entry
	for k, e := range ix.dict.t.All() {
		got = append(got, entry{string(k), e.Weight})
	}
	for k, e := range fresh.t.All() {
		want = append(want, entry{string(k), e.Weight})
	}
	if !slices.Equal(got, want) {
		t.Fatalf("%s: the term dictionary holds %d terms, the chunks %d (or counts differ)\ngot  %v\nwant %v", where, len(got), len(want), got, want)
	}
	if err := ix.dict.t.Check(); err != nil {
		t.Fatalf("%s: %v", where, err)
	}
}

// dumpDocs returns the index's live documents by ID.
func dumpDocs(t *testing.T, ix *Index) map[string]Document {
	t.Helper()
	out := map[string]Document{}
	it, err := ix.db.NewIterator(kv.IterOptions{LowerBound: []byte{prefixDoc}, UpperBound: []byte{prefixDoc + 1}})
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	for ok := it.First(); ok; ok = it.Next() {
		rec, err := decodeDocRecord(it.Value(), len(ix.meta.Fields))
		if err != nil {
			t.Fatal(err)
		}
		d := Document{ID: rec.ID, Fields: map[string]string{}, Stored: map[string]string{}}
		for _, f := range rec.Text {
			d.Fields[ix.meta.Fields[f.Field]] = f.Text
		}
		for _, f := range rec.Stored {
			d.Stored[f.Name] = f.Value
		}
		out[d.ID] = d
	}
	return out
}

func sameDocs(a, b map[string]Document) bool {
	if len(a) != len(b) {
		return false
	}
	for id, d := range a {
		e, ok := b[id]
		if !ok || len(d.Fields) != len(e.Fields) || len(d.Stored) != len(e.Stored) {
			return false
		}
		for k, v := range d.Fields {
			if e.Fields[k] != v {
				return false
			}
		}
		for k, v := range d.Stored {
			if e.Stored[k] != v {
				return false
			}
		}
	}
	return true
}

// TestCrashNeverHalfABatch crashes the in-memory file system at random
// points (keeping a random part of unsynced data) and checks that the
// reopened index holds exactly the documents after some prefix of the
// batches, one including every synced batch, and that its postings answer
// queries exactly as the brute force does over those documents.
func TestCrashNeverHalfABatch(t *testing.T) {
	for _, engine := range []string{"lsm", "btree"} {
		t.Run(engine, func(t *testing.T) {
			for trial := 0; trial < budget(6); trial++ {
				r, seed := newSeed(t)
				fs := vfs.NewMem()
				open := func() *Index {
					db, err := kvlab.Open(engine, "/db", kvlab.Options{FS: fs})
					if err != nil {
						t.Fatalf("seed %d: open: %v", seed, err)
					}
					ix, err := Open(db, Options{MergeMinChunks: 30})
					if err != nil {
						t.Fatalf("seed %d: open index: %v", seed, err)
					}
					ix.ownsDB = true
					return ix
				}
				ix := open()
				base := newModel(ix.Analyzer())
				for round := 0; round < 3; round++ {
					ctx := fmt.Sprintf("seed %d round %d", seed, round)
					states := []*model{base}
					durable := 0
					for i, n := 0, 1+r.IntN(60); i < n; i++ {
						b := randBatch(r, 40)
						ix.opts.Sync = r.IntN(8) == 0
						if err := ix.Write(b); err != nil {
							t.Fatalf("%s op %d: %v", ctx, i, err)
						}
						next := states[len(states)-1].clone()
						next.apply(b)
						states = append(states, next)
						if ix.opts.Sync {
							durable = len(states) - 1
						}
						if r.IntN(20) == 0 {
							if err := ix.Merge(); err != nil {
								t.Fatalf("%s op %d: merge: %v", ctx, i, err)
							}
						}
					}
					var o vfs.CrashOptions
					if r.IntN(2) == 0 {
						o.Rand = r
					}
					crashed := fs.CrashClone(o)
					ix.Close()
					fs = crashed
					ix = open()
					got := dumpDocs(t, ix)
					match := -1
					for j := len(states) - 1; j >= durable; j-- {
						if sameDocs(states[j].docs, got) {
							match = j
							break
						}
					}
					if match < 0 {
						t.Fatalf("%s: after the crash the index holds %d documents, matching no state in [%d, %d]", ctx, len(got), durable, len(states)-1)
					}
					base = states[match]
					if ix.DocCount() != uint64(len(base.docs)) {
						t.Fatalf("%s: DocCount %d, documents %d", ctx, ix.DocCount(), len(base.docs))
					}
					for j := 0; j < 30; j++ {
						check(t, ix, base, randQuery(r, 0), 0, 5, ctx+" after crash")
					}
				}
				ix.Close()
			}
		})
	}
}

func TestAnalyzerRemembered(t *testing.T) {
	db := memory.New()
	ix, err := Open(db, Options{Analyzer: NewAnalyzer(AnalyzerOptions{})})
	if err != nil {
		t.Fatal(err)
	}
	if err := ix.Add(Document{ID: "1", Fields: map[string]string{"body": "Running the tests"}}); err != nil {
		t.Fatal(err)
	}
	ix.Close()
	ix, err = Open(db, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if ix.Analyzer().Name() != "unicode" {
		t.Fatalf("reopened with analyzer %q", ix.Analyzer().Name())
	}
	res, err := ix.SearchString("the", 0, 10)
	if err != nil || res.Total != 1 {
		t.Fatalf("stop word kept by the unicode analyzer: %v %v", res, err)
	}
	ix.Close()
	if _, err := Open(db, Options{Analyzer: English()}); !errors.Is(err, ErrAnalyzerMismatch) {
		t.Fatalf("opening with another analyzer: %v", err)
	}
}

func TestSnippetAndStored(t *testing.T) {
	ix := openMem(t, Options{})
	text := "Package io provides basic interfaces to I/O primitives. Its primary job is to wrap existing implementations of such primitives, such as those in package os, into shared public interfaces that abstract the functionality, plus some other related primitives."
	if err := ix.Add(Document{ID: "io", Fields: map[string]string{"text": text}, Stored: map[string]string{"path": "src/io/io.go"}}); err != nil {
		t.Fatal(err)
	}
	res, err := ix.SearchString("primitive interfaces", 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 1 || res.Hits[0].Stored["path"] != "src/io/io.go" {
		t.Fatalf("got %+v", res)
	}
	sn := res.Hits[0].Snippet
	if !strings.Contains(sn, "[interfaces]") || !strings.Contains(sn, "[primitives]") {
		t.Fatalf("snippet %q lacks highlights", sn)
	}
	res, _ = ix.SearchString("wrap*", 0, 10)
	if !strings.Contains(res.Hits[0].Snippet, "[wrap]") {
		t.Fatalf("prefix snippet %q", res.Hits[0].Snippet)
	}
}

func TestPaging(t *testing.T) {
	ix := openMem(t, Options{})
	m := newModel(ix.Analyzer())
	var b Batch
	for i := 0; i < 1000; i++ {
		b.Add(Document{ID: fmt.Sprint(i), Fields: map[string]string{"body": strings.Repeat("common ", 1+i%13) + fmt.Sprintf("filler%d", i%5)}})
	}
	m.apply(&b)
	if err := ix.Write(&b); err != nil {
		t.Fatal(err)
	}
	var seen []string
	for page := 0; page < 10; page++ {
		res, err := ix.Search(Request{Query: TermQuery{Word: "common"}, Offset: page * 7, Limit: 7})
		if err != nil {
			t.Fatal(err)
		}
		if res.Total != 1000 {
			t.Fatalf("total %d", res.Total)
		}
		for _, h := range res.Hits {
			seen = append(seen, h.ID)
		}
		check(t, ix, m, TermQuery{Word: "common"}, page*7, 7, "paging")
	}
	slices.Sort(seen)
	if len(slices.Compact(seen)) != 70 {
		t.Fatalf("pages overlap: %d distinct of 70", len(slices.Compact(seen)))
	}
	check(t, ix, m, BooleanQuery{Must: []Query{TermQuery{Word: "common"}, TermQuery{Word: "filler3"}}}, 3, 5, "and")
	check(t, ix, m, BooleanQuery{Should: []Query{TermQuery{Word: "filler1"}, TermQuery{Word: "filler3"}}}, 0, 5, "or")
}

// TestConcurrentSearchAndWrite runs searches beside writes and merges (for
// the race detector); every search sees a whole batch or none of it: the
// documents of one batch share a word, and a hit count not a multiple of
// the batch size would be half a batch.
func TestConcurrentSearchAndWrite(t *testing.T) {
	ix := openMem(t, Options{MergeMinChunks: 8})
	const per = 10
	done := make(chan struct{})
	errs := make(chan error, 4)
	for g := 0; g < 3; g++ {
		go func() {
			for {
				select {
				case <-done:
					errs <- nil
					return
				default:
				}
				res, err := ix.SearchString("batchword", 0, 3)
				if err != nil {
					errs <- err
					return
				}
				if res.Total%per != 0 {
					errs <- fmt.Errorf("saw %d documents: part of a batch", res.Total)
					return
				}
			}
		}()
	}
	for i := 0; i < budget(60); i++ {
		var b Batch
		for j := 0; j < per; j++ {
			b.Add(Document{ID: fmt.Sprint(i, "-", j), Fields: map[string]string{"body": fmt.Sprintf("batchword w%d x%d", i, j)}})
		}
		if err := ix.Write(&b); err != nil {
			t.Fatal(err)
		}
	}
	close(done)
	for g := 0; g < 3; g++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}
