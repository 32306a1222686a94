package kvlab

import (
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
	var lsmKnobs []Knob
	for _, s := range lsm.Settings() {
		lsmKnobs = append(lsmKnobs, Knob{Name: s.Name, Default: s.Default, Doc: s.Doc})
	}
	Register(EngineInfo{
		Name:        lsm.Name,
		Description: "kvlab's LSM tree: WAL, memtable, bloom-filtered sstables, leveled compaction",
		Persistent:  true,
		Knobs:       lsmKnobs,
		Open: func(dir string, o Options) (kv.Engine, error) {
			opts, err := lsm.ParseSettings(o.Settings)
			if err != nil {
				return nil, err
			}
			return lsm.Open(o.FS, dir, opts)
		},
	})
}
