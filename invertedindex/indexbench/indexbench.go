// Package indexbench measures package invertedindex on the kvlab engines
// against bleve v2 (scorch) in one run: documents and bytes indexed per
// second, bytes on disk, write amplification, and query latency
// percentiles for six query kinds (rare term, common term, two-term AND,
// two-term OR, phrase, prefix), each engine on the same corpus, batch size,
// analyzer and queries. "kvlab bench-index" is its command line.
package indexbench

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/kvlab/kvlab/internal/units"
	"github.com/kvlab/kvlab/invertedindex"
	"github.com/kvlab/kvlab/invertedindex/bleveyard"
	"github.com/kvlab/kvlab/invertedindex/gocorpus"
	"github.com/kvlab/kvlab/kv"
)

// Kinds are the query kinds, in report order.
var Kinds = []string{"rare", "common", "and", "or", "phrase", "prefix"}

// Options configure a run.
type Options struct {
	// Engines to run: kvlab engine names ("lsm", "btree") and "bleve".
	Engines []string
	// BatchSize is the documents per batch (default 1000).
	BatchSize int
	// Queries is the number of distinct queries per kind (default 50).
	Queries int
	// Reps is how many times each query runs (default 5).
	Reps int
	// K is the number of hits asked for (default 10).
	K int
	// Dir is the working directory; each engine gets a subdirectory.
	Dir string
	// Analyzer is the standard analyzer's name (default "english").
	Analyzer string
	// Seed picks the queries.
	Seed uint64
	// Log, if set, receives progress lines.
	Log io.Writer
}

// Latency is one query kind's figures.
type Latency struct {
	P50, P99 time.Duration
	// Hits is the mean total hit count.
	Hits float64
	// Totals are each query's total hit count, in query order (the same
	// queries for every engine).
	Totals []int
}

// Result is one engine's figures.
type Result struct {
	Engine    string
	Docs      int
	TextBytes int64
	// Elapsed is the indexing time, closing (flushing) included.
	Elapsed time.Duration
	// DiskBytesAtClose is the size of the index directory right after the
	// Close that ends indexing; an LSM may still hold its last log there,
	// removed at the next open.
	DiskBytesAtClose int64
	// DiskBytes is the size of the index directory at rest: after it was
	// reopened, queried and closed again.
	DiskBytes int64
	// WChar is the bytes the process passed to write system calls while
	// indexing (from /proc/self/io; -1 where unavailable): the same
	// measure for every engine.
	WChar int64
	// EngineWriteAmp is the kv engine's own write amplification (file
	// bytes per key and value byte written) after a Sync at the end of
	// indexing, before Close (so without the LSM's last flush or the
	// B+tree's last checkpoint); 0 for bleve.
	EngineWriteAmp float64
	// Stats is the kv engine's statistics after indexing (nil for bleve).
	Stats *kv.Stats
	// Queries holds latencies by kind.
	Queries map[string]Latency
}

// DocsPerSec returns documents indexed per second.
func (r Result) DocsPerSec() float64 { return float64(r.Docs) / r.Elapsed.Seconds() }

// MBPerSec returns MB (10^6 bytes) of text indexed per second.
func (r Result) MBPerSec() float64 { return float64(r.TextBytes) / 1e6 / r.Elapsed.Seconds() }

// WriteAmp returns WChar per byte of text indexed.
func (r Result) WriteAmp() float64 {
	if r.WChar < 0 {
		return 0
	}
	return float64(r.WChar) / float64(r.TextBytes)
}

// spec is one benchmark query, in both forms.
type spec struct {
	kind   string
	ours   invertedindex.Query
	theirs query.Query
}

// target is one engine under test.
type target interface {
	write(docs []invertedindex.Document) error
	close() error
	search(s spec, k int) (int, error)
}

type kvlabTarget struct{ ix *invertedindex.Index }

func (t kvlabTarget) write(docs []invertedindex.Document) error {
	var b invertedindex.Batch
	for _, d := range docs {
		b.Add(d)
	}
	return t.ix.Write(&b)
}
func (t kvlabTarget) close() error { return t.ix.Close() }
func (t kvlabTarget) search(s spec, k int) (int, error) {
	res, err := t.ix.Search(invertedindex.Request{Query: s.ours, Limit: k, NoStored: true})
	if err != nil {
		return 0, err
	}
	return res.Total, nil
}

