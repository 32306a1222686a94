package invertedindex

import (
	"bytes"
	"fmt"

	"github.com/kvlab/kvlab/kv"
)

// Census is what a full scan of an index finds.
type Census struct {
	// Documents is the number of live documents (document records).
	Documents int64
	// DeletedPending is the number of deleted documents whose postings are
	// not yet merged away.
	DeletedPending int64
	// Terms is the number of distinct (field, term) pairs with postings.
	Terms int64
	// Postings is the number of postings, deleted documents' included.
	Postings int64
	// Chunks is the number of posting chunks (one key each).
	Chunks int64
	// ChunkKeyBytes and ChunkValueBytes are the bytes of chunk keys and
	// values.
	ChunkKeyBytes, ChunkValueBytes int64
	// DocBytes is the bytes of document records and ID entries, keys
	// included.
	DocBytes int64
	// KVBytes is the bytes of every key and value of the index.
	KVBytes int64
}

// Census scans the whole index, checking every chunk header, and counts.
func (ix *Index) Census() (Census, error) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	var c Census
	if ix.closed {
		return c, ErrClosed
	}
	it, err := ix.db.NewIterator(kv.IterOptions{})
	if err != nil {
		return c, fmt.Errorf("invertedindex: census: %w", err)
	}
	defer it.Close()
	var prev []byte
	var ch chunk
	for ok := it.First(); ok; ok = it.Next() {
		k, v := it.Key(), it.Value()
		c.KVBytes += int64(len(k) + len(v))
		if len(k) == 0 {
			continue
		}
		switch k[0] {
		case prefixDoc:
			c.Documents++
			c.DocBytes += int64(len(k) + len(v))
		case prefixID:
			c.DocBytes += int64(len(k) + len(v))
		case prefixDeleted:
			c.DeletedPending++
		case prefixPostings:
			_, _, last, good := parseChunkKey(k)
			if !good {
				return c, kv.Corruptf("", -1, "invertedindex: bad chunk key %q", k)
			}
			if err := parseChunk(&ch, last, v); err != nil {
				return c, err
			}
			c.Chunks++
			c.Postings += int64(ch.n)
			c.ChunkKeyBytes += int64(len(k))
			c.ChunkValueBytes += int64(len(v))
			p := k[:len(k)-8]
			if !bytes.Equal(p, prev) {
				c.Terms++
				prev = append(prev[:0], p...)
			}
		}
	}
	if err := it.Err(); err != nil {
		return c, fmt.Errorf("invertedindex: census: %w", err)
	}
	return c, nil
}
