package trie

import "math"

// Put stores value under key, inserting the key with weight 0 when it is
// new and keeping its weight when it is not. It reports whether the key was
// new. The trie copies what it needs of key.
func (t *Trie) Put(key []byte, value uint64) (added bool) {
	x, added := t.insert(key)
	t.nodes[x].value = value
	return added
}

// PutEntry stores e (value and weight) under key and reports whether the
// key was new.
func (t *Trie) PutEntry(key []byte, e Entry) (added bool) {
	x, added := t.insert(key)
	n := &t.nodes[x]
	n.value = e.Value
	if n.weight != e.Weight {
		n.weight = e.Weight
		t.fixUp(t.path)
	}
	return added
}

// SetWeight sets the weight of an existing key and reports whether the key
// was found. The heaviest-below bookkeeping TopK relies on is updated on the
// key's path.
func (t *Trie) SetWeight(key []byte, weight uint64) bool {
	if !t.findPath(key) {
		return false
	}
	x := t.path[len(t.path)-1]
	if t.nodes[x].weight != weight {
		t.nodes[x].weight = weight
		t.fixUp(t.path)
	}
	return true
}

// AddWeight adds delta to key's weight (saturating at the largest uint64),
// inserting the key with value 0 when it is absent, and returns the new
// weight. Counting occurrences — a query log, a corpus — is a loop of
// AddWeight(word, 1).
func (t *Trie) AddWeight(key []byte, delta uint64) uint64 {
	x, _ := t.insert(key)
	n := &t.nodes[x]
	w := n.weight + delta
	if w < n.weight {
		w = math.MaxUint64
	}
	if w != n.weight {
		n.weight = w
		t.fixUp(t.path)
	}
	return w
}

// Delete removes key and reports whether it was there. A node left without
// a value and with one child is merged into that child, and one left with
// neither is removed, so the trie stays compressed.
func (t *Trie) Delete(key []byte) bool {
	if !t.findPath(key) {
		return false
	}
	path := t.path
	x := path[len(path)-1]
	n := &t.nodes[x]
	n.flags &^= hasValue
	n.value, n.weight = 0, 0
	t.count--
	if x != 0 {
		p := path[len(path)-2]
		switch n.nkids {
		case 0:
			t.removeKid(p, x)
			t.freeNode(x)
			path = path[:len(path)-1]
			if p != 0 && t.nodes[p].flags&hasValue == 0 && t.nodes[p].nkids == 1 {
				path[len(path)-1] = t.merge(path[len(path)-2], p)
			}
		case 1:
			path[len(path)-1] = t.merge(p, x)
		}
	}
	t.fixUp(path)
	t.path = path
	t.maybeCompactLabels()
	return true
}

// findPath sets t.path to the nodes from the root to key's node and
// reports whether key is present.
func (t *Trie) findPath(key []byte) bool {
	path := append(t.path[:0], 0)
	x := uint32(0)
	for len(key) > 0 {
		slot, ok := t.child(x, key[0])
		if !ok {
			t.path = path
			return false
		}
		x = t.slotNode(slot)
		lab := t.label(x)
		if len(key) < len(lab) || string(key[:len(lab)]) != string(lab) {
			t.path = path
			return false
		}
		key = key[len(lab):]
		path = append(path, x)
	}
	t.path = path
	return t.nodes[x].flags&hasValue != 0
}

// insert finds or creates key's node, marks it as holding a value and
// leaves t.path holding the nodes from the root to it. A new key has value
// 0 and weight 0, so the maxima recorded on its path stay exact.
func (t *Trie) insert(key []byte) (x uint32, added bool) {
	if uint64(len(t.labels))+uint64(len(key)) > math.MaxUint32 {
		t.compactLabels()
		if uint64(len(t.labels))+uint64(len(key)) > math.MaxUint32 {
			panic("trie: more than 4 GiB of labels")
		}
	}
	path := append(t.path[:0], 0)
	for len(key) > 0 {
		slot, ok := t.child(x, key[0])
		if !ok {
			leaf := t.newLeaf(key)
			t.insertKid(x, leaf, 0)
			x = leaf
			path = append(path, x)
			break
		}
		c := t.slotNode(slot)
		lab := t.label(c)
		m := 1
		for m < len(lab) && m < len(key) && lab[m] == key[m] {
			m++
		}
		if m == len(lab) {
			x = c
			path = append(path, x)
			key = key[m:]
			continue
		}
		// Split c's edge after m bytes: y takes the first m, c keeps the rest.
		y := t.allocNode()
		cn := &t.nodes[c]
		t.nodes[y] = node{lab: cn.lab, labLen: uint32(m)}
		cn.lab += uint32(m)
		cn.labLen -= uint32(m)
		koff := t.allocKids(1)
		t.slots[koff] = makeSlot(c, t.labels[cn.lab])
		t.kidMax[koff] = t.kidMax[slot]
		t.nodes[y].kids = koff
		t.nodes[y].nkids = 1
		t.slots[slot] = makeSlot(y, t.slotByte(slot))
		x = y
		path = append(path, y)
		if m < len(key) {
			leaf := t.newLeaf(key[m:])
			t.insertKid(y, leaf, 0)
			x = leaf
			path = append(path, x)
		}
		break
	}
	t.path = path
	n := &t.nodes[x]
	if n.flags&hasValue == 0 {
		n.flags |= hasValue
		t.count++
		return x, true
	}
	return x, false
}

