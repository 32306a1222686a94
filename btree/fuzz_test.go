package btree

import (
	"bytes"
	"testing"
)

// FuzzPage feeds arbitrary bytes to the leaf/branch, overflow and free-list
// page decoders: they must return an error or a node that encodes back to
// a page that decodes to the same cells, never panic. A page the
// structural check (checkNodePage) accepts is also read in place, as
// readers do (pageView): it must give the decoder's cells and search
// without panicking.
func FuzzPage(f *testing.F) {
	const ps = MinPageSize
	leaf := &node{pgno: 3, leaf: true, keys: [][]byte{[]byte("a"), []byte("bb"), []byte("c")},
		vals: [][]byte{[]byte("1"), nil, nil}, ovf: []ovfRef{{}, {pg: 9, n: 5000}, {pg: 20, n: 4096, raw: true, sum: 0xdeadbeef}}}
	leaf.size = leaf.computeSize()
	branch := &node{pgno: 3, keys: [][]byte{[]byte("m")}, kids: []pgid{4, 5}}
	branch.size = branch.computeSize()
	for _, n := range []*node{leaf, branch} {
		p := make([]byte, ps)
		encodeNode(n, p)
		f.Add(p)
	}
	p := make([]byte, ps)
	encodeFreelist(p, 3, 7, []pgid{1, 2})
	f.Add(p)
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) != ps {
			if len(data) > ps {
				data = data[:ps]
			} else {
				data = append(data, make([]byte, ps-len(data))...)
			}
		}
		// The structural decoder runs on unverified bytes (the checksum
		// would reject almost every mutation before it).
		n, err := decodeNodeBody(data, 3)
		if _, cerr := checkNodePage(data, 3); (cerr == nil) != (err == nil) {
			t.Fatalf("checkNodePage says %v, decodeNodeBody %v", cerr, err)
		}
		if err == nil {
			v := pageView(data)
			if v.count() != len(n.keys) || v.leaf() != n.leaf {
				t.Fatalf("view sees %d cells (leaf %v), node %d (%v)", v.count(), v.leaf(), len(n.keys), n.leaf)
			}
			for i := range n.keys {
				if !bytes.Equal(v.key(i), n.keys[i]) {
					t.Fatalf("view key %d differs", i)
				}
				if n.leaf {
					val, ref := v.value(i)
					if ref != n.ovf[i] || !bytes.Equal(val, n.vals[i]) {
						t.Fatalf("view value %d differs", i)
					}
				} else if v.child(i) != n.kids[i] {
					t.Fatalf("view child %d differs", i)
				}
				v.search(n.keys[i])
			}
			v.search([]byte("m"))
		}
		if err == nil {
			out := make([]byte, ps)
			encodeNode(n, out)
			m, err := decodeNode(out, 3)
			if err != nil {
				t.Fatalf("re-encoded page does not decode: %v", err)
			}
			if len(m.keys) != len(n.keys) || m.leaf != n.leaf {
				t.Fatalf("round trip changed the page: %d/%v vs %d/%v", len(m.keys), m.leaf, len(n.keys), n.leaf)
			}
			for i := range n.keys {
				if !bytes.Equal(m.keys[i], n.keys[i]) {
					t.Fatalf("key %d changed in a round trip", i)
				}
			}
		}
		sealPage(data)
		_, _ = decodeNode(data, 3)
		_, _ = decodeOverflow(data, 3)
		_, _, _ = decodeFreelist(data, 3)
	})
}

// FuzzMeta feeds arbitrary bytes to the meta page decoder: a valid meta
// must re-encode to the same bytes.
func FuzzMeta(f *testing.F) {
	m := meta{pageSize: 4096, checkpoint: 7, root: 3, height: 2, freelist: 5, pageCount: 10, walNum: 7, keys: 4}
	f.Add(m.encode())
	f.Add(make([]byte, metaSize))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := decodeMeta(data)
		if err != nil {
			return
		}
		if enc := got.encode(); !bytes.Equal(enc, data[:metaSize]) {
			t.Fatalf("meta round trip differs")
		}
	})
}
