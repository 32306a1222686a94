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
	leaf := &node{pgno: 3, leaf: true, size: pageHeaderSize}
	leaf.setLeaf(0, true, []byte("a"), []byte("1"), ovfRef{})
	leaf.setLeaf(1, true, []byte("bb"), nil, ovfRef{pg: 9, n: 5000})
	leaf.setLeaf(2, true, []byte("c"), nil, ovfRef{pg: 20, n: 4096, raw: true, sum: 0xdeadbeef})
	branch := &node{pgno: 3, size: pageHeaderSize, kids: []pgid{4}}
	branch.insertSep(0, []byte("m"), 5)
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
			if v.count() != n.count() || v.leaf() != n.leaf {
				t.Fatalf("view sees %d cells (leaf %v), node %d (%v)", v.count(), v.leaf(), n.count(), n.leaf)
			}
			sameCells(t, "view", n, page{v: v, f: -1})
			for i := range n.count() {
				v.search(n.key(i))
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
			if m.count() != n.count() || m.leaf != n.leaf || m.size != n.size {
				t.Fatalf("round trip changed the page: %d/%v/%d vs %d/%v/%d", m.count(), m.leaf, m.size, n.count(), n.leaf, n.size)
			}
			sameCells(t, "round trip", n, page{n: m, f: -1})
		}
		sealPage(data)
		_, _ = decodeNode(data, 3)
		_, _ = decodeOverflow(data, 3)
		_, _, _ = decodeFreelist(data, 3)
	})
}

// sameCells fails unless p holds n's cells: keys, values, overflow
// references and children.
func sameCells(t *testing.T, what string, n *node, p page) {
	t.Helper()
	for i := range n.count() {
		if !bytes.Equal(p.key(i), n.key(i)) {
			t.Fatalf("%s: key %d differs", what, i)
		}
		if n.leaf {
			pv, pref := p.value(i)
			nv, nref := n.value(i)
			if pref != nref || !bytes.Equal(pv, nv) {
				t.Fatalf("%s: value %d differs", what, i)
			}
		}
	}
	if !n.leaf {
		for i := range n.count() + 1 {
			if p.child(i) != n.kids[i] {
				t.Fatalf("%s: child %d differs", what, i)
			}
		}
	}
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
