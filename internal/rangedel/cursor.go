package rangedel

import (
	"bytes"
	"sort"

	"github.com/kvlab/kvlab/internal/base"
)

// Span is a fragment as one reader sees it: the sequence number of the
// newest tombstone covering [Start, End) that the reader may see.
type Span struct {
	Start, End []byte
	Seq        base.SeqNum
}

// Spans fragments ts, which must all be visible to the reader, and keeps
// each fragment's newest sequence number. ts is reordered.
func Spans(ts []Tombstone) []Span {
	frags := Fragments(ts)
	out := make([]Span, len(frags))
	for i, f := range frags {
		out[i] = Span{Start: f.Start, End: f.End, Seq: f.Seqs[0]}
	}
	return out
}

// Cursor answers "which visible tombstone covers key" over sorted,
// disjoint spans. It remembers where the last key fell, so a run of keys in
// either direction costs a comparison or two each; a jump costs a binary
// search. A Cursor is not safe for concurrent use.
type Cursor struct {
	spans []Span
	i     int // the first span whose End is above the last key
}

// NewCursor returns a cursor over spans (sorted and disjoint, as Spans
// returns them).
func NewCursor(spans []Span) *Cursor { return &Cursor{spans: spans} }

// Empty reports whether the cursor has no span: nothing is covered.
func (c *Cursor) Empty() bool { return c == nil || len(c.spans) == 0 }

// at reports whether i is the first span whose End is above key.
func (c *Cursor) at(i int, key []byte) bool {
	return (i == 0 || bytes.Compare(c.spans[i-1].End, key) <= 0) &&
		(i == len(c.spans) || bytes.Compare(c.spans[i].End, key) > 0)
}

// Seq returns the sequence number of the visible tombstone covering key, or
// 0 when none does: an entry of key with sequence number s is deleted when
// s < Seq(key).
func (c *Cursor) Seq(key []byte) base.SeqNum {
	if c.Empty() {
		return 0
	}
	n := len(c.spans)
	i := c.i
	if !c.at(i, key) {
		switch {
		case i < n && c.at(i+1, key):
			i++
		case i > 0 && c.at(i-1, key):
			i--
		default:
			i = sort.Search(n, func(j int) bool { return bytes.Compare(c.spans[j].End, key) > 0 })
		}
		c.i = i
	}
	if i < n && bytes.Compare(c.spans[i].Start, key) <= 0 {
		return c.spans[i].Seq
	}
	return 0
}
