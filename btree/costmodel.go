package btree

import (
	"fmt"
	"math"

	"github.com/kvlab/kvlab/kv/costmodel"
)

// recordHeader is the header of the btree's WAL record beyond the batch:
// its operation count (docs/format/btree.md, "Log records").
const recordHeader = 4

// branchChildSize is a branch cell's child page number (a u64,
// docs/format/btree.md).
const branchChildSize = 8

// randomFill is the expected fill of B+tree pages that split in half under
// random insertions: ln 2 (Yao, "On random 2-3 trees", 1978).
var randomFill = math.Ln2

// Shape is the shape of a B+tree as the cost model predicts it
// (PredictShape).
type Shape struct {
	// PagesPerLevel are the pages of each level, leaves first, root last.
	PagesPerLevel []float64
	// LeafCell and BranchCell are the bytes of one cell with its slot.
	LeafCell, BranchCell float64
	// Fanout is the children of a branch page.
	Fanout float64
}

// Height is the number of levels, leaves included.
func (s Shape) Height() int { return len(s.PagesPerLevel) }

// Pages is the total number of pages.
func (s Shape) Pages() float64 {
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
func (s Shape) DirtyPages(n float64) float64 {
	t := 0.0
	for _, p := range s.PagesPerLevel {
		t += p * (1 - math.Exp(-n/p))
	}
	return t
}

// PredictShape returns the shape of a B+tree of keys entries of
// keySize-byte keys and valueSize-byte values in pageSize-byte pages filled
// to fill (0 < fill ≤ 1), except the root, which may fill up before it
// splits.
func PredictShape(keys float64, keySize int, valueSize float64, pageSize int, fill float64) Shape {
	full := float64(pageSize - pageHeaderSize)
	usable := full * fill
	s := Shape{
		LeafCell:   1 + float64(costmodel.UvarintLen(uint64(keySize))+costmodel.UvarintLen(uint64(valueSize))) + float64(keySize) + valueSize + slotSize,
		BranchCell: branchChildSize + float64(costmodel.UvarintLen(uint64(keySize))+keySize) + slotSize,
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

// Predict is the cost model of the btree engine under uniformly
// random updates, from its settings page-size, pool-size and
// checkpoint-size.
//
// The tree: N = live / (key + value) entries in leaves filled to ln 2
// (random insertions split pages in half), a branch fanout of the usable
// page over a branch cell, levels up to a single root (PredictShape).
//
// Writes: every update appends its key and value and about 3 bytes to the
// WAL, plus its share of the 11-byte record header (whole when single
// writes are logged one by one, 1/100 of it in load batches of 100). A
// checkpoint runs when the WAL passes checkpoint-size or the dirty pages
// fill the dirty budget (Options.dirtyBudget: 3/8 of the pool with mapped
// reads, else half of it up to 32 MiB; a dirty node holds about a
// page of heap, so the budget over the page size is the dirty pages it
// holds), or the pages it replaced reach the shadow budget, so a
// checkpoint interval is n = min(checkpoint-size / WAL bytes per update,
// the n at which DirtyPages(n) reaches the dirty budget's pages, the epoch
// m below) updates, and it writes DirtyPages(n) pages plus a meta page:
//
//	WriteAmp = (n × WAL bytes per update + page-size × (DirtyPages(n) + 1)) / (n × (key + value))
//
// (A checkpoint forced by the pool is in fact a write-back of cold dirty
// pages to their fresh locations; for the bytes written the two are alike.)
//
// Reads: a Get touches Height pages.
//
// Space: copy-on-write gives every page changed in an epoch (the updates
// between two checkpoints, m = checkpoint-size / WAL bytes per update, or
// fewer: the m at which DirtyPages(m) reaches the shadow budget,
// shadow-budget × Pages and at least 256 pages, past which the engine
// checkpoints too) a fresh
// page, and frees its old page only once the next checkpoint is durable.
// While a checkpoint writes in the background the next epoch runs, so at
// most two epochs of copies exist at once (the engine's dirty budget), and
// the file, which shrinks only by the free pages at its end, keeps that
// high-water mark:
//
//	SpaceAmp = ((Pages + 2 × DirtyPages(m) + 2 meta) × page-size + m × WAL bytes per update / 2) / live
//
// beside half an epoch of WAL on average.
func Predict(in costmodel.Input) (*costmodel.Prediction, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	o, err := ParseSettings(in.Settings)
	if err != nil {
		return nil, fmt.Errorf("btree: cost model: %w", err)
	}
	pageSize, ckpt := int64(o.PageSize), o.CheckpointSize
	if pageSize <= pageHeaderSize || ckpt <= 0 {
		return nil, fmt.Errorf("btree: cost model: page size %d, checkpoint size %d", pageSize, ckpt)
	}
	entry := in.EntryBytes()
	live := in.Live()
	keys := live / entry
	shape := PredictShape(keys, in.KeySize, in.ValueSize, int(pageSize), randomFill)
	walPerUpdate := in.WALBytesPerOp(recordHeader)
	epoch := max(shape.updatesDirtying(float64(ckpt)/walPerUpdate, float64(shadowBudget(int64(shape.Pages()), o.shadowBudget()))), 1)
	budget := float64(o.dirtyBudget(o.Mmap)) / float64(pageSize)
	n := min(CheckpointInterval(shape, walPerUpdate, budget, float64(ckpt)), epoch)
	dirty := shape.DirtyPages(n)
	copies := 2 * shape.DirtyPages(epoch)
	ps := float64(pageSize)
	m := &costmodel.Prediction{
		Basis:        "B+tree checkpoints",
		WriteAmp:     (n*walPerUpdate + ps*(dirty+1)) / (n * entry),
		BlocksPerGet: float64(shape.Height()),
		SpaceAmp:     ((shape.Pages()+copies+2)*ps + epoch*walPerUpdate/2) / live,
		Levels:       shape.Height(),
	}
	w := float64(in.UserBytesWritten)
	switch {
	case w <= 0:
	case float64(in.LiveBytes) < float64(in.LiveBytesBefore)/2:
		m.Transient = fmt.Sprintf("the store shrank from %s to %s during the phase: the model describes updates of a store of fixed size, not deletes", costmodel.Size(float64(in.LiveBytesBefore)), costmodel.SizeOrEmpty(float64(in.LiveBytes)))
	case w/entry < n:
		m.Transient = fmt.Sprintf("the phase made %.0f writes, fewer than one checkpoint interval (%.0f writes, %s of WAL), so what it measured depends on whether a checkpoint fell inside it: without one the changed pages stay in the pool, with one it also writes those changed before the phase",
			w/entry, n, costmodel.Size(n*walPerUpdate))
	case float64(in.LiveBytesBefore) < live/2:
		m.Transient = fmt.Sprintf("the tree grew from %s to %s during the phase: inserts split pages, the model counts updates of a tree of the final size",
			costmodel.SizeOrEmpty(float64(in.LiveBytesBefore)), costmodel.Size(live))
	}
	return m, nil
}

// CheckpointInterval returns the updates between two checkpoints: the
// fewer of those that fill the WAL to checkpointBytes and those that dirty
// dirtyPages (the pages the dirty budget holds, at least 8, as the
// engine's).
func CheckpointInterval(s Shape, walPerUpdate, dirtyPages, checkpointBytes float64) float64 {
	return max(s.updatesDirtying(checkpointBytes/walPerUpdate, max(dirtyPages, 8)), 1)
}

// updatesDirtying returns the fewer of n and the updates whose expected
// dirty pages reach limit.
func (s Shape) updatesDirtying(n, limit float64) float64 {
	if s.DirtyPages(n) <= limit {
		return n
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
	return hi
}
