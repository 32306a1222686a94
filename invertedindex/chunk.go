package invertedindex

import (
	"encoding/binary"
	"math"

	"github.com/kvlab/kvlab/kv"
)

// ChunkSize is the most postings one chunk holds. Merging fills chunks up to
// it; a batch writes one possibly shorter chunk per term per ChunkSize
// documents.
const ChunkSize = 128

// posting is one document's occurrences of a term in a field.
type posting struct {
	doc uint64
	len uint32   // the field's length in tokens, for BM25
	pos []uint32 // positions, increasing; len(pos) is the term frequency
}

// appendChunk encodes postings (at least one, in increasing doc order) as a
// chunk value (docs/format/invertedindex.md) and appends it to dst.
func appendChunk(dst []byte, ps []posting) []byte {
	first, last := ps[0].doc, ps[len(ps)-1].doc
	maxTF, minLen := uint32(0), uint32(math.MaxUint32)
	var docs, freqs, lens []byte
	var pbuf [binary.MaxVarintLen64]byte
	for i, p := range ps {
		if i > 0 {
			docs = binary.AppendUvarint(docs, p.doc-ps[i-1].doc)
		}
		freqs = binary.AppendUvarint(freqs, uint64(len(p.pos)))
		lens = binary.AppendUvarint(lens, uint64(p.len))
		maxTF = max(maxTF, uint32(len(p.pos)))
		minLen = min(minLen, p.len)
	}
	dst = binary.AppendUvarint(dst, uint64(len(ps)))
	dst = binary.AppendUvarint(dst, last-first)
	dst = binary.AppendUvarint(dst, uint64(maxTF))
	dst = binary.AppendUvarint(dst, uint64(minLen))
	dst = binary.AppendUvarint(dst, uint64(len(docs)))
	dst = binary.AppendUvarint(dst, uint64(len(freqs)))
	dst = binary.AppendUvarint(dst, uint64(len(lens)))
	dst = append(dst, docs...)
	dst = append(dst, freqs...)
	dst = append(dst, lens...)
	for _, p := range ps {
		prev := uint32(0)
		for j, x := range p.pos {
			d := x
			if j > 0 {
				d = x - prev
			}
			n := binary.PutUvarint(pbuf[:], uint64(d))
			dst = append(dst, pbuf[:n]...)
			prev = x
		}
	}
	return dst
}

// chunk is a parsed chunk header with its sections, decoded on demand.
type chunk struct {
	last, first  uint64
	n            int
	maxTF        uint32
	minLen       uint32
	docsB        []byte
	freqsB       []byte
	lensB        []byte
	posB         []byte
	docsDecoded  bool
	statsDecoded bool
	posDecoded   bool
	docs         []uint64
	freqs        []uint32
	lens         []uint32
	posStart     []uint32 // posStart[i] is the index in pos of doc i's first position
	pos          []uint32
}

func chunkCorrupt(format string, args ...any) error {
	return kv.Corruptf("", -1, "invertedindex: chunk: "+format, args...)
}

// parseChunk parses the header of the chunk value v whose key names last as
// its last document. The sections are checked for length only; v is kept.
func parseChunk(c *chunk, last uint64, v []byte) error {
	*c = chunk{docs: c.docs[:0], freqs: c.freqs[:0], lens: c.lens[:0], posStart: c.posStart[:0], pos: c.pos[:0]}
	var h [7]uint64
	off := 0
	for i := range h {
		x, n := binary.Uvarint(v[off:])
		if n <= 0 {
			return chunkCorrupt("bad header varint %d", i)
		}
		h[i] = x
		off += n
	}
	count, span := h[0], h[1]
	if count == 0 || count > ChunkSize*1024 {
		return chunkCorrupt("count %d", count)
	}
	if span > last || (count == 1 && span != 0) || span < count-1 {
		return chunkCorrupt("span %d for %d documents ending at %d", span, count, last)
	}
	if h[2] == 0 || h[2] > math.MaxUint32 || h[3] > math.MaxUint32 {
		return chunkCorrupt("max tf %d, min length %d", h[2], h[3])
	}
	rest := uint64(len(v) - off)
	if h[4] > rest || h[5] > rest-h[4] || h[6] > rest-h[4]-h[5] {
		return chunkCorrupt("section lengths %d+%d+%d exceed %d bytes", h[4], h[5], h[6], rest)
	}
	c.last, c.first, c.n = last, last-span, int(count)
	c.maxTF, c.minLen = uint32(h[2]), uint32(h[3])
	c.docsB = v[off : off+int(h[4])]
	off += int(h[4])
	c.freqsB = v[off : off+int(h[5])]
	off += int(h[5])
	c.lensB = v[off : off+int(h[6])]
	off += int(h[6])
	c.posB = v[off:]
	return nil
}

