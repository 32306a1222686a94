package trie

import (
	"bytes"
	"fmt"
)

// Stats describes a trie's shape and memory.
type Stats struct {
	// Keys is the number of keys.
	Keys int
	// Nodes is the number of live nodes, the root included.
	Nodes int
	// MaxDepth is the largest number of edges from the root to a node.
	MaxDepth int
	// AvgKeyDepth is the mean number of edges from the root to a key.
	AvgKeyDepth float64
	// LabelBytes is the total length of the live edge labels.
	LabelBytes int
	// ArenaBytes is the memory of the trie's arrays (nodes, labels, child
	// slots and free lists) at their current capacity.
	ArenaBytes int
	// GarbageBytes is the part of ArenaBytes that deletes and moves left
	// unused and that Compact would give back.
	GarbageBytes int
}

// nodeSize and slotSize are the bytes of one node and one child slot.
const (
	nodeSize = 32
	slotSize = 8 + 8
)

// Stats walks the trie and returns its shape.
func (t *Trie) Stats() Stats {
	s := Stats{Keys: t.count}
	type item struct {
		x     uint32
		depth int
	}
	stack := []item{{0, 0}}
	var depthSum int
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		n := &t.nodes[it.x]
		s.Nodes++
		s.LabelBytes += int(n.labLen)
		s.MaxDepth = max(s.MaxDepth, it.depth)
		if n.flags&hasValue != 0 {
			depthSum += it.depth
		}
		for s := n.kids; s < n.kids+uint32(n.nkids); s++ {
			stack = append(stack, item{t.slotNode(s), it.depth + 1})
		}
	}
	if t.count > 0 {
		s.AvgKeyDepth = float64(depthSum) / float64(t.count)
	}
	free := 0
	for _, fl := range t.freeKids {
		free += cap(fl) * 4
	}
	s.ArenaBytes = cap(t.nodes)*nodeSize + cap(t.labels) + cap(t.slots)*8 + cap(t.kidMax)*8 +
		cap(t.freeNodes)*4 + free
	s.GarbageBytes = s.ArenaBytes - (s.Nodes*nodeSize + s.LabelBytes + (s.Nodes-1)*slotSize)
	return s
}

// Compact rewrites the trie's arrays without the garbage that deletes
// leave and without spare capacity, in preorder (which also makes walks
// faster). It costs about as much as a Decode.
func (t *Trie) Compact() {
	b, _ := t.AppendBinary(make([]byte, 0, t.sizeHint()))
	if err := t.decode(b); err != nil {
		panic(fmt.Sprintf("trie: Compact: own encoding does not decode: %v", err))
	}
}

// Check verifies the trie's invariants — children sorted by distinct first
// bytes that match their labels, every non-root node labelled, no key-less
// node with fewer than two children but the root, recorded subtree maxima
// exact, the key count right — and returns the first violation found. It is
// meant for tests; a trie built through this package's methods always
// passes.
func (t *Trie) Check() error {
	count := 0
	seen := make(map[uint32]bool)
	var walk func(x uint32, path []byte) (uint64, error)
	walk = func(x uint32, path []byte) (uint64, error) {
		if seen[x] {
			return 0, fmt.Errorf("node %d reached twice", x)
		}
		seen[x] = true
		n := &t.nodes[x]
		if x != 0 && n.labLen == 0 {
			return 0, fmt.Errorf("node %d under %q: empty label", x, path)
		}
		if n.flags&hasValue != 0 {
			count++
		} else if x != 0 && n.nkids < 2 {
			return 0, fmt.Errorf("node %d at %q: no key and %d children", x, path, n.nkids)
		}
		var m uint64
		if n.flags&hasValue != 0 {
			m = n.weight
		}
		for s := n.kids; s < n.kids+uint32(n.nkids); s++ {
			c := t.slotNode(s)
			lab := t.label(c)
			if len(lab) == 0 || t.slotByte(s) != lab[0] {
				return 0, fmt.Errorf("node %d at %q: slot byte %q does not start label %q", x, path, t.slotByte(s), lab)
			}
			if s > n.kids && t.slotByte(s-1) >= t.slotByte(s) {
				return 0, fmt.Errorf("node %d at %q: children out of order", x, path)
			}
			cm, err := walk(c, append(bytes.Clone(path), lab...))
			if err != nil {
				return 0, err
			}
			if t.kidMax[s] != cm {
				return 0, fmt.Errorf("node %d at %q: recorded max %d, subtree max %d", c, append(bytes.Clone(path), lab...), t.kidMax[s], cm)
			}
			m = max(m, cm)
		}
		return m, nil
	}
	m, err := walk(0, nil)
	if err != nil {
		return err
	}
	if m != t.rootMax {
		return fmt.Errorf("root max %d, want %d", t.rootMax, m)
	}
	if count != t.count {
		return fmt.Errorf("Len %d, counted %d keys", t.count, count)
	}
	return nil
}
