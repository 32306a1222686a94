package lsm

import (
	"fmt"

	"github.com/kvlab/kvlab/internal/base"
	"github.com/kvlab/kvlab/internal/rangedel"

	"github.com/kvlab/kvlab/lsm/manifest"
	"github.com/kvlab/kvlab/sstable"
	"github.com/kvlab/kvlab/vfs"
)

// allocFileNum reserves a file number for a table about to be written; the
// obsolete-file sweep leaves it alone until releaseOutput.
func (db *DB) allocOutput() uint64 {
	db.mu.Lock()
	defer db.mu.Unlock()
	n := db.nextFileNum
	db.nextFileNum++
	db.pendingOutputs[n] = struct{}{}
	return n
}

func (db *DB) releaseOutputs(nums []uint64) {
	db.mu.Lock()
	for _, n := range nums {
		delete(db.pendingOutputs, n)
	}
	db.mu.Unlock()
}

// tableBuilder writes one output table.
type tableBuilder struct {
	db      *DB
	fileNum uint64
	f       vfs.File
	w       *sstable.Writer
	entries int
	frags   []rangedel.Fragment // range tombstones written, in order
}

func (db *DB) newTableBuilder() (*tableBuilder, error) {
	num := db.allocOutput()
	f, err := db.fs.Create(manifest.TableFileName(db.dir, num), vfs.KindSSTable)
	if err != nil {
		return &tableBuilder{db: db, fileNum: num}, fmt.Errorf("lsm: create table: %w", err)
	}
	return &tableBuilder{db: db, fileNum: num, f: f, w: sstable.NewWriter(f, db.opts.writerOptions())}, nil
}

func (tb *tableBuilder) add(ikey, value []byte) error {
	tb.entries++
	return tb.w.Add(ikey, value)
}

// addRangeDel writes the tombstones of a fragment (see
// rangeDelCompactor.emit).
func (tb *tableBuilder) addRangeDel(f rangedel.Fragment) error {
	for _, s := range f.Seqs {
		if err := tb.w.AddRangeDel(f.Start, f.End, s); err != nil {
			return err
		}
	}
	tb.frags = append(tb.frags, f)
	return nil
}

// estimatedSize is the table's size so far.
func (tb *tableBuilder) estimatedSize() uint64 { return tb.w.EstimatedSize() }

// finish completes and syncs the table and returns its metadata.
func (tb *tableBuilder) finish() (*manifest.TableMeta, error) {
	m, err := tb.w.Finish()
	if cerr := tb.f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("lsm: close table %06d: %w", tb.fileNum, cerr)
	}
	tb.f = nil
	if err != nil {
		return nil, err
	}
	p := m.Properties
	meta := &manifest.TableMeta{
		FileNum:     tb.fileNum,
		Size:        m.FileSize,
		Smallest:    append([]byte(nil), p.SmallestKey...),
		Largest:     append([]byte(nil), p.LargestKey...),
		SmallestSeq: uint64(p.SmallestSeq),
		LargestSeq:  uint64(p.LargestSeq),
		Entries:     p.NumEntries,
	}
	var set *rangedel.Set
	if len(tb.frags) > 0 {
		// The table's bounds and sequence numbers cover its tombstones.
		if p.NumEntries == 0 {
			meta.Smallest, meta.Largest = nil, nil
			meta.SmallestSeq, meta.LargestSeq = uint64(base.MaxSeqNum), 0
		}
		meta.Smallest, meta.Largest = extendBounds(meta.Smallest, meta.Largest, tb.frags)
		for _, f := range tb.frags {
			meta.SmallestSeq = min(meta.SmallestSeq, uint64(f.Seqs[len(f.Seqs)-1]))
			meta.LargestSeq = max(meta.LargestSeq, uint64(f.Seqs[0]))
		}
		set = rangedel.NewSet(tb.frags)
	}
	tb.db.rdTables.record(tb.fileNum, set)
	return meta, nil
}

// abandon closes and removes an unfinished table.
func (tb *tableBuilder) abandon() {
	if tb.f != nil {
		tb.f.Close()
		tb.f = nil
	}
	tb.db.fs.Remove(manifest.TableFileName(tb.db.dir, tb.fileNum))
}
