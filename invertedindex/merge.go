package invertedindex

import (
	"bytes"
	"fmt"

	"github.com/kvlab/kvlab/kv"
)

// mergeBatchBytes bounds the kv.Batch a merge writes at once.
const mergeBatchBytes = 4 << 20

// mergeDue reports whether enough small chunks or deleted documents piled up
// since the last merge to make one worth its cost: chunks written since
// then at least double the count after it (so that merging rewrites each
// posting O(log n) times, as in a tiered LSM), or deleted documents make up
// a fifth of the index.
func (ix *Index) mergeDue() bool {
	since := ix.st.Chunks - min(ix.st.ChunksMerged, ix.st.Chunks)
	if since >= uint64(ix.opts.MergeMinChunks) && since >= ix.st.ChunksMerged {
		return true
	}
	return ix.st.Deleted >= 1024 && ix.st.Deleted*5 >= ix.st.LiveDocs
}

// Merge rewrites every term whose posting list has short chunks in a row or
// chunks holding deleted documents into full chunks without them, then
// forgets the deleted documents. Each term's rewrite is one atomic kv.Batch
// (several terms share one), so a crash in the middle leaves every term
// either merged or not, and the deleted documents still filtered.
func (ix *Index) Merge() error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.closed {
		return ErrClosed
	}
	return ix.merge()
}

// termChunk is one chunk of a term being merged.
type termChunk struct {
	key []byte
	val []byte
	c   chunk
}

func (ix *Index) merge() error {
	err := ix.mergeChunks()
	if err != nil {
		// Some of the merge's batches may be written: the dictionary is
		// read again from what is.
		if d, lerr := loadTrieDict(ix.db); lerr == nil {
			ix.dict = d
		}
	}
	return err
}

// mergeChunks is merge without the dictionary's recovery from an error.
func (ix *Index) mergeChunks() error {
	it, err := ix.db.NewIterator(kv.IterOptions{LowerBound: []byte{prefixPostings}, UpperBound: []byte{prefixPostings + 1}})
	if err != nil {
		return fmt.Errorf("invertedindex: merge: %w", err)
	}
	defer it.Close()
	st := ix.st
	var kb kv.Batch
	flush := func() error {
		if kb.Empty() {
			return nil
		}
		err := ix.db.Write(&kb, kv.WriteOptions{})
		kb.Reset()
		if err != nil {
			return fmt.Errorf("invertedindex: merge: %w", err)
		}
		return nil
	}
	var cs []termChunk
	var ps []posting
	var counts []termCount // the postings of each rewritten term, for the dictionary
	var val, key []byte
	ok := it.First()
	for ok {
		f, termb, _, good := parseChunkKey(it.Key())
		if !good {
			return kv.Corruptf("", -1, "invertedindex: bad chunk key %q", it.Key())
		}
		term := string(termb) // the key's bytes change when the iterator moves
		prefix := termPrefix(nil, f, term)
		cs = cs[:0]
		for ; ok && bytes.HasPrefix(it.Key(), prefix) && len(it.Key()) == len(prefix)+8; ok = it.Next() {
			tc := termChunk{key: bytes.Clone(it.Key()), val: bytes.Clone(it.Value())}
			if err := parseChunk(&tc.c, beUint64(tc.key[len(prefix):]), tc.val); err != nil {
				return fmt.Errorf("term %q: %w", term, err)
			}
			if n := len(cs); n > 0 && tc.c.first <= cs[n-1].c.last {
				return kv.Corruptf("", -1, "invertedindex: term %q: chunks overlap", term)
			}
			cs = append(cs, tc)
		}
		start := -1
		dirty := false
		for i := range cs {
			d := ix.deletedIn(cs[i].c.first, cs[i].c.last) > 0
			if d || (cs[i].c.n < ChunkSize && i < len(cs)-1) {
				start, dirty = i, d
				break
			}
		}
		if start < 0 {
			continue
		}
		tail := cs[start:]
		ps = ps[:0]
		total := 0
		for i := range tail {
			c := &tail[i].c
			if err := c.decodeAll(); err != nil {
				return fmt.Errorf("term %q: %w", term, err)
			}
			total += c.n
			if !dirty && ix.deletedIn(c.first, c.last) > 0 {
				dirty = true
			}
			for _, p := range c.postings(nil) {
				if !ix.isDeleted(p.doc) {
					ps = append(ps, p)
				}
			}
		}
		if want := (len(ps) + ChunkSize - 1) / ChunkSize; !dirty && want >= len(tail) {
			continue
		}
		for i := range tail {
			kb.Delete(tail[i].key)
		}
		live := uint64(len(ps))
		for i := range cs[:start] {
			live += uint64(cs[i].c.n)
		}
		counts = append(counts, termCount{f, term, live})
		st.Postings -= uint64(total - len(ps))
		st.Chunks -= uint64(len(tail))
		for len(ps) > 0 {
			n := min(len(ps), ChunkSize)
			val = appendChunk(val[:0], ps[:n])
			key = chunkKey(key[:0], f, term, ps[n-1].doc)
			kb.Put(key, val)
			st.Chunks++
			ps = ps[n:]
		}
		if len(kb.Repr()) >= mergeBatchBytes {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := it.Err(); err != nil {
		return fmt.Errorf("invertedindex: merge: %w", err)
	}
	for _, d := range ix.deleted {
		kb.Delete(deletedKey(d))
	}
	st.Deleted = 0
	st.ChunksMerged = st.Chunks
	kb.Put(statsKey, st.encode())
	if err := flush(); err != nil {
		return err
	}
	ix.st = st
	ix.deleted = nil
	for _, c := range counts {
		ix.dict.set(c.field, c.term, c.n)
	}
	return nil
}

// termCount is a field's term and its number of postings.
type termCount struct {
	field uint32
	term  string
	n     uint64
}
