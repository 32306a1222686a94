package invertedindex

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/kvlab/kvlab/kv"
)

// FormatVersion is the version of the layout in docs/format/invertedindex.md
// that this package writes and reads.
const FormatVersion = 1

// meta is the JSON value under the "m" key.
type meta struct {
	Version  int      `json:"version"`
	Analyzer string   `json:"analyzer"`
	Fields   []string `json:"fields"` // a field's number is its index here
}

// fieldStats are one text field's collection statistics over live documents.
type fieldStats struct {
	Docs   uint64 // live documents with the field
	SumLen uint64 // total length in tokens of the field in those documents
}

// stats is the value under the "s" key.
type stats struct {
	NextDoc      uint64 // the number the next added document gets
	LiveDocs     uint64
	Deleted      uint64 // "x" keys: deleted documents not yet merged away
	Postings     uint64 // postings in chunks, deleted documents' included
	Chunks       uint64 // chunk keys
	ChunksMerged uint64 // Chunks after the last merge
	Fields       []fieldStats
}

func appendUvarints(dst []byte, xs ...uint64) []byte {
	for _, x := range xs {
		dst = binary.AppendUvarint(dst, x)
	}
	return dst
}

func (s *stats) encode() []byte {
	b := appendUvarints(nil, FormatVersion, s.NextDoc, s.LiveDocs, s.Deleted, s.Postings, s.Chunks, s.ChunksMerged, uint64(len(s.Fields)))
	for _, f := range s.Fields {
		b = appendUvarints(b, f.Docs, f.SumLen)
	}
	return b
}

func corrupt(what string, format string, args ...any) error {
	return kv.Corruptf("", -1, "invertedindex: %s: %s", what, fmt.Sprintf(format, args...))
}

// reader decodes uvarints and byte strings, remembering the first error.
type reader struct {
	b   []byte
	bad bool
}

func (r *reader) uvarint() uint64 {
	x, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.bad = true
		r.b = nil
		return 0
	}
	r.b = r.b[n:]
	return x
}

func (r *reader) bytes() []byte {
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		r.bad = true
		r.b = nil
		return nil
	}
	p := r.b[:n]
	r.b = r.b[n:]
	return p
}

func decodeStats(v []byte) (stats, error) {
	r := reader{b: v}
	var s stats
	if ver := r.uvarint(); ver != FormatVersion && !r.bad {
		return s, corrupt("stats", "format version %d, want %d", ver, FormatVersion)
	}
	s.NextDoc, s.LiveDocs, s.Deleted, s.Postings = r.uvarint(), r.uvarint(), r.uvarint(), r.uvarint()
	s.Chunks, s.ChunksMerged = r.uvarint(), r.uvarint()
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		return s, corrupt("stats", "%d fields in %d bytes", n, len(r.b))
	}
	s.Fields = make([]fieldStats, n)
	for i := range s.Fields {
		s.Fields[i] = fieldStats{r.uvarint(), r.uvarint()}
	}
	if r.bad || len(r.b) != 0 {
		return s, corrupt("stats", "malformed value")
	}
	return s, nil
}

// docRecord is the value under a "d" key.
type docRecord struct {
	ID     string
	Text   []textField
	Stored []storedField
}

type textField struct {
	Field uint32
	Len   uint32 // tokens indexed
	Text  string
}

type storedField struct {
	Name, Value string
}

func (d *docRecord) encode(dst []byte) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(d.ID)))
	dst = append(dst, d.ID...)
	dst = binary.AppendUvarint(dst, uint64(len(d.Text)))
	for _, t := range d.Text {
		dst = appendUvarints(dst, uint64(t.Field), uint64(t.Len), uint64(len(t.Text)))
		dst = append(dst, t.Text...)
	}
	dst = binary.AppendUvarint(dst, uint64(len(d.Stored)))
	for _, s := range d.Stored {
		dst = binary.AppendUvarint(dst, uint64(len(s.Name)))
		dst = append(dst, s.Name...)
		dst = binary.AppendUvarint(dst, uint64(len(s.Value)))
		dst = append(dst, s.Value...)
	}
	return dst
}

// decodeDocRecord decodes a document record; nFields bounds field numbers.
func decodeDocRecord(v []byte, nFields int) (docRecord, error) {
	r := reader{b: v}
	var d docRecord
	d.ID = string(r.bytes())
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		return d, corrupt("document record", "%d text fields in %d bytes", n, len(r.b))
	}
	for i := uint64(0); i < n && !r.bad; i++ {
		f, l := r.uvarint(), r.uvarint()
		t := r.bytes()
		if f >= uint64(nFields) || l > uint64(len(t)) {
			return d, corrupt("document record", "text field %d of %d (length %d over %d bytes)", f, nFields, l, len(t))
		}
		if i > 0 && uint32(f) <= d.Text[i-1].Field {
			return d, corrupt("document record", "text fields out of order")
		}
		d.Text = append(d.Text, textField{uint32(f), uint32(l), string(t)})
	}
	n = r.uvarint()
	if n > uint64(len(r.b)) {
		return d, corrupt("document record", "%d stored fields in %d bytes", n, len(r.b))
	}
	for i := uint64(0); i < n && !r.bad; i++ {
		name := r.bytes()
		val := r.bytes()
		d.Stored = append(d.Stored, storedField{string(name), string(val)})
	}
	if r.bad || len(r.b) != 0 {
		return d, corrupt("document record", "malformed value")
	}
	return d, nil
}

func decodeMeta(v []byte) (meta, error) {
	var m meta
	if err := json.Unmarshal(v, &m); err != nil {
		return m, kv.Corruptf("", -1, "invertedindex: meta: %v", err)
	}
	if m.Version != FormatVersion {
		return m, corrupt("meta", "format version %d, want %d", m.Version, FormatVersion)
	}
	seen := map[string]bool{}
	for _, f := range m.Fields {
		if seen[f] || f == "" {
			return m, corrupt("meta", "field %q repeated or empty", f)
		}
		seen[f] = true
	}
	return m, nil
}

func (m *meta) encode() []byte {
	b, _ := json.Marshal(m)
	return b
}

// sortedKeys returns a map's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
