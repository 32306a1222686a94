package invertedindex

import (
	"strings"
)

// snippetTokens is the width of a snippet in tokens.
const snippetTokens = 24

// highlighter builds snippets for the hits of one query.
type highlighter struct {
	an        Analyzer
	pre, post string
	terms     map[string]bool // analyzed terms of positive clauses
	prefixes  []string
}

func (ctx *evalCtx) highlighter(req Request) *highlighter {
	h := &highlighter{an: ctx.ix.an, pre: req.HighlightPre, post: req.HighlightPost,
		terms: map[string]bool{}}
	if h.pre == "" && h.post == "" {
		h.pre, h.post = "[", "]"
	}
	h.collect(req.Query)
	return h
}

// collect gathers the terms and prefixes of the query's positive clauses.
func (h *highlighter) collect(q Query) {
	switch q := q.(type) {
	case TermQuery:
		for _, t := range h.an.Analyze(nil, q.Word) {
			h.terms[t.Term] = true
		}
	case PhraseQuery:
		for _, t := range h.an.Analyze(nil, q.Text) {
			h.terms[t.Term] = true
		}
	case PrefixQuery:
		h.prefixes = append(h.prefixes, strings.ToLower(q.Prefix))
	case BooleanQuery:
		for _, c := range q.Must {
			h.collect(c)
		}
		for _, c := range q.Should {
			h.collect(c)
		}
	}
}

func (h *highlighter) match(term string) bool {
	if h.terms[term] {
		return true
	}
	for _, p := range h.prefixes {
		if strings.HasPrefix(term, p) {
			return true
		}
	}
	return false
}

// snippet returns the window of snippetTokens tokens of the record's text
// fields with the most matched words, matched words wrapped in pre/post.
func (h *highlighter) snippet(rec *docRecord) string {
	bestText, bestToks, bestStart, bestCount := "", []Token(nil), 0, -1
	for _, tf := range rec.Text {
		toks := h.an.Analyze(nil, tf.Text)
		hit := make([]bool, len(toks))
		for i, t := range toks {
			hit[i] = h.match(t.Term)
		}
		count := 0
		for i := 0; i < len(toks); i++ {
			if hit[i] {
				count++
			}
			if i >= snippetTokens && hit[i-snippetTokens] {
				count--
			}
			start := max(0, i-snippetTokens+1)
			if count > bestCount {
				bestText, bestToks, bestStart, bestCount = tf.Text, toks, start, count
			}
		}
		if len(toks) == 0 && bestCount < 0 {
			bestText, bestToks, bestStart, bestCount = tf.Text, nil, 0, 0
		}
	}
	if bestCount < 0 {
		return ""
	}
	if len(bestToks) == 0 {
		return clip(bestText, 160)
	}
	// Centre the window on its matches: start a few tokens before the first.
	end := min(len(bestToks), bestStart+snippetTokens)
	for i := bestStart; i < end; i++ {
		if h.match(bestToks[i].Term) {
			shift := max(0, i-4) - bestStart
			bestStart += shift
			end = min(len(bestToks), bestStart+snippetTokens)
			break
		}
	}
	var b strings.Builder
	from := bestToks[bestStart].Start
	if bestStart > 0 {
		b.WriteString("…")
	}
	for i := bestStart; i < end; i++ {
		t := bestToks[i]
		if h.match(t.Term) {
			b.WriteString(oneLine(bestText[from:t.Start]))
			b.WriteString(h.pre)
			b.WriteString(bestText[t.Start:t.End])
			b.WriteString(h.post)
			from = t.End
		}
	}
	last := bestToks[end-1].End
	b.WriteString(oneLine(bestText[from:last]))
	if end < len(bestToks) {
		b.WriteString("…")
	}
	return b.String()
}

// oneLine collapses every run of white space in s to one space.
func oneLine(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		if r == ' ' || r == '\t' || r == '\n' || r == '\r' {
			space = true
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	if space {
		b.WriteByte(' ')
	}
	return b.String()
}

func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
