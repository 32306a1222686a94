package kvlab

import (
	"fmt"

	"github.com/kvlab/kvlab/btree"
	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/kv/memory"
	"github.com/kvlab/kvlab/lsm"
)

// The engines kvlab ships register here, so that importing kvlab is enough
// to open any of them by name. (They cannot register themselves from their
// own packages: kvlab imports them, and the registry lives here.)
func init() {
	Register(EngineInfo{
		Name:        memory.Name,
		Description: "in-memory ordered map (google/btree): the reference model and zero-I/O baseline; keeps nothing across Close",
		Open: func(_ string, o Options) (kv.Engine, error) {
			if o.ReadOnly || o.MustExist {
				return nil, fmt.Errorf("%s: %w: it keeps nothing across Close", memory.Name, kv.ErrNoStore)
			}
			return memory.New(), nil
		},
	})
	Register(EngineInfo{
		Name:        lsm.Name,
		Description: "kvlab's LSM tree: WAL, memtable, bloom-filtered sstables, leveled compaction",
		Persistent:  true,
		Options:     lsm.Knobs(),
		Model:       lsm.Predict,
		Sizing:      ScaleToData(lsm.Knobs(), lsmShares),
		Open: func(dir string, o Options) (kv.Engine, error) {
			lo := o.Engine.(lsm.Options)
			lo.ReadOnly = lo.ReadOnly || o.ReadOnly
			lo.MustExist = lo.MustExist || o.MustExist
			if o.EventListener != nil {
				lo.EventListener = o.EventListener
			}
			if o.Logger != nil {
				lo.Logger = o.Logger
			}
			db, err := lsm.Open(o.FS, dir, lo)
			if err != nil {
				return nil, err
			}
			return db, nil
		},
	})
	Register(EngineInfo{
		Name:        btree.Name,
		Description: "kvlab's B+tree: slotted pages, buffer pool, overflow pages, copy-on-write checkpoints + WAL",
		Persistent:  true,
		Options:     btree.Knobs(),
		Model:       btree.Predict,
		Sizing:      ScaleToData(btree.Knobs(), map[string]int64{"checkpoint-size": WriteBufferShare, "pool-size": CacheShare}),
		Open: func(dir string, o Options) (kv.Engine, error) {
			bo := o.Engine.(btree.Options)
			bo.ReadOnly = bo.ReadOnly || o.ReadOnly
			bo.MustExist = bo.MustExist || o.MustExist
			if o.EventListener != nil {
				bo.EventListener = o.EventListener
			}
			if o.Logger != nil {
				bo.Logger = o.Logger
			}
			db, err := btree.Open(o.FS, dir, bo)
			if err != nil {
				return nil, err
			}
			return db, nil
		},
	})
}

// lsmShares scale the LSM to a data size: its memtable and block cache by
// the common rule, and the shape it ties to its memtable as LevelDB and
// RocksDB do (L1 holds about four memtables, the L0 compaction trigger; a
// table is about a memtable), so that a small store still spans several
// levels at the configured ratio.
var lsmShares = map[string]int64{
	"memtable-size":    WriteBufferShare,
	"block-cache":      CacheShare,
	"l1-target-size":   WriteBufferShare / 4,
	"target-file-size": WriteBufferShare,
}
