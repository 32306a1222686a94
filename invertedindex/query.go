package invertedindex

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Query is a search expression: a TermQuery, PhraseQuery, PrefixQuery or
// BooleanQuery. Build one with these types or parse one with ParseQuery.
type Query interface {
	// String renders the query in the query-string syntax.
	String() string
	isQuery()
}

// TermQuery matches documents containing Word in Field ("" means any text
// field). Word is analyzed like document text; if it yields several terms
// ("e-mail") they must appear as a phrase, and if it yields none (a stop
// word) the query is dropped from its boolean parent (alone it matches
// nothing).
type TermQuery struct {
	Field string
	Word  string
}

// PhraseQuery matches documents containing the analyzed terms of Text at
// consecutive positions (gaps left by stop words are kept), in Field or,
// with Field "", in any one text field.
type PhraseQuery struct {
	Field string
	Text  string
}

// PrefixQuery matches documents containing a term that starts with Prefix
// (lower-cased, not stemmed), scored as the sum of those terms' BM25 scores.
// At most MaxPrefixTerms terms are expanded; a prefix with more terms is an
// error.
type PrefixQuery struct {
	Field  string
	Prefix string
}

// BooleanQuery combines queries. A document matches when it matches every
// Must query and none of the MustNot ones, and, when Must is empty, at least
// one Should query. Its score is the sum of the scores of the Must and
// Should queries it matches. A query with only MustNot clauses matches
// nothing.
type BooleanQuery struct {
	Must, Should, MustNot []Query
}

// MaxPrefixTerms bounds the expansion of a PrefixQuery.
const MaxPrefixTerms = 10000

func (TermQuery) isQuery()    {}
func (PhraseQuery) isQuery()  {}
func (PrefixQuery) isQuery()  {}
func (BooleanQuery) isQuery() {}

func fieldPart(f string) string {
	if f == "" {
		return ""
	}
	return f + ":"
}

// String renders the query in the query-string syntax.
func (q TermQuery) String() string { return fieldPart(q.Field) + q.Word }

// String renders the query in the query-string syntax.
func (q PhraseQuery) String() string {
	return fieldPart(q.Field) + `"` + strings.ReplaceAll(q.Text, `"`, " ") + `"`
}

// String renders the query in the query-string syntax.
func (q PrefixQuery) String() string { return fieldPart(q.Field) + q.Prefix + "*" }

// String renders the query in the query-string syntax. It is exact for the
// queries ParseQuery returns; Should clauses beside Must ones (which only
// add to the score) have no syntax and render as a required group.
func (q BooleanQuery) String() string {
	var parts []string
	for _, m := range q.Must {
		parts = append(parts, "+"+group(m))
	}
	if len(q.Should) > 0 {
		var ors []string
		for _, s := range q.Should {
			ors = append(ors, group(s))
		}
		s := strings.Join(ors, " OR ")
		if len(q.Must) > 0 || len(q.MustNot) > 0 || len(q.Should) > 1 {
			s = "(" + s + ")"
		}
		parts = append(parts, s)
	}
	for _, n := range q.MustNot {
		parts = append(parts, "-"+group(n))
	}
	return strings.Join(parts, " ")
}

func group(q Query) string {
	if b, ok := q.(BooleanQuery); ok {
		return "(" + b.String() + ")"
	}
	return q.String()
}

// ParseError reports a malformed query string and where.
type ParseError struct {
	// Pos is the byte offset of the problem in the query string.
	Pos int
	// Msg says what is wrong.
	Msg string
}

// Error says "query: at position N: what is wrong".
func (e *ParseError) Error() string {
	return fmt.Sprintf("query: at position %d: %s", e.Pos, e.Msg)
}

// ParseQuery parses a query string:
//
//	word           documents containing word (analyzed: "Running" finds "run")
//	"exact phrase" the words at consecutive positions
//	prefix*        a term starting with prefix
//	field:word     word in that field (also field:"a phrase", field:pre*, field:(a b))
//	+q  -q         q required, q excluded
//	a OR b         either (OR binds tighter than the implicit AND)
//	( ... )        grouping
//
// Clauses side by side are all required (a default AND), so "+" is only
// emphasis; "-" excludes. A malformed query yields a *ParseError naming the
// byte position of the problem.
func ParseQuery(s string) (Query, error) {
	p := parser{s: s}
	q, err := p.seq("", -1)
	if err != nil {
		return nil, err
	}
	return q, nil
}

type parser struct {
	s   string
	pos int
}

