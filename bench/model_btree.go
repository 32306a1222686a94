package bench

import (
	"encoding/binary"
	"fmt"
	"math"
)

// The B+tree layout the model assumes, after docs/format/btree.md.
const (
	btreePageHeader   = 32 // bytes at the start of every page
	btreeSlot         = 2  // slot array entry per cell
	btreeChildPointer = 8  // a branch cell's child page number
	// btreeRecordHeader is the header of the btree's WAL record: the
	// batch's operation count (docs/format/btree.md, "Log records").
	btreeRecordHeader = 4
)

// randomFill is the expected fill of B+tree pages that split in half under
// random insertions: ln 2 (Yao, "On random 2-3 trees", 1978).
var randomFill = math.Ln2

// btreeDefaults are the btree engine's defaults (btree.DefaultOptions),
// used when ModelInput.Defaults does not give them: the runner passes the
// registered engine's own, so these serve only programs that benchmark an
// unregistered btree through Config.OpenEngine.
var btreeDefaults = map[string]string{"page-size": "4KiB", "pool-size": "256MiB", "checkpoint-size": "64MiB"}

// BTreeShape is the shape of a B+tree the model predicts.
type BTreeShape struct {
	// PagesPerLevel are the pages of each level, leaves first, root last.
	PagesPerLevel []float64
	// LeafCell and BranchCell are the bytes of one cell with its slot.
	LeafCell, BranchCell float64
	// Fanout is the children of a branch page.
	Fanout float64
}

// Height is the number of levels, leaves included.
func (s BTreeShape) Height() int { return len(s.PagesPerLevel) }

// Pages is the total number of pages.
func (s BTreeShape) Pages() float64 {
	t := 0.0
	for _, p := range s.PagesPerLevel {
		t += p
	}
	return t
}

// DirtyPages is the expected number of distinct pages that n uniformly
// random updates dirty: a level of P pages has each page missed by all n
// with probability (1 − 1/P)^n ≈ e^(−n/P), so P·(1 − e^(−n/P)) are dirty;
// a branch page is dirty when any page below it is (copy-on-write rewrites
// the path), which for random keys is the same formula on its level.
func (s BTreeShape) DirtyPages(n float64) float64 {
	t := 0.0
	for _, p := range s.PagesPerLevel {
		t += p * (1 - math.Exp(-n/p))
	}
	return t
}

// PredictBTreeShape returns the shape of a B+tree of keys entries of
// keySize-byte keys and valueSize-byte values in pageSize-byte pages filled
// to fill (0 < fill ≤ 1), except the root, which may fill up before it
// splits.
func PredictBTreeShape(keys float64, keySize int, valueSize float64, pageSize int, fill float64) BTreeShape {
	full := float64(pageSize - btreePageHeader)
	usable := full * fill
	s := BTreeShape{
		LeafCell:   1 + float64(uvarintLen(uint64(keySize))+uvarintLen(uint64(valueSize))) + float64(keySize) + valueSize + btreeSlot,
		BranchCell: btreeChildPointer + float64(uvarintLen(uint64(keySize))+keySize) + btreeSlot,
	}
	s.Fanout = max(math.Floor(usable/s.BranchCell), 2)
	// A page splits only when it is full: a lone leaf holds up to a full
	// page of cells, and a root up to a full page of children, before the
	// tree grows a level.
	pages := 1.0
	if bytes := max(keys, 1) * s.LeafCell; bytes > full {
		pages = math.Ceil(bytes / usable)
	}
	s.PagesPerLevel = append(s.PagesPerLevel, pages)
	for pages > 1 {
		if pages <= math.Floor(full/s.BranchCell) {
			pages = 1
		} else {
			pages = math.Ceil(pages / s.Fanout)
		}
		s.PagesPerLevel = append(s.PagesPerLevel, pages)
	}
	return s
}

