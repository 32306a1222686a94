package invertedindex

import (
	"encoding/binary"
	"fmt"

	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/trie"
)

// trieDict is the term dictionary, the distinct terms of each field, in
// memory: a trie (package trie) whose
// keys are a field's number (4 bytes, big-endian) followed by a term, and
// whose weights are the term's postings, deleted documents included until
// a merge reclaims them. Open builds it in one pass over the chunk keys
// and their headers (no extra bytes are stored, so it can never disagree
// with the postings after a crash); Write and merge keep it in step while
// they hold the index's write lock, and searches read it under the read
// lock.
type trieDict struct {
	t *trie.Trie
}

// loadTrieDict builds the dictionary from the chunks in db.
func loadTrieDict(db kv.Engine) (*trieDict, error) {
	d := &trieDict{t: trie.New()}
	it, err := db.NewIterator(kv.IterOptions{LowerBound: []byte{prefixPostings}, UpperBound: []byte{prefixPostings + 1}})
	if err != nil {
		return nil, fmt.Errorf("invertedindex: load term dictionary: %w", err)
	}
	var key []byte
	for ok := it.First(); ok; ok = it.Next() {
		f, term, _, good := parseChunkKey(it.Key())
		if !good {
			it.Close()
			return nil, kv.Corruptf("", -1, "invertedindex: bad chunk key %q", it.Key())
		}
		n, err := chunkCount(it.Value())
		if err != nil {
			it.Close()
			return nil, fmt.Errorf("invertedindex: term %q: %w", term, err)
		}
		key = dictKey(key[:0], f, string(term))
		d.t.AddWeight(key, n)
	}
	if err := it.Close(); err != nil {
		return nil, fmt.Errorf("invertedindex: load term dictionary: %w", err)
	}
	return d, nil
}

// dictKey appends the trie key of a field's term to dst.
func dictKey(dst []byte, field uint32, term string) []byte {
	return append(binary.BigEndian.AppendUint32(dst, field), term...)
}

// count returns the number of terms of field that start with prefix, or
// limit when there are at least that many.
func (d *trieDict) count(field uint32, prefix string, limit int) int {
	n := 0
	d.t.WalkPrefix(dictKey(nil, field, prefix), func([]byte, trie.Entry) bool {
		n++
		return n < limit
	})
	return n
}

// add counts n new postings of a field's term.
func (d *trieDict) add(field uint32, term string, n uint64) {
	d.t.AddWeight(dictKey(nil, field, term), n)
}

// set records that a field's term now has n postings; 0 removes it.
func (d *trieDict) set(field uint32, term string, n uint64) {
	k := dictKey(nil, field, term)
	if n == 0 {
		d.t.Delete(k)
		return
	}
	d.t.SetWeight(k, n)
}

// top returns up to k terms of field starting with prefix, those with the
// most postings first.
func (d *trieDict) top(field uint32, prefix string, k int) []TermCount {
	cs := d.t.TopK(dictKey(nil, field, prefix), k)
	out := make([]TermCount, len(cs))
	for i, c := range cs {
		out[i] = TermCount{Term: string(c.Key[4:]), Postings: c.Weight}
	}
	return out
}

// chunkCount reads the number of postings from a chunk's header (its first
// uvarint; docs/format/invertedindex.md).
func chunkCount(v []byte) (uint64, error) {
	n, k := binary.Uvarint(v)
	if k <= 0 || n == 0 || n > ChunkSize*1024 {
		return 0, chunkCorrupt("count in header")
	}
	return n, nil
}

// TermCount is a term of the dictionary and its number of postings
// (deleted documents' included until a merge reclaims them).
type TermCount struct {
	Term     string
	Postings uint64
}

// Terms returns up to k terms of the field that start with prefix, those
// with the most postings first (ties in term order): type-ahead over the
// index's vocabulary. Terms are as the analyzer left them (lower-cased,
// stemmed if it stems), so prefix should be too. It reads only the
// in-memory dictionary.
func (ix *Index) Terms(field, prefix string, k int) ([]TermCount, error) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.closed {
		return nil, ErrClosed
	}
	f, ok := ix.fields[field]
	if !ok || k <= 0 {
		return nil, nil
	}
	return ix.dict.top(f, prefix, k), nil
}