type bleveTarget struct{ ix *bleveyard.Index }

func (t bleveTarget) write(docs []invertedindex.Document) error { return t.ix.Write(docs) }
func (t bleveTarget) close() error                              { return t.ix.Close() }
func (t bleveTarget) search(s spec, k int) (int, error) {
	n, _, err := t.ix.Search(s.theirs, k)
	return int(n), err
}

// Run indexes docs into every engine of o and queries each.
func Run(docs []gocorpus.Doc, o Options) ([]Result, error) {
	if o.BatchSize <= 0 {
		o.BatchSize = 1000
	}
	if o.Queries <= 0 {
		o.Queries = 50
	}
	if o.Reps <= 0 {
		o.Reps = 5
	}
	if o.K <= 0 {
		o.K = 10
	}
	if o.Analyzer == "" {
		o.Analyzer = "english"
	}
	an, err := invertedindex.AnalyzerByName(o.Analyzer)
	if err != nil {
		return nil, err
	}
	logf := func(format string, args ...any) {
		if o.Log != nil {
			fmt.Fprintf(o.Log, format+"\n", args...)
		}
	}
	idocs := make([]invertedindex.Document, len(docs))
	var text int64
	for i, d := range docs {
		idocs[i] = invertedindex.Document{ID: d.ID, Fields: map[string]string{"text": d.Text}, Stored: map[string]string{"path": d.Path}}
		text += int64(len(d.Text))
	}
	specs := pickQueries(docs, an, o.Queries, o.Seed)
	var out []Result
	for _, eng := range o.Engines {
		runtime.GC()
		dir := filepath.Join(o.Dir, eng)
		r := Result{Engine: eng, Docs: len(docs), TextBytes: text, Queries: map[string]Latency{}}
		open := func(create bool) (target, error) {
			if eng == "bleve" {
				if create {
					b, err := bleveyard.Create(dir, o.Analyzer)
					return bleveTarget{b}, err
				}
				b, err := bleveyard.OpenIndex(dir)
				return bleveTarget{b}, err
			}
			do := invertedindex.DirOptions{Options: invertedindex.Options{Analyzer: an}}
			if create {
				do.Engine = eng
			}
			ix, err := invertedindex.OpenDir(dir, do)
			return kvlabTarget{ix}, err
		}
		logf("%s: indexing %d documents (%s) in batches of %d", eng, len(docs), units.FormatSize(text), o.BatchSize)
		w0 := wchar()
		start := time.Now()
		t, err := open(true)
		if err != nil {
			return out, fmt.Errorf("%s: %w", eng, err)
		}
		for i := 0; i < len(idocs); i += o.BatchSize {
			if err := t.write(idocs[i:min(i+o.BatchSize, len(idocs))]); err != nil {
				return out, fmt.Errorf("%s: index: %w", eng, err)
			}
		}
		if kt, ok := t.(kvlabTarget); ok {
			if err := kt.ix.Engine().Sync(); err != nil {
				return out, fmt.Errorf("%s: sync: %w", eng, err)
			}
			st := kt.ix.Engine().Stats()
			r.Stats = &st
			r.EngineWriteAmp = st.WriteAmp()
		}
		if err := t.close(); err != nil {
			return out, fmt.Errorf("%s: close: %w", eng, err)
		}
		r.Elapsed = time.Since(start)
		if w0 >= 0 {
			r.WChar = wchar() - w0
		} else {
			r.WChar = -1
		}
		r.DiskBytesAtClose = dirSize(dir)
		logf("%s: %.0f docs/s, %s on disk; querying", eng, r.DocsPerSec(), units.FormatSize(r.DiskBytesAtClose))
		if t, err = open(false); err != nil {
			return out, fmt.Errorf("%s: reopen: %w", eng, err)
		}
		for _, kind := range Kinds {
			var lat []time.Duration
			var totals []int
			hits := 0
			ks := specs[kind]
			for rep := 0; rep < o.Reps+1; rep++ {
				for _, s := range ks {
					t0 := time.Now()
					n, err := t.search(s, o.K)
					d := time.Since(t0)
					if err != nil {
						return out, fmt.Errorf("%s: %s query: %w", eng, kind, err)
					}
					if rep == 0 {
						hits += n // the first round warms up and counts
						totals = append(totals, n)
						continue
					}
					lat = append(lat, d)
				}
			}
			slices.Sort(lat)
			if len(lat) > 0 {
				r.Queries[kind] = Latency{P50: lat[len(lat)/2], P99: lat[min(len(lat)-1, len(lat)*99/100)],
					Hits: float64(hits) / float64(len(ks)), Totals: totals}
			}
		}
		if err := t.close(); err != nil {
			return out, err
		}
		r.DiskBytes = dirSize(dir)
		out = append(out, r)
	}
	return out, nil
}