// fixUp restores the recorded subtree maxima after the weight or children
// of the last node of path changed. It stops as soon as a recorded maximum
// is already right: nothing above it can change then.
func (t *Trie) fixUp(path []uint32) {
	for i := len(path) - 1; i >= 1; i-- {
		c, p := path[i], path[i-1]
		m := t.nodeMax(c)
		slot, _ := t.child(p, t.labels[t.nodes[c].lab])
		if t.kidMax[slot] == m {
			return
		}
		t.kidMax[slot] = m
	}
	t.rootMax = t.nodeMax(0)
}

// newLeaf allocates a childless node labelled with a copy of lab.
func (t *Trie) newLeaf(lab []byte) uint32 {
	off := uint32(len(t.labels))
	t.labels = append(t.labels, lab...)
	x := t.allocNode()
	t.nodes[x] = node{lab: off, labLen: uint32(len(lab))}
	return x
}

func (t *Trie) allocNode() uint32 {
	if k := len(t.freeNodes); k > 0 {
		x := t.freeNodes[k-1]
		t.freeNodes = t.freeNodes[:k-1]
		return x
	}
	t.nodes = append(t.nodes, node{})
	return uint32(len(t.nodes) - 1)
}

func (t *Trie) freeNode(x uint32) {
	t.labGarbage += int(t.nodes[x].labLen)
	t.nodes[x] = node{}
	t.freeNodes = append(t.freeNodes, x)
}

// allocKids returns the first of n consecutive free slots.
func (t *Trie) allocKids(n uint32) uint32 {
	if n == 0 {
		return 0
	}
	if fl := t.freeKids[n]; len(fl) > 0 {
		off := fl[len(fl)-1]
		t.freeKids[n] = fl[:len(fl)-1]
		t.kidGarbage -= int(n)
		return off
	}
	off := uint32(len(t.slots))
	if uint64(off)+uint64(n) > math.MaxUint32 {
		panic("trie: more than 4G child slots")
	}
	for range n {
		t.slots = append(t.slots, 0)
		t.kidMax = append(t.kidMax, 0)
	}
	return off
}

func (t *Trie) freeKidRange(off, n uint32) {
	if n == 0 {
		return
	}
	t.freeKids[n] = append(t.freeKids[n], off)
	t.kidGarbage += int(n)
}

// insertKid adds c (whose label is set) to x's children with recorded
// maximum m, keeping them sorted. x's children move to a range one larger.
func (t *Trie) insertKid(x, c uint32, m uint64) {
	b := t.labels[t.nodes[c].lab]
	i := t.lowerKid(x, b)
	off, cnt := t.kidRange(x)
	no := t.allocKids(cnt + 1)
	copy(t.slots[no:no+i], t.slots[off:off+i])
	copy(t.kidMax[no:no+i], t.kidMax[off:off+i])
	t.slots[no+i], t.kidMax[no+i] = makeSlot(c, b), m
	copy(t.slots[no+i+1:no+cnt+1], t.slots[off+i:off+cnt])
	copy(t.kidMax[no+i+1:no+cnt+1], t.kidMax[off+i:off+cnt])
	t.freeKidRange(off, cnt)
	t.nodes[x].kids = no
	t.nodes[x].nkids = uint16(cnt + 1)
}

// removeKid drops child c from x's children.
func (t *Trie) removeKid(x, c uint32) {
	off, cnt := t.kidRange(x)
	slot, _ := t.child(x, t.labels[t.nodes[c].lab])
	i := slot - off
	no := t.allocKids(cnt - 1)
	copy(t.slots[no:no+i], t.slots[off:off+i])
	copy(t.kidMax[no:no+i], t.kidMax[off:off+i])
	copy(t.slots[no+i:no+cnt-1], t.slots[off+i+1:off+cnt])
	copy(t.kidMax[no+i:no+cnt-1], t.kidMax[off+i+1:off+cnt])
	t.freeKidRange(off, cnt)
	t.nodes[x].kids = no
	t.nodes[x].nkids = uint16(cnt - 1)
}

// merge folds y — not the root, no value, one child — into its child c,
// which takes y's place under p with the concatenated label. It returns c.
func (t *Trie) merge(p, y uint32) uint32 {
	yn := t.nodes[y]
	c := t.slotNode(yn.kids)
	slot, _ := t.child(p, t.labels[yn.lab])
	cn := &t.nodes[c]
	if yn.lab+yn.labLen == cn.lab {
		// The labels are still adjacent, as a split left them.
		cn.lab = yn.lab
		cn.labLen += yn.labLen
	} else {
		off := uint32(len(t.labels))
		t.labels = append(t.labels, t.labels[yn.lab:yn.lab+yn.labLen]...)
		t.labels = append(t.labels, t.labels[cn.lab:cn.lab+cn.labLen]...)
		t.labGarbage += int(yn.labLen + cn.labLen)
		cn.lab = off
		cn.labLen += yn.labLen
	}
	t.slots[slot] = makeSlot(c, t.slotByte(slot))
	t.freeKidRange(yn.kids, 1)
	t.nodes[y].labLen = 0 // its bytes now belong to c
	t.freeNode(y)
	return c
}

// maybeCompactLabels rewrites the label arena when most of it is garbage.
func (t *Trie) maybeCompactLabels() {
	if t.labGarbage > 1<<16 && t.labGarbage > len(t.labels)/2 {
		t.compactLabels()
	}
}

// compactLabels copies every live label into a fresh arena.
func (t *Trie) compactLabels() {
	fresh := make([]byte, 0, len(t.labels)-t.labGarbage)
	stack := []uint32{0}
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		n := &t.nodes[x]
		off := uint32(len(fresh))
		fresh = append(fresh, t.labels[n.lab:n.lab+n.labLen]...)
		n.lab = off
		for s := n.kids; s < n.kids+uint32(n.nkids); s++ {
			stack = append(stack, t.slotNode(s))
		}
	}
	t.labels = fresh
	t.labGarbage = 0
}
