package invertedindex

import (
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/kljensen/snowball/english"
)

// MaxTermLen is the longest term, in bytes, the index keeps. Longer tokens
// are dropped (their position is still counted), so that no key grows past
// what every engine accepts.
const MaxTermLen = 128

// Token is one term produced by an Analyzer.
type Token struct {
	// Term is the indexed form: lower-cased, and stemmed if the analyzer
	// stems. It never contains a 0x00 byte and is at most MaxTermLen bytes.
	Term string
	// Pos is the token's position in its field: the index of the token among
	// all tokens of the text, stop words and dropped tokens included, so
	// that a phrase across a removed stop word keeps its gap.
	Pos int
	// Start and End are the byte offsets of the token in the analyzed text.
	Start, End int
}

// Analyzer turns text into tokens. It is a value the caller may replace; the
// index records Name and refuses to open with an analyzer of another name,
// because terms indexed by one analyzer are not found by another.
//
// Analyze must be safe for concurrent use and deterministic, and must produce
// tokens in increasing Pos order with terms free of 0x00 and at most
// MaxTermLen bytes long (longer ones are dropped by the index).
type Analyzer interface {
	// Name identifies the analyzer's behaviour, e.g. "unicode+stop+stem".
	Name() string
	// Analyze appends the tokens of text to dst and returns it.
	Analyze(dst []Token, text string) []Token
}

// AnalyzerOptions select the steps of the standard analyzer. Tokenization
// (runs of Unicode letters, digits and combining marks) and lower-casing are
// always done.
type AnalyzerOptions struct {
	// StopWords drops English stop words (see EnglishStopWords).
	StopWords bool
	// Stem reduces words to their English (Porter2/snowball) stem.
	Stem bool
}

// StandardAnalyzer is the built-in analyzer: Unicode tokenization,
// lower-casing, optional English stop words, optional English stemming.
type StandardAnalyzer struct {
	opts  AnalyzerOptions
	name  string
	cache sync.Map // word -> stem, bounded by cacheN
	mu    sync.Mutex
	n     int
}

// stemCacheSize bounds the stem cache; past it, stems are computed each time.
const stemCacheSize = 200_000

// NewAnalyzer returns the standard analyzer with the given options.
func NewAnalyzer(o AnalyzerOptions) *StandardAnalyzer {
	name := "unicode"
	if o.StopWords {
		name += "+stop"
	}
	if o.Stem {
		name += "+stem"
	}
	return &StandardAnalyzer{opts: o, name: name}
}

// English returns the standard analyzer with stop words and stemming, the
// default of a new index.
func English() *StandardAnalyzer { return NewAnalyzer(AnalyzerOptions{StopWords: true, Stem: true}) }

// AnalyzerByName returns the standard analyzer whose Name is name: "unicode",
// "unicode+stop", "unicode+stem" or "unicode+stop+stem"; "english" is an
// alias of the last, "simple" of the first.
func AnalyzerByName(name string) (*StandardAnalyzer, error) {
	switch name {
	case "unicode", "simple":
		return NewAnalyzer(AnalyzerOptions{}), nil
	case "unicode+stop":
		return NewAnalyzer(AnalyzerOptions{StopWords: true}), nil
	case "unicode+stem":
		return NewAnalyzer(AnalyzerOptions{Stem: true}), nil
	case "unicode+stop+stem", "english":
		return English(), nil
	}
	return nil, fmt.Errorf("invertedindex: unknown analyzer %q (want unicode, unicode+stop, unicode+stem, unicode+stop+stem)", name)
}

// Name returns "unicode" followed by "+stop" and "+stem" as configured.
func (a *StandardAnalyzer) Name() string { return a.name }

// Options returns the analyzer's options.
func (a *StandardAnalyzer) Options() AnalyzerOptions { return a.opts }

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

// Analyze appends the tokens of text to dst.
func (a *StandardAnalyzer) Analyze(dst []Token, text string) []Token {
	pos := 0
	var lower []byte
	for i := 0; i < len(text); {
		r, w := utf8.DecodeRuneInString(text[i:])
		if !isWordRune(r) {
			i += w
			continue
		}
		start := i
		ascii := true
		for i < len(text) {
			r, w = utf8.DecodeRuneInString(text[i:])
			if !isWordRune(r) {
				break
			}
			if r >= utf8.RuneSelf {
				ascii = false
			}
			i += w
		}
		word := text[start:i]
		var term string
		if ascii {
			lower = lower[:0]
			for j := 0; j < len(word); j++ {
				c := word[j]
				if 'A' <= c && c <= 'Z' {
					c += 'a' - 'A'
				}
				lower = append(lower, c)
			}
			term = string(lower)
		} else {
			term = strings.ToLower(word)
		}
		p := pos
		pos++
		if len(term) > MaxTermLen {
			continue
		}
		if a.opts.StopWords && englishStop[term] {
			continue
		}
		if a.opts.Stem {
			term = a.stem(term)
		}
		dst = append(dst, Token{Term: term, Pos: p, Start: start, End: i})
	}
	return dst
}

func (a *StandardAnalyzer) stem(w string) string {
	if len(w) <= 2 {
		return w
	}
	if s, ok := a.cache.Load(w); ok {
		return s.(string)
	}
	s := english.Stem(w, true)
	if s == "" {
		s = w
	}
	a.mu.Lock()
	if a.n < stemCacheSize {
		a.n++
		a.cache.Store(w, s)
	}
	a.mu.Unlock()
	return s
}

// EnglishStopWords returns the stop words the standard analyzer drops: the
// classic Lucene English set.
func EnglishStopWords() []string {
	out := make([]string, 0, len(englishStop))
	for w := range englishStop {
		out = append(out, w)
	}
	return out
}

var englishStop = map[string]bool{
	"a": true, "an": true, "and": true, "are": true, "as": true, "at": true, "be": true,
	"but": true, "by": true, "for": true, "if": true, "in": true, "into": true, "is": true,
	"it": true, "no": true, "not": true, "of": true, "on": true, "or": true, "such": true,
	"that": true, "the": true, "their": true, "then": true, "there": true, "these": true,
	"they": true, "this": true, "to": true, "was": true, "will": true, "with": true,
}
