package lsm

import (
	"bytes"
	"sort"

	"github.com/kvlab/kvlab/internal/base"
	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/lsm/manifest"
)

// get looks key up in rs as of seq: the active memtable, the immutable
// ones newest first, the L0 tables newest first, then at most one table
// per level. Tables whose key range excludes the key are skipped without
// I/O, and each table's Bloom filter is consulted before any data block.
//
// Each source is also asked for the newest range tombstone covering key
// that seq sees (memGet, tableGet): one that is newer than the source's
// version of key, or covers a key the source lacks, ends the lookup with
// "not found", as the sources below hold only older versions of key. A
// source without range tombstones pays one nil or zero test for this.
func (db *DB) get(rs *readState, seq base.SeqNum, key []byte) ([]byte, error) {
	db.stats.gets.Add(1)
	if v, kind, found := memGet(rs.mem, key, seq); found {
		return db.getResult(key, v, kind)
	}
	for i := len(rs.imms) - 1; i >= 0; i-- {
		if v, kind, found := memGet(rs.imms[i], key, seq); found {
			return db.getResult(key, v, kind)
		}
	}
	consulted := int64(0)
	defer func() { db.stats.tablesConsulted.Add(consulted) }()
	for _, t := range rs.version.Levels[0] {
		if bytes.Compare(key, t.SmallestUser()) < 0 || bytes.Compare(key, t.LargestUser()) > 0 {
			continue
		}
		consulted++
		if v, kind, found, err := db.tableGet(t, key, seq); err != nil || found {
			if err != nil {
				return nil, err
			}
			return db.getResult(key, v, kind)
		}
	}
	for level := 1; level < manifest.NumLevels; level++ {
		tables := rs.version.Levels[level]
		i := sort.Search(len(tables), func(j int) bool { return bytes.Compare(tables[j].LargestUser(), key) >= 0 })
		if i >= len(tables) || bytes.Compare(tables[i].SmallestUser(), key) > 0 {
			continue
		}
		consulted++
		if v, kind, found, err := db.tableGet(tables[i], key, seq); err != nil || found {
			if err != nil {
				return nil, err
			}
			return db.getResult(key, v, kind)
		}
	}
	return nil, errNotFound
}

// errNotFound is Get's error for an absent key: kv.ErrNotFound itself, as
// the contract's vocabulary wants (no engine prefix), and one shared value,
// as a miss is a normal outcome that a lookup-heavy workload must not pay
// an allocation and a formatted message for.
var errNotFound = kv.ErrNotFound

func (db *DB) tableGet(t *manifest.TableMeta, key []byte, seq base.SeqNum) ([]byte, base.Kind, bool, error) {
	r, err := db.tables.get(t.FileNum)
	if err != nil {
		return nil, 0, false, err
	}
	if rd := r.RangeDels(); rd != nil {
		if tomb := rd.MaxSeq(key, seq); tomb > 0 {
			v, kind, err := tableGetCovered(r, key, seq, tomb)
			return v, kind, err == nil, err
		}
	}
	return r.Get(key, seq)
}

// memGet is Memtable.Get honouring the memtable's range tombstones: a
// covered key is reported found, as a deletion.
func memGet(m *memTable, key []byte, seq base.SeqNum) ([]byte, base.Kind, bool) {
	if m.RangeDelCount() == 0 {
		return m.Get(key, seq)
	}
	tomb := m.RangeDels().MaxSeq(key, seq)
	if tomb == 0 {
		return m.Get(key, seq)
	}
	v, kind, s, found := m.GetEntry(key, seq)
	if found && s > tomb {
		return v, kind, true
	}
	return nil, base.KindDelete, true
}

// getResult turns the entry found into Get's result; memtable values are
// copied, as they live in the memtable's arena.
func (db *DB) getResult(key, v []byte, kind base.Kind) ([]byte, error) {
	if kind == base.KindDelete {
		return nil, errNotFound
	}
	out := make([]byte, len(v))
	copy(out, v)
	db.stats.getHits.Add(1)
	db.stats.userBytesRead.Add(int64(len(key) + len(v)))
	return out, nil
}
