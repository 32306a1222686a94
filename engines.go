package kvlab

import (
	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/kv/memory"
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
}
