package invertedindex

import (
	"bytes"
	"encoding/binary"
)

// Key prefixes: the first byte of every key the index writes. The layout is
// specified in docs/format/invertedindex.md.
const (
	prefixMeta     = 'm' // "m": the index's metadata (JSON)
	prefixStats    = 's' // "s": collection statistics
	prefixID       = 'i' // "i" id: the document number of a live document
	prefixDoc      = 'd' // "d" docnum: the document record
	prefixDeleted  = 'x' // "x" docnum: a deleted document whose postings are not yet merged away
	prefixPostings = 'p' // "p" field term 0x00 lastdoc: a posting chunk
)

var (
	metaKey  = []byte{prefixMeta}
	statsKey = []byte{prefixStats}
)

func idKey(id string) []byte {
	k := make([]byte, 0, 1+len(id))
	return append(append(k, prefixID), id...)
}

func docKey(doc uint64) []byte {
	return binary.BigEndian.AppendUint64([]byte{prefixDoc}, doc)
}

func deletedKey(doc uint64) []byte {
	return binary.BigEndian.AppendUint64([]byte{prefixDeleted}, doc)
}

// termPrefix returns "p" field term 0x00: the prefix of every chunk key of
// the term.
func termPrefix(dst []byte, field uint32, term string) []byte {
	dst = append(dst, prefixPostings)
	dst = binary.AppendUvarint(dst, uint64(field))
	dst = append(dst, term...)
	return append(dst, 0)
}

// chunkKey returns the key of the term's chunk whose last document is last.
func chunkKey(dst []byte, field uint32, term string, last uint64) []byte {
	return binary.BigEndian.AppendUint64(termPrefix(dst, field, term), last)
}

// fieldPrefix returns "p" field: the prefix of every chunk of the field.
func fieldPrefix(field uint32) []byte {
	return binary.AppendUvarint([]byte{prefixPostings}, uint64(field))
}

// parseChunkKey splits a chunk key into its field, term and last document.
func parseChunkKey(k []byte) (field uint32, term []byte, last uint64, ok bool) {
	if len(k) < 1+1+1+8 || k[0] != prefixPostings {
		return 0, nil, 0, false
	}
	f, n := binary.Uvarint(k[1:])
	if n <= 0 || f > 1<<31 {
		return 0, nil, 0, false
	}
	rest := k[1+n:]
	if len(rest) < 9 || rest[len(rest)-9] != 0 {
		return 0, nil, 0, false
	}
	term = rest[:len(rest)-9]
	if bytes.IndexByte(term, 0) >= 0 {
		return 0, nil, 0, false
	}
	return uint32(f), term, binary.BigEndian.Uint64(rest[len(rest)-8:]), true
}

// prefixEnd returns the smallest key greater than every key with prefix p,
// or nil if there is none.
func prefixEnd(p []byte) []byte {
	end := bytes.Clone(p)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] != 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}
