// Package triebench measures package trie against its yardsticks —
// github.com/armon/go-radix, github.com/hashicorp/go-immutable-radix/v2,
// a map[string]uint64 and a sorted slice with binary search — on a real
// word list (identifiers from the Go distribution's sources), in one
// process so that the ratios are comparable on a noisy machine. It backs
// "kvlab suggest bench" and the benchmarks of package trie.
package triebench

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/kvlab/kvlab/trie"
)

// Config sets a run's size.
type Config struct {
	// Keys is the number of keys wanted: GOROOT's identifiers and
	// selectors, topped up with package-qualified identifiers (default
	// 1,000,000).
	Keys int
	// MaxFiles caps the Go files read (0: all).
	MaxFiles int
	// Queries is the number of TopK queries per prefix length (default
	// 2000).
	Queries int
	// Rounds is how many times the timed read phases are repeated, each
	// structure in turn within a round; the best round counts (default 3).
	Rounds int
	// Seed fixes the random lookup order and query prefixes.
	Seed uint64
	// Log, when set, is told what the run is doing.
	Log io.Writer
}

// Report holds a run's figures: one row per metric, one column per
// structure (NaN where a structure has no such operation).
type Report struct {
	Info    WordsInfo
	Keys    int
	Columns []string
	Rows    []Row
}

// Row is one metric.
type Row struct {
	Metric string
	Unit   string
	// Higher says whether a larger figure is better (for the ratio).
	Higher bool
	Values []float64
}

func (c *Config) defaults() {
	if c.Keys == 0 {
		c.Keys = 1_000_000
	}
	if c.Queries == 0 {
		c.Queries = 2000
	}
	if c.Rounds == 0 {
		c.Rounds = 3
	}
}

func (c *Config) logf(format string, args ...any) {
	if c.Log != nil {
		fmt.Fprintf(c.Log, format+"\n", args...)
	}
}

// heapAlloc returns the live heap after a full collection.
func heapAlloc() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// Run loads the word list and measures every structure.
func Run(cfg Config) (*Report, error) {
	cfg.defaults()
	cfg.logf("reading Go sources under GOROOT ...")
	words, info, err := GoWords(cfg.Keys, cfg.MaxFiles)
	if err != nil {
		return nil, err
	}
	if len(words) > cfg.Keys {
		// Keep a fixed-stride sample so prefixes stay spread out.
		step := float64(len(words)) / float64(cfg.Keys)
		sample := make([]Word, cfg.Keys)
		for i := range sample {
			sample[i] = words[int(float64(i)*step)]
		}
		words = sample
	}
	cfg.logf("%d keys: %s", len(words), info)
	return RunWords(cfg, words, info), nil
}