// pickQueries chooses n queries per kind from the corpus's own terms: rare
// terms (2 to 5 documents), the most common terms, pairs of frequent terms
// for AND and OR, frequent two-word phrases, and three-letter prefixes of
// frequent terms.
func pickQueries(docs []gocorpus.Doc, an invertedindex.Analyzer, n int, seed uint64) map[string][]spec {
	df := map[string]int{}
	surface := map[string]string{}
	bigram := map[string]int{}
	bigramText := map[string]string{}
	var toks []invertedindex.Token
	for _, d := range docs {
		toks = an.Analyze(toks[:0], d.Text)
		seen := map[string]bool{}
		for i, t := range toks {
			if !seen[t.Term] {
				seen[t.Term] = true
				df[t.Term]++
				if _, ok := surface[t.Term]; !ok {
					surface[t.Term] = d.Text[t.Start:t.End]
				}
			}
			if i > 0 && toks[i-1].Pos+1 == t.Pos {
				k := toks[i-1].Term + " " + t.Term
				if !seen[k] {
					seen[k] = true
					bigram[k]++
					if _, ok := bigramText[k]; !ok {
						bigramText[k] = d.Text[toks[i-1].Start:t.End]
					}
				}
			}
		}
	}
	terms := make([]string, 0, len(df))
	for t := range df {
		terms = append(terms, t)
	}
	sort.Slice(terms, func(i, j int) bool {
		if df[terms[i]] != df[terms[j]] {
			return df[terms[i]] > df[terms[j]]
		}
		return terms[i] < terms[j]
	})
	r := rand.New(rand.NewPCG(seed, 1))
	term := func(t string) spec {
		return spec{ours: invertedindex.TermQuery{Field: "text", Word: surface[t]}, theirs: bleveyard.Term(t)}
	}
	out := map[string][]spec{}
	add := func(kind string, s spec) {
		s.kind = kind
		out[kind] = append(out[kind], s)
	}
	var rare []string
	for _, t := range terms {
		if df[t] >= 2 && df[t] <= 5 && an.Analyze(nil, surface[t]) != nil && len(an.Analyze(nil, surface[t])) == 1 {
			rare = append(rare, t)
		}
	}
	r.Shuffle(len(rare), func(i, j int) { rare[i], rare[j] = rare[j], rare[i] })
	for _, t := range rare[:min(n, len(rare))] {
		add("rare", term(t))
	}
	top := terms[:min(len(terms), 200)]
	for _, t := range terms[:min(n, len(terms))] {
		add("common", term(t))
	}
	for i := 0; i < n && len(top) > 1; i++ {
		a, b := top[r.IntN(len(top))], top[r.IntN(len(top))]
		for a == b {
			b = top[r.IntN(len(top))]
		}
		ta, tb := term(a), term(b)
		add("and", spec{ours: invertedindex.BooleanQuery{Must: []invertedindex.Query{ta.ours, tb.ours}}, theirs: bleveyard.And(ta.theirs, tb.theirs)})
		a, b = top[r.IntN(len(top))], top[r.IntN(len(top))]
		for a == b {
			b = top[r.IntN(len(top))]
		}
		ta, tb = term(a), term(b)
		add("or", spec{ours: invertedindex.BooleanQuery{Should: []invertedindex.Query{ta.ours, tb.ours}}, theirs: bleveyard.Or(ta.theirs, tb.theirs)})
	}
	var phrases []string
	for k, c := range bigram {
		if c >= 20 {
			phrases = append(phrases, k)
		}
	}
	sort.Strings(phrases)
	r.Shuffle(len(phrases), func(i, j int) { phrases[i], phrases[j] = phrases[j], phrases[i] })
	for _, k := range phrases[:min(n, len(phrases))] {
		text := bigramText[k]
		add("phrase", spec{ours: invertedindex.PhraseQuery{Field: "text", Text: text}, theirs: bleveyard.Phrase(text)})
	}
	seen := map[string]bool{}
	for _, t := range terms[:min(len(terms), 1000)] {
		if len(out["prefix"]) >= n {
			break
		}
		if len(t) < 4 || !isASCIILetters(t[:3]) || seen[t[:3]] {
			continue
		}
		seen[t[:3]] = true
		add("prefix", spec{ours: invertedindex.PrefixQuery{Field: "text", Prefix: t[:3]}, theirs: bleveyard.Prefix(t[:3])})
	}
	return out
}

func isASCIILetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'a' || s[i] > 'z' {
			return false
		}
	}
	return true
}

// wchar returns the process's wchar from /proc/self/io, or -1.
func wchar() int64 {
	data, err := os.ReadFile("/proc/self/io")
	if err != nil {
		return -1
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && k == "wchar" {
			n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err == nil {
				return n
			}
		}
	}
	return -1
}

func dirSize(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, e fs.DirEntry, err error) error {
		if err == nil && !e.IsDir() {
			if fi, err := e.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

// WriteTable prints results: one row per engine for indexing, then query
// latencies by kind, then ratios against bleve when it ran.
func WriteTable(w io.Writer, rs []Result) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "engine\tdocs\ttext\tindex time\tdocs/s\tMB/s\tdisk at close\tdisk at rest\twrite amp (wchar/text)\tengine write amp\t")
	for _, r := range rs {
		ewa := "-"
		if r.Stats != nil {
			ewa = fmt.Sprintf("%.2f", r.EngineWriteAmp)
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%.0f\t%.2f\t%s\t%s\t%.2f\t%s\t\n", r.Engine, r.Docs, units.FormatSize(r.TextBytes),
			r.Elapsed.Round(time.Millisecond), r.DocsPerSec(), r.MBPerSec(), units.FormatSize(r.DiskBytesAtClose), units.FormatSize(r.DiskBytes), r.WriteAmp(), ewa)
	}
	tw.Flush()
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "query p50 / p99\t")
	for _, k := range Kinds {
		fmt.Fprintf(tw, "%s\t", k)
	}
	fmt.Fprintln(tw)
	for _, r := range rs {
		fmt.Fprintf(tw, "%s\t", r.Engine)
		for _, k := range Kinds {
			l := r.Queries[k]
			fmt.Fprintf(tw, "%s / %s\t", fmtDur(l.P50), fmtDur(l.P99))
		}
		fmt.Fprintln(tw)
	}
	fmt.Fprintf(tw, "mean hits\t")
	if len(rs) > 0 {
		for _, k := range Kinds {
			fmt.Fprintf(tw, "%.0f\t", rs[0].Queries[k].Hits)
		}
	}
	fmt.Fprintln(tw)
	tw.Flush()
	var base *Result
	for i := range rs {
		if rs[i].Engine == "bleve" {
			base = &rs[i]
		}
	}
	if base == nil {
		return
	}
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "vs bleve\tindexing docs/s ×\tdisk at rest ×\t")
	for _, k := range Kinds {
		fmt.Fprintf(tw, "%s p50 ×\t", k)
	}
	fmt.Fprintln(tw)
	for _, r := range rs {
		if r.Engine == "bleve" {
			continue
		}
		fmt.Fprintf(tw, "%s\t%.2f\t%.2f\t", r.Engine, r.DocsPerSec()/base.DocsPerSec(), float64(r.DiskBytes)/float64(base.DiskBytes))
		for _, k := range Kinds {
			fmt.Fprintf(tw, "%.2f\t", float64(r.Queries[k].P50)/float64(base.Queries[k].P50))
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
	fmt.Fprintln(w, "(indexing and disk: above 1 means more; p50: below 1 means kvlab answers faster)")
}

func fmtDur(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%.0fµs", float64(d)/1e3)
	case d < time.Second:
		return fmt.Sprintf("%.2fms", float64(d)/1e6)
	}
	return d.Round(time.Millisecond).String()
}
