package memtable

import (
	"fmt"

	"github.com/kvlab/kvlab/internal/base"
)

// HeadSize is the arena bytes of the head node.
const HeadSize = maxHeight*linkSize + nodeHeaderSize + 4 // aligned to 8

// MaxHeight is the tallest tower.
const MaxHeight = maxHeight

// NodeSize returns the arena bytes of an entry with a tower of height h:
// its node and its value.
func NodeSize(h, ukeyLen, valLen int) int64 {
	return int64(nodeSize(h, ukeyLen+base.TrailerLen) + valLen)
}

// HeightOf returns the tower height of the node holding internal key ik, or 0.
func (m *Memtable) HeightOf(ik []byte) int {
	ukey, trailer := split(ik)
	_, n := m.sl.seek(ukey, trailer)
	t := m.sl.makeTarget(ukey, trailer)
	if n == 0 || m.sl.compare(n, &t) != 0 {
		return 0
	}
	return m.sl.nodeHeight(n)
}

// SetSlotLimit caps the arena at n slots of its chunk size, to reach ErrFull
// in a test.
func (m *Memtable) SetSlotLimit(n uint32) { m.sl.a.limit = n }

// Chunks returns the number of arena slots in use.
func (m *Memtable) Chunks() int { return int(m.sl.a.free) }

// CheckInvariants walks every level of the skiplist and checks that it is
// sorted, that each level is a sublist of the one below, that towers are tall
// enough for the levels they are linked at, and that the entry count and the
// arena bytes in use match the nodes. Only call it with no writer running.
func (m *Memtable) CheckInvariants() error {
	s := &m.sl
	h := int(s.height.Load())
	if h < 1 || h > maxHeight {
		return fmt.Errorf("list height %d", h)
	}
	for level := h; level < maxHeight; level++ {
		if nx := s.next(headAddr, level); nx != 0 {
			return fmt.Errorf("head links level %d above list height %d", level, h)
		}
	}
	below := map[uint32]bool{}
	for level := 0; level < h; level++ {
		here := map[uint32]bool{}
		var prev uint32
		for n := s.next(headAddr, level); n != 0; n = s.next(n, level) {
			if nh := s.nodeHeight(n); nh <= level || nh > maxHeight {
				return fmt.Errorf("node %s of height %d linked at level %d", base.Format(s.key(n)), nh, level)
			}
			if prev != 0 && base.Compare(s.key(prev), s.key(n)) >= 0 {
				return fmt.Errorf("level %d: %s before %s", level, base.Format(s.key(prev)), base.Format(s.key(n)))
			}
			if level > 0 && !below[n] {
				return fmt.Errorf("level %d: node %s missing from level %d", level, base.Format(s.key(n)), level-1)
			}
			here[n] = true
			prev = n
		}
		if level == 0 {
			if len(here) != m.Len() {
				return fmt.Errorf("level 0 holds %d nodes, Len says %d", len(here), m.Len())
			}
			size := int64(HeadSize)
			for n := range here {
				size += int64(s.size(n))
			}
			if got := m.ApproximateSize(); got != size {
				return fmt.Errorf("ApproximateSize %d, nodes hold %d", got, size)
			}
		}
		below = here
	}
	return nil
}