func (p *parser) errf(pos int, format string, args ...any) error {
	return &ParseError{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) skipSpace() {
	for p.pos < len(p.s) {
		r, w := utf8.DecodeRuneInString(p.s[p.pos:])
		if !unicode.IsSpace(r) {
			return
		}
		p.pos += w
	}
}

// atOR reports whether the next token is the OR operator.
func (p *parser) atOR() bool {
	if !strings.HasPrefix(p.s[p.pos:], "OR") {
		return false
	}
	rest := p.s[p.pos+2:]
	if rest == "" {
		return true
	}
	r, _ := utf8.DecodeRuneInString(rest)
	return unicode.IsSpace(r) || r == '(' || r == '"'
}

// seq parses clauses up to the end, or up to a ')' when nested in a group
// opened at position open (-1 at the top level).
func (p *parser) seq(field string, open int) (Query, error) {
	nested := open >= 0
	var b BooleanQuery
	for {
		p.skipSpace()
		if p.pos >= len(p.s) {
			if nested {
				return nil, p.errf(open, "'(' is never closed")
			}
			break
		}
		if p.s[p.pos] == ')' {
			if !nested {
				return nil, p.errf(p.pos, "unmatched ')'")
			}
			break
		}
		if p.atOR() {
			return nil, p.errf(p.pos, "OR without a left operand")
		}
		mod := byte(0)
		if c := p.s[p.pos]; c == '+' || c == '-' {
			mod = c
			p.pos++
			if p.pos >= len(p.s) || p.s[p.pos] == ')' || isSpaceByte(p.s[p.pos]) || p.s[p.pos] == '+' || p.s[p.pos] == '-' {
				return nil, p.errf(p.pos-1, "%q must be followed by a term, phrase or group", mod)
			}
		}
		q, err := p.or(field)
		if err != nil {
			return nil, err
		}
		switch mod {
		case '-':
			b.MustNot = append(b.MustNot, q)
		default:
			b.Must = append(b.Must, q)
		}
	}
	if len(b.Must) == 1 && len(b.MustNot) == 0 {
		return b.Must[0], nil
	}
	return b, nil
}

func isSpaceByte(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// or parses primary { OR primary }.
func (p *parser) or(field string) (Query, error) {
	q, err := p.primary(field)
	if err != nil {
		return nil, err
	}
	ors := []Query{q}
	for {
		save := p.pos
		p.skipSpace()
		if !p.atOR() {
			p.pos = save
			break
		}
		opPos := p.pos
		p.pos += 2
		p.skipSpace()
		if p.pos >= len(p.s) || p.s[p.pos] == ')' {
			return nil, p.errf(opPos, "OR without a right operand")
		}
		if c := p.s[p.pos]; c == '+' || c == '-' {
			return nil, p.errf(p.pos, "%q cannot follow OR; group the alternative in parentheses", c)
		}
		q, err := p.primary(field)
		if err != nil {
			return nil, err
		}
		ors = append(ors, q)
	}
	if len(ors) == 1 {
		return ors[0], nil
	}
	return BooleanQuery{Should: ors}, nil
}

// primary parses a group, a phrase, or a word (with an optional field and
// trailing '*').
func (p *parser) primary(field string) (Query, error) {
	if p.pos >= len(p.s) {
		return nil, p.errf(p.pos, "expected a term")
	}
	switch p.s[p.pos] {
	case '(':
		open := p.pos
		p.pos++
		q, err := p.seq(field, open)
		if err != nil {
			return nil, err
		}
		if p.pos >= len(p.s) || p.s[p.pos] != ')' {
			return nil, p.errf(open, "'(' is never closed")
		}
		p.pos++
		if b, ok := q.(BooleanQuery); ok && len(b.Must)+len(b.Should)+len(b.MustNot) == 0 {
			return nil, p.errf(open, "empty group")
		}
		return q, nil
	case '"':
		open := p.pos
		end := strings.IndexByte(p.s[p.pos+1:], '"')
		if end < 0 {
			return nil, p.errf(open, "unterminated phrase")
		}
		text := p.s[p.pos+1 : p.pos+1+end]
		p.pos += end + 2
		if strings.TrimSpace(text) == "" {
			return nil, p.errf(open, "empty phrase")
		}
		return PhraseQuery{Field: field, Text: text}, nil
	case ')':
		return nil, p.errf(p.pos, "unexpected ')'")
	}
	start := p.pos
	for p.pos < len(p.s) {
		r, w := utf8.DecodeRuneInString(p.s[p.pos:])
		if unicode.IsSpace(r) || r == '(' || r == ')' || r == '"' {
			break
		}
		p.pos += w
	}
	word := p.s[start:p.pos]
	if i := strings.IndexByte(word, ':'); i > 0 && isFieldName(word[:i]) {
		f := word[:i]
		rest := word[i+1:]
		if rest == "" {
			if p.pos < len(p.s) && (p.s[p.pos] == '"' || p.s[p.pos] == '(') {
				return p.primary(f)
			}
			return nil, p.errf(p.pos, "field %q has no value", f)
		}
		return p.word(f, rest, start+i+1)
	} else if i == 0 {
		return nil, p.errf(start, "':' without a field name")
	}
	return p.word(field, word, start)
}

func (p *parser) word(field, w string, pos int) (Query, error) {
	if strings.HasSuffix(w, "*") {
		pre := strings.TrimRight(w, "*")
		if pre == "" {
			return nil, p.errf(pos, "a prefix query needs at least one character before '*'")
		}
		for i, r := range pre {
			if !isWordRune(r) {
				return nil, p.errf(pos+i, "prefix %q: only letters and digits may precede '*'", pre)
			}
		}
		return PrefixQuery{Field: field, Prefix: pre}, nil
	}
	return TermQuery{Field: field, Word: w}, nil
}

func isFieldName(s string) bool {
	for _, r := range s {
		if !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '.' || r == '-') {
			return false
		}
	}
	return s != ""
}
