package manifest

import (
	"fmt"

	"github.com/kvlab/kvlab/internal/base"
)

// TableMeta describes one table (an sstable file). It is immutable once in a
// Version: versions share TableMeta values, so nobody may modify one after
// adding it to an edit.
type TableMeta struct {
	// FileNum is the table's file number: its file is TableFileName(dir, FileNum).
	FileNum uint64
	// Size is the table file's size in bytes.
	Size uint64
	// Smallest and Largest are the smallest and largest internal keys
	// (internal/base format: user key + 8-byte trailer) in the table.
	Smallest []byte
	Largest  []byte
	// SmallestSeq and LargestSeq bound the sequence numbers of its entries.
	SmallestSeq, LargestSeq uint64
	// Entries is the number of entries, for statistics and cost models.
	Entries uint64
}

// SmallestUser returns the user-key part of Smallest.
func (t *TableMeta) SmallestUser() []byte { return base.UserKey(t.Smallest) }

// LargestUser returns the user-key part of Largest.
func (t *TableMeta) LargestUser() []byte { return base.UserKey(t.Largest) }

// String renders the table for debugging: "000012[a#5,SET-c#3,DEL]".
func (t *TableMeta) String() string {
	return fmt.Sprintf("%06d[%s-%s]", t.FileNum, base.Format(t.Smallest), base.Format(t.Largest))
}

// validate checks a table's own invariants: valid boundary keys in order and
// sequence bounds in order.
func (t *TableMeta) validate() error {
	if t == nil {
		return fmt.Errorf("nil table")
	}
	if _, _, _, ok := base.Parse(t.Smallest); !ok {
		return fmt.Errorf("table %06d: invalid smallest key %x", t.FileNum, t.Smallest)
	}
	if _, _, _, ok := base.Parse(t.Largest); !ok {
		return fmt.Errorf("table %06d: invalid largest key %x", t.FileNum, t.Largest)
	}
	if base.Compare(t.Smallest, t.Largest) > 0 {
		return fmt.Errorf("table %06d: smallest key %s after largest %s", t.FileNum, base.Format(t.Smallest), base.Format(t.Largest))
	}
	if t.SmallestSeq > t.LargestSeq {
		return fmt.Errorf("table %06d: smallest seq %d above largest %d", t.FileNum, t.SmallestSeq, t.LargestSeq)
	}
	return nil
}