// PredictBTree is the cost model of the btree engine under uniformly
// random updates, from its settings page-size, pool-size and
// checkpoint-size.
//
// The tree: N = live / (key + value) entries in leaves filled to ln 2
// (random insertions split pages in half), a branch fanout of the usable
// page over a branch cell, levels up to a single root (PredictBTreeShape).
//
// Writes: every update appends its key and value and about 3 bytes to the
// WAL, plus its share of the 11-byte record header (whole when single
// writes are logged one by one, 1/100 of it in load batches of 100). A
// checkpoint runs when the WAL passes checkpoint-size or the dirty pages
// fill half the pool, so a checkpoint interval is n = min(checkpoint-size /
// WAL bytes per update, the n at which DirtyPages(n) reaches half the
// pool's pages) updates, and it writes DirtyPages(n) pages plus a meta page:
//
//	WriteAmp = (n × WAL bytes per update + page-size × (DirtyPages(n) + 1)) / (n × (key + value))
//
// Reads: a Get touches Height pages. Space: the pages file holds the tree
// and the DirtyPages(n) pages that the last checkpoint freed (copy-on-write),
// beside half a checkpoint interval of WAL on average and two meta pages.
func PredictBTree(in ModelInput) (*Model, error) {
	if in.Defaults == nil {
		in.Defaults = btreeDefaults
	}
	pageSize, err := in.sizeSetting("page-size", btreeDefaults["page-size"])
	if err != nil {
		return nil, err
	}
	pool, err := in.sizeSetting("pool-size", btreeDefaults["pool-size"])
	if err != nil {
		return nil, err
	}
	ckpt, err := in.sizeSetting("checkpoint-size", btreeDefaults["checkpoint-size"])
	if err != nil {
		return nil, err
	}
	if pageSize <= btreePageHeader || ckpt <= 0 {
		return nil, fmt.Errorf("bench: model: btree page size %d, checkpoint size %d", pageSize, ckpt)
	}
	entry := in.entryBytes()
	live := float64(max(in.LiveBytes, 1))
	keys := live / entry
	shape := PredictBTreeShape(keys, in.KeySize, in.ValueSize, int(pageSize), randomFill)
	walPerUpdate := in.walBytesPerOp(btreeRecordHeader)
	n := BTreeCheckpointInterval(shape, walPerUpdate, float64(pool)/float64(pageSize), float64(ckpt))
	dirty := shape.DirtyPages(n)
	ps := float64(pageSize)
	m := &Model{
		Basis:        "B+tree checkpoints",
		WriteAmp:     (n*walPerUpdate + ps*(dirty+1)) / (n * entry),
		BlocksPerGet: float64(shape.Height()),
		SpaceAmp:     ((shape.Pages()+dirty+2)*ps + n*walPerUpdate/2) / live,
		Levels:       shape.Height(),
	}
	w := float64(in.UserBytesWritten)
	switch {
	case w <= 0:
	case w/entry < n:
		m.Transient = fmt.Sprintf("the phase made %.0f writes, fewer than one checkpoint interval (%.0f writes, %s of WAL), so what it measured depends on whether a checkpoint fell inside it: without one the changed pages stay in the pool, with one it also writes those changed before the phase",
			w/entry, n, size(n*walPerUpdate))
	case float64(in.LiveBytesBefore) < live/2:
		m.Transient = fmt.Sprintf("the tree grew from %s to %s during the phase: inserts split pages, the model counts updates of a tree of the final size",
			sizeOrEmpty(float64(in.LiveBytesBefore)), size(live))
	}
	return m, nil
}

// BTreeCheckpointInterval returns the updates between two checkpoints: the
// fewer of those that fill the WAL to checkpointBytes and those that dirty
// half of poolPages (at least 16 frames, as the engine's pool).
func BTreeCheckpointInterval(s BTreeShape, walPerUpdate, poolPages, checkpointBytes float64) float64 {
	n := checkpointBytes / walPerUpdate
	limit := max(poolPages, 16) / 2
	if s.DirtyPages(n) <= limit {
		return max(n, 1)
	}
	// DirtyPages grows with n: bisect for DirtyPages(n) = limit.
	lo, hi := 0.0, n
	for range 100 {
		mid := (lo + hi) / 2
		if s.DirtyPages(mid) < limit {
			lo = mid
		} else {
			hi = mid
		}
	}
	return max(hi, 1)
}

// uvarintLen is the length of x as an encoding/binary unsigned varint.
func uvarintLen(x uint64) int {
	var b [binary.MaxVarintLen64]byte
	return binary.PutUvarint(b[:], x)
}