// decodeDocs decodes the document numbers.
func (c *chunk) decodeDocs() error {
	if c.docsDecoded {
		return nil
	}
	docs := append(c.docs[:0], c.first)
	b := c.docsB
	d := c.first
	for i := 1; i < c.n; i++ {
		g, n := binary.Uvarint(b)
		if n <= 0 || g == 0 || g > c.last-d {
			return chunkCorrupt("doc gap %d at %d", i, d)
		}
		b = b[n:]
		d += g
		docs = append(docs, d)
	}
	if d != c.last || len(b) != 0 {
		return chunkCorrupt("docs end at %d, key says %d (%d bytes left)", d, c.last, len(b))
	}
	c.docs, c.docsDecoded = docs, true
	return nil
}

// decodeStats decodes term frequencies and field lengths.
func (c *chunk) decodeStats() error {
	if c.statsDecoded {
		return nil
	}
	freqs, lens := c.freqs[:0], c.lens[:0]
	fb, lb := c.freqsB, c.lensB
	var maxTF uint32
	minLen := uint32(math.MaxUint32)
	for i := 0; i < c.n; i++ {
		f, n := binary.Uvarint(fb)
		if n <= 0 || f == 0 || f > math.MaxUint32 {
			return chunkCorrupt("term frequency %d", i)
		}
		fb = fb[n:]
		l, m := binary.Uvarint(lb)
		if m <= 0 || l > math.MaxUint32 {
			return chunkCorrupt("field length %d", i)
		}
		lb = lb[m:]
		freqs = append(freqs, uint32(f))
		lens = append(lens, uint32(l))
		maxTF = max(maxTF, uint32(f))
		minLen = min(minLen, uint32(l))
	}
	if len(fb) != 0 || len(lb) != 0 {
		return chunkCorrupt("trailing bytes in frequencies or lengths")
	}
	if maxTF != c.maxTF || minLen != c.minLen {
		return chunkCorrupt("header says max tf %d, min length %d; postings say %d, %d", c.maxTF, c.minLen, maxTF, minLen)
	}
	c.freqs, c.lens, c.statsDecoded = freqs, lens, true
	return nil
}

// decodePositions decodes every document's positions.
func (c *chunk) decodePositions() error {
	if c.posDecoded {
		return nil
	}
	if err := c.decodeStats(); err != nil {
		return err
	}
	b := c.posB
	starts, pos := c.posStart[:0], c.pos[:0]
	for i := 0; i < c.n; i++ {
		starts = append(starts, uint32(len(pos)))
		var p uint64
		for j := uint32(0); j < c.freqs[i]; j++ {
			g, n := binary.Uvarint(b)
			if n <= 0 || (j > 0 && g == 0) || p+g > math.MaxUint32 {
				return chunkCorrupt("position %d of posting %d", j, i)
			}
			b = b[n:]
			p += g
			pos = append(pos, uint32(p))
		}
	}
	if len(b) != 0 {
		return chunkCorrupt("%d trailing bytes after positions", len(b))
	}
	starts = append(starts, uint32(len(pos)))
	c.posStart, c.pos, c.posDecoded = starts, pos, true
	return nil
}

// decodeAll decodes every section.
func (c *chunk) decodeAll() error {
	if err := c.decodeDocs(); err != nil {
		return err
	}
	return c.decodePositions()
}

// postings returns the chunk's postings (decodeAll must have succeeded);
// positions alias the chunk.
func (c *chunk) postings(dst []posting) []posting {
	for i := 0; i < c.n; i++ {
		dst = append(dst, posting{doc: c.docs[i], len: c.lens[i], pos: c.pos[c.posStart[i]:c.posStart[i+1]]})
	}
	return dst
}
