package kvlab

import (
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
		Open: func(string, Options) (kv.Engine, error) {
			return memory.New(), nil
		},
	})
	Register(EngineInfo{
		Name:        lsm.Name,
		Description: "kvlab's LSM tree: WAL, memtable, bloom-filtered sstables, leveled compaction",
		Persistent:  true,
		Knobs:       knobs(lsm.Settings()),
		Model:       lsm.Predict,
		Open: func(dir string, o Options) (kv.Engine, error) {
			opts, err := lsm.ParseSettings(o.Settings)
			if err != nil {
				return nil, err
			}
			return lsm.Open(o.FS, dir, opts)
		},
	})
	Register(EngineInfo{
		Name:        btree.Name,
		Description: "kvlab's B+tree: slotted pages, buffer pool, overflow pages, copy-on-write checkpoints + WAL",
		Persistent:  true,
		Knobs:       knobs(btree.Settings()),
		Model:       btree.Predict,
		Open: func(dir string, o Options) (kv.Engine, error) {
			opts, err := btree.ParseSettings(o.Settings)
			if err != nil {
				return nil, err
			}
			return btree.Open(o.FS, dir, opts)
		},
	})
}

// engineSetting is the shape of an engine package's Setting.
type engineSetting interface {
	~struct{ Name, Default, Doc string }
}

// knobs turns an engine package's settings into the registry's knobs.
func knobs[S engineSetting](settings []S) []Knob {
	out := make([]Knob, len(settings))
	for i, s := range settings {
		out[i] = Knob(s)
	}
	return out
}
