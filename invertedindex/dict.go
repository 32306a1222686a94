package invertedindex

import (
	"bytes"
	"fmt"

	"github.com/kvlab/kvlab/kv"
)

// termDict is the term dictionary: the distinct terms of a field, in order.
// It is an interface so that the trie (package trie, being built beside
// this one) can replace the scan of the engine's keys; the scan needs no
// extra writes because every term's chunk keys start with the term.
type termDict interface {
	// prefix calls fn with each term of field that starts with prefix, in
	// order, until fn returns false. it, if not nil, is an iterator over
	// the chunk keys the dictionary may reposition (the search's own).
	prefix(it kv.Iterator, field uint32, prefix string, fn func(term string) bool) error
}

// scanDict finds terms by a sorted prefix scan of the chunk keys, skipping
// from each term to the next with one seek.
type scanDict struct {
	db kv.Engine
}

func (d scanDict) prefix(it kv.Iterator, field uint32, prefix string, fn func(term string) bool) error {
	lo := append(fieldPrefix(field), prefix...)
	if it == nil {
		var err error
		it, err = d.db.NewIterator(kv.IterOptions{LowerBound: lo, UpperBound: prefixEnd(lo)})
		if err != nil {
			return fmt.Errorf("invertedindex: term dictionary: %w", err)
		}
		defer it.Close()
	}
	for ok := it.SeekGE(lo); ok && bytes.HasPrefix(it.Key(), lo); {
		f, term, _, good := parseChunkKey(it.Key())
		if !good || f != field {
			return kv.Corruptf("", -1, "invertedindex: bad chunk key %q", it.Key())
		}
		if !fn(string(term)) {
			return nil
		}
		next := termPrefix(nil, field, string(term))
		next[len(next)-1] = 1 // past every chunk of term: term 0x00 ... < term 0x01
		ok = it.SeekGE(next)
	}
	if err := it.Err(); err != nil {
		return fmt.Errorf("invertedindex: term dictionary: %w", err)
	}
	return nil
}
