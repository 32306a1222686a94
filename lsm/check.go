package lsm

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"

	"github.com/kvlab/kvlab/internal/base"
	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/lsm/manifest"
	"github.com/kvlab/kvlab/sstable"
	"github.com/kvlab/kvlab/vfs"
	"github.com/kvlab/kvlab/wal"
)

// Check verifies the store while it stays in use: the version's invariants
// (L0 ordered by sequence number, deeper levels sorted and
// non-overlapping, no table in two places), and for every table that its
// file exists with the size the manifest records, that every block's
// checksum holds (read from the file, bypassing the block cache), that its
// keys are valid internal keys in strictly increasing order within the
// range and count the manifest records, and that the WALs still needed
// for recovery read to their end without damage. It writes a line per
// level and a summary to w and returns the first damage found as an error
// wrapping kv.ErrCorruption.
func (db *DB) Check(w io.Writer) error {
	if db.closed.Load() {
		return kv.ErrClosed
	}
	rs := db.loadReadState()
	defer rs.unref()
	v := rs.version
	if err := v.CheckOrder(); err != nil {
		return fmt.Errorf("lsm: check: %w", err)
	}
	var tables, entries, bytes int64
	for level, lvl := range v.Levels {
		var lentries, lbytes int64
		for _, t := range lvl {
			n, err := db.checkTable(t)
			if err != nil {
				return err
			}
			lentries += n
			lbytes += int64(t.Size)
		}
		if len(lvl) > 0 {
			fmt.Fprintf(w, "L%d: %d tables, %d entries, %d bytes: ok\n", level, len(lvl), lentries, lbytes)
		}
		tables += int64(len(lvl))
		entries += lentries
		bytes += lbytes
	}
	logs, err := db.checkLogs(rs)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "lsm: %d tables, %d entries, %d bytes, %d WAL files checked: ok\n", tables, entries, bytes, logs)
	return nil
}

func (db *DB) checkTable(t *manifest.TableMeta) (int64, error) {
	name := manifest.TableFileName(db.dir, t.FileNum)
	f, err := db.fs.Open(name, vfs.KindSSTable)
	if err != nil {
		return 0, kv.Corruptf(name, 0, "lsm: table %06d named by the manifest cannot be opened: %v", t.FileNum, err)
	}
	defer f.Close()
	size, err := f.Size()
	if err != nil {
		return 0, fmt.Errorf("lsm: check %s: %w", name, err)
	}
	if uint64(size) != t.Size {
		return 0, kv.Corruptf(name, size, "lsm: table is %d bytes, the manifest says %d", size, t.Size)
	}
	r, err := sstable.Open(f, name, t.FileNum, sstable.ReaderOptions{})
	if err != nil {
		return 0, err
	}
	// The manifest's bounds span the points and the range tombstones
	// (extendBounds); compare each end with what the table holds.
	p := r.Properties()
	var first, last []byte
	if p.NumEntries > 0 {
		first, last = p.SmallestKey, p.LargestKey
	}
	first, last = extendBounds(first, last, r.RangeDels().Fragments())
	if first != nil && (base.Compare(first, t.Smallest) != 0 || base.Compare(last, t.Largest) != 0) {
		return 0, kv.Corruptf(name, 0, "lsm: table spans %s to %s, the manifest says %s to %s", base.Format(first), base.Format(last), base.Format(t.Smallest), base.Format(t.Largest))
	}
	it := r.NewIter(nil, nil)
	var prev []byte
	var n int64
	for ok := it.First(); ok; ok = it.Next() {
		k := it.Key()
		if _, _, _, valid := base.Parse(k); !valid {
			return n, kv.Corruptf(name, 0, "lsm: invalid internal key %x", k)
		}
		if prev != nil && base.Compare(prev, k) >= 0 {
			return n, kv.Corruptf(name, 0, "lsm: key %s does not follow %s", base.Format(k), base.Format(prev))
		}
		if n == 0 && base.Compare(k, p.SmallestKey) != 0 {
			return n, kv.Corruptf(name, 0, "lsm: first key %s, the properties say %s", base.Format(k), base.Format(p.SmallestKey))
		}
		prev = append(prev[:0], k...)
		n++
	}
	if err := it.Close(); err != nil {
		return n, err
	}
	if n > 0 && base.Compare(prev, p.LargestKey) != 0 {
		return n, kv.Corruptf(name, 0, "lsm: last key %s, the properties say %s", base.Format(prev), base.Format(p.LargestKey))
	}
	if t.Entries != 0 && uint64(n) != t.Entries {
		return n, kv.Corruptf(name, 0, "lsm: %d entries, the manifest says %d", n, t.Entries)
	}
	return n, r.Close()
}

// checkLogs reads the WALs of the immutable memtables, which recovery
// would replay; the active log is being written and is left alone. Each
// must end cleanly, and their records must carry consecutive sequence
// numbers, from one log to the next.
func (db *DB) checkLogs(rs *readState) (int, error) {
	n := 0
	var prevEnd base.SeqNum
	for _, m := range rs.imms {
		name := manifest.LogFileName(db.dir, m.logNum)
		end, err := wal.Replay(db.fs, name, m.logNum, wal.ReaderOptions{}, func(rec []byte, pos wal.Pos) error {
			if len(rec) < walRecordHeader+4 {
				return kv.Corruptf(name, pos.Offset, "lsm: WAL record of %d bytes is shorter than its headers", len(rec))
			}
			seq := base.SeqNum(binary.LittleEndian.Uint64(rec))
			count := base.SeqNum(binary.LittleEndian.Uint32(rec[walRecordHeader:]))
			if prevEnd != 0 && seq != prevEnd+1 {
				return kv.Corruptf(name, pos.Offset, "lsm: WAL record at sequence number %d does not follow sequence number %d of the record before it", seq, prevEnd)
			}
			prevEnd = seq + count - 1
			return nil
		})
		if errors.Is(err, fs.ErrNotExist) {
			prevEnd = 0
			continue // flushed meanwhile, and deleted
		}
		if err != nil {
			return n, fmt.Errorf("lsm: check %s: %w", name, err)
		}
		if end.Reason != wal.EndClean {
			return n, kv.Corruptf(name, end.Offset, "lsm: closed WAL ends with %s", end.Reason)
		}
		n++
	}
	return n, nil
}