// RunWords measures every structure on words (distinct keys).
func RunWords(cfg Config, words []Word, info WordsInfo) *Report {
	cfg.defaults()
	r := rand.New(rand.NewPCG(cfg.Seed, 0x5eed))
	structs := NewStructures()
	rep := &Report{Info: info, Keys: len(words)}
	for _, s := range structs {
		rep.Columns = append(rep.Columns, s.Name())
	}
	nan := math.NaN()
	row := func(metric, unit string, higher bool) *Row {
		rep.Rows = append(rep.Rows, Row{Metric: metric, Unit: unit, Higher: higher, Values: slices.Repeat([]float64{nan}, len(structs))})
		return &rep.Rows[len(rep.Rows)-1]
	}
	n := float64(len(words))
	keys := Keys(words)
	bkeys := make([][]byte, len(keys))
	for i, k := range keys {
		bkeys[i] = []byte(k)
	}

	// Build each in turn; the heap it adds, after GC, is its size.
	ins := row("inserts/s", "keys/s", true)
	heap := row("heap bytes/key", "B", false)
	for i, s := range structs {
		cfg.logf("building %s ...", s.Name())
		before := heapAlloc()
		start := time.Now()
		s.Build(words)
		ins.Values[i] = n / time.Since(start).Seconds()
		heap.Values[i] = float64(int64(heapAlloc())-int64(before)) / n
	}

	// Reads: rounds, each structure in turn, the best round counts.
	perm := r.Perm(len(keys))
	prefixes2 := distinctPrefixes(keys, 2)
	queries := make([][]string, 4)
	for l := 1; l <= 3; l++ {
		for len(queries[l]) < cfg.Queries {
			k := keys[r.IntN(len(keys))]
			if len(k) >= l {
				queries[l] = append(queries[l], k[:l])
			}
		}
	}
	get := row("Get/s", "ops/s", true)
	walk := row("prefix walk", "keys/s", true)
	var topP50, topP99 [4]*Row
	for l := 1; l <= 3; l++ {
		topP50[l] = row(fmt.Sprintf("TopK(10) p50, %d-byte prefix", l), "µs", false)
		topP99[l] = row(fmt.Sprintf("TopK(10) p99, %d-byte prefix", l), "µs", false)
	}
	best := func(rw *Row, i int, v float64) {
		if math.IsNaN(rw.Values[i]) || (rw.Higher && v > rw.Values[i]) || (!rw.Higher && v < rw.Values[i]) {
			rw.Values[i] = v
		}
	}
	for round := range cfg.Rounds {
		cfg.logf("read round %d of %d ...", round+1, cfg.Rounds)
		for i, s := range structs {
			start := time.Now()
			found := 0
			for _, j := range perm {
				if _, ok := s.Get(keys[j], bkeys[j]); ok {
					found++
				}
			}
			if found != len(keys) {
				panic(fmt.Sprintf("triebench: %s found %d of %d keys", s.Name(), found, len(keys)))
			}
			best(get, i, n/time.Since(start).Seconds())

			start = time.Now()
			total := 0
			ok := true
			for _, p := range prefixes2 {
				var c int
				c, ok = s.WalkPrefix(p)
				total += c
			}
			if ok {
				best(walk, i, float64(total)/time.Since(start).Seconds())
			}
			for l := 1; l <= 3; l++ {
				qs := queries[l]
				if _, isBest := s.TopK(qs[0], 10); !isBest {
					if round > 0 {
						continue // walk-and-sort is slow and steady: one round
					}
					qs = qs[:min(len(qs), walkSortQueries)]
				}
				lat := make([]time.Duration, 0, len(qs))
				for _, q := range qs {
					t0 := time.Now()
					if _, ok := s.TopK(q, 10); !ok && s.Name() == "map" {
						break
					}
					lat = append(lat, time.Since(t0))
				}
				if len(lat) == 0 {
					continue
				}
				slices.Sort(lat)
				best(topP50[l], i, us(lat[len(lat)/2]))
				best(topP99[l], i, us(lat[len(lat)*99/100]))
			}
		}
	}

	// The trie only: fuzzy completion, and load from the serialized form
	// against rebuilding.
	tr := structs[0].(*trieS).Trie()
	for l := 2; l <= 3; l++ {
		lat := make([]time.Duration, 0, len(queries[l]))
		for _, q := range queries[l] {
			t0 := time.Now()
			tr.FuzzyTopK([]byte(q), 10)
			lat = append(lat, time.Since(t0))
		}
		slices.Sort(lat)
		fz := row(fmt.Sprintf("FuzzyTopK(10) p50, %d-byte prefix", l), "µs", false)
		fz.Values[0] = us(lat[len(lat)/2])
		fz = row(fmt.Sprintf("FuzzyTopK(10) p99, %d-byte prefix", l), "µs", false)
		fz.Values[0] = us(lat[len(lat)*99/100])
	}
	// Load and rebuild run without the yardsticks alive, so that the
	// collections they trigger do not scan millions of unrelated pointers.
	runtime.KeepAlive(structs)
	clear(structs[1:])
	runtime.GC()
	cfg.logf("serializing and loading ...")
	blob, _ := tr.MarshalBinary()
	row("serialized bytes/key", "B", false).Values[0] = float64(len(blob)) / n
	shuffled := slices.Clone(words)
	r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	loadT, rebuildT, shuffledT := math.Inf(1), math.Inf(1), math.Inf(1)
	timeIt := func(f func()) float64 {
		runtime.GC() // no collection owed by the previous step
		start := time.Now()
		f()
		return time.Since(start).Seconds()
	}
	for range max(cfg.Rounds, 5) {
		loadT = min(loadT, timeIt(func() {
			if _, err := trie.Decode(blob); err != nil {
				panic(err)
			}
		}))
		rebuildT = min(rebuildT, timeIt(func() { new(trieS).Build(words) }))
	}
	for range cfg.Rounds {
		shuffledT = min(shuffledT, timeIt(func() { new(trieS).Build(shuffled) }))
	}
	row("load from serialized form", "ms", false).Values[0] = loadT * 1000
	row("rebuild, keys in order", "ms", false).Values[0] = rebuildT * 1000
	row("rebuild, keys shuffled", "ms", false).Values[0] = shuffledT * 1000
	row("rebuild in order / load", "x", true).Values[0] = rebuildT / loadT
	return rep
}

// walkSortQueries caps the queries given to walk-and-sort TopK, which takes
// milliseconds each on short prefixes.
const walkSortQueries = 200

func us(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1000 }

// distinctPrefixes returns the distinct l-byte prefixes of sorted keys
// (keys shorter than l count as their own prefix).
func distinctPrefixes(keys []string, l int) []string {
	var out []string
	for _, k := range keys {
		p := k[:min(l, len(k))]
		if len(out) == 0 || out[len(out)-1] != p {
			out = append(out, p)
		}
	}
	// A shorter key can equal a later prefix's start; walks would count
	// keys twice, so keep only prefixes no other one starts.
	var kept []string
	for _, p := range out {
		if len(kept) > 0 && strings.HasPrefix(p, kept[len(kept)-1]) {
			continue
		}
		kept = append(kept, p)
	}
	return kept
}

// Write prints the report as a table with the trie's ratio to go-radix
// ("x" is better-is-bigger: >1 means the trie wins).
func (rep *Report) Write(w io.Writer) error {
	fmt.Fprintf(w, "%d keys: %s\n\n", rep.Keys, rep.Info)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "metric\tunit\t")
	for _, c := range rep.Columns {
		fmt.Fprintf(tw, "%s\t", c)
	}
	fmt.Fprint(tw, "trie vs go-radix\t\n")
	for _, r := range rep.Rows {
		fmt.Fprintf(tw, "%s\t%s\t", r.Metric, r.Unit)
		for _, v := range r.Values {
			fmt.Fprintf(tw, "%s\t", fmtVal(v))
		}
		ratio := "-"
		if len(r.Values) > 1 && !math.IsNaN(r.Values[0]) && !math.IsNaN(r.Values[1]) && r.Values[0] > 0 {
			if r.Higher {
				ratio = fmt.Sprintf("%.2fx", r.Values[0]/r.Values[1])
			} else {
				ratio = fmt.Sprintf("%.2fx", r.Values[1]/r.Values[0])
			}
		}
		fmt.Fprintf(tw, "%s\t\n", ratio)
	}
	return tw.Flush()
}

func fmtVal(v float64) string {
	switch {
	case math.IsNaN(v):
		return "-"
	case v >= 1e6:
		return fmt.Sprintf("%.2fM", v/1e6)
	case v >= 1e4:
		return fmt.Sprintf("%.0fk", v/1e3)
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	default:
		return fmt.Sprintf("%.2f", v)
	}
}
