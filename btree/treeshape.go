package btree

import (
	"fmt"

	"github.com/kvlab/kvlab/vfs"
)

// FillBuckets is the number of buckets of TreeShape's fill-factor histograms:
// bucket i counts the pages whose used fraction lies in [i/10, (i+1)/10),
// the last one including 1.
const FillBuckets = 10

// TreeShape is a B+tree store's shape as its newest checkpoint left it on
// disk: pages per level, how full the pages are, and pages by type.
type TreeShape struct {
	// PageSize is the store's page size; Checkpoint the checkpoint read.
	PageSize   int
	Checkpoint uint64
	// Height is the tree's height (1: a lone leaf); Keys its keys.
	Height int
	Keys   uint64
	// LevelPages counts the pages at each depth, the root's first and the
	// leaves' last.
	LevelPages []int64
	// LeafFill and BranchFill are histograms of the used fraction of leaf
	// and branch pages (header, slots and cells over the page size).
	LeafFill, BranchFill [FillBuckets]int64
	// Pages by type: in the tree (Leaf, Branch, Overflow), holding the
	// free list (FreeList), free (Free), and the pages past the
	// checkpoint's end of file or neither in the tree nor free (Unused:
	// written since the checkpoint, or a crash's leftovers).
	Leaf, Branch, Overflow, FreeList, Free, Unused int64
	// FilePages is the pages file's length in pages.
	FilePages int64
}

// ReadShape reads the shape of the store in dir from its pages file,
// without opening the store: no lock is taken, nothing is written and no
// log is replayed, so writes made since the newest checkpoint are not in
// it (closing a store checkpoints it). It is the read-only source of
// `kvlab plot --shape`.
func ReadShape(fsys vfs.FS, dir string) (*TreeShape, error) {
	mf, err := fsys.Open(vfs.Join(dir, metaFileName), vfs.KindBTreeMeta)
	if err != nil {
		return nil, fmt.Errorf("btree: shape: %w", err)
	}
	slots, errs, err := readMetaSlots(mf)
	mf.Close()
	if err != nil {
		return nil, fmt.Errorf("btree: shape: %w", err)
	}
	m, found := newestMeta(slots, errs)
	if !found {
		return nil, fmt.Errorf("btree: shape of %s: no valid meta slot", dir)
	}
	pf, err := fsys.Open(vfs.Join(dir, pagesFileName), vfs.KindBTreePages)
	if err != nil {
		return nil, fmt.Errorf("btree: shape: %w", err)
	}
	defer pf.Close()
	size, err := pf.Size()
	if err != nil {
		return nil, fmt.Errorf("btree: shape: %w", err)
	}
	ps := int(m.pageSize)
	s := &TreeShape{PageSize: ps, Checkpoint: m.checkpoint, Height: int(m.height), Keys: m.keys, FilePages: size / int64(ps)}
	buf := make([]byte, ps)
	read := func(pg pgid) error {
		if _, err := pf.ReadAt(buf, int64(pg-1)*int64(ps)); err != nil {
			return fmt.Errorf("btree: shape of %s: page %d: %w", dir, pg, err)
		}
		return nil
	}
	fill := func(used int) int { return min(FillBuckets-1, used*FillBuckets/ps) }
	// Breadth first, a level at a time.
	level := []pgid{m.root}
	for depth := 0; len(level) > 0; depth++ {
		if depth > int(m.height) {
			return nil, fmt.Errorf("btree: shape of %s: deeper than the meta's height %d", dir, m.height)
		}
		s.LevelPages = append(s.LevelPages, int64(len(level)))
		var next []pgid
		for _, pg := range level {
			if err := read(pg); err != nil {
				return nil, err
			}
			n, err := decodeNode(buf, pg)
			if err != nil {
				return nil, fmt.Errorf("btree: shape of %s: %w", dir, err)
			}
			if n.leaf {
				s.Leaf++
				s.LeafFill[fill(n.size)]++
				for i := range n.count() {
					if _, ref := n.value(i); ref.pg != 0 {
						s.Overflow += int64(ref.pages(ps))
					}
				}
				continue
			}
			s.Branch++
			s.BranchFill[fill(n.size)]++
			next = append(next, n.kids...)
		}
		level = next
	}
	for pg := m.freelist; pg != 0; {
		if err := read(pg); err != nil {
			return nil, err
		}
		ids, nxt, err := decodeFreelist(buf, pg)
		if err != nil {
			return nil, fmt.Errorf("btree: shape of %s: %w", dir, err)
		}
		s.FreeList++
		s.Free += int64(len(ids))
		pg = nxt
	}
	// Page numbers start at 1: the file holds pages 1..FilePages.
	s.Unused = max(0, s.FilePages-s.Leaf-s.Branch-s.Overflow-s.FreeList-s.Free)
	return s, nil
}
