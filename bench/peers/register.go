package peers

import (
	"runtime/debug"

	"github.com/kvlab/kvlab"
)

// The registered engine names.
const (
	Pebble    = "pebble"    // github.com/cockroachdb/pebble/v2
	GoLevelDB = "goleveldb" // github.com/syndtr/goleveldb
	Badger    = "badger"    // github.com/dgraph-io/badger/v4
	Bbolt     = "bbolt"     // go.etcd.io/bbolt
)

func init() {
	kvlab.Register(kvlab.EngineInfo{
		Name:        Pebble,
		Description: "Pebble " + moduleVersion("github.com/cockroachdb/pebble/v2", "v2") + " (CockroachDB's LSM) as a yardstick for lsm, with lsm's defaults",
		Persistent:  true,
		Peer:        true,
		Options:     pebbleKnobs,
		Sizing:      kvlab.ScaleToData(pebbleKnobs, memorySharesLSM),
		Open:        openPebble,
	})
	kvlab.Register(kvlab.EngineInfo{
		Name:        GoLevelDB,
		Description: "goleveldb " + moduleVersion("github.com/syndtr/goleveldb", "v1") + " (LevelDB in Go) as a yardstick for lsm, with lsm's defaults",
		Persistent:  true,
		Peer:        true,
		Options:     levelDBKnobs,
		Sizing:      kvlab.ScaleToData(levelDBKnobs, memorySharesLSM),
		Open:        openLevelDB,
	})
	kvlab.Register(kvlab.EngineInfo{
		Name:        Badger,
		Description: "Badger " + moduleVersion("github.com/dgraph-io/badger/v4", "v4") + " (LSM with a value log) as a yardstick for lsm",
		Persistent:  true,
		Peer:        true,
		Options:     badgerKnobs,
		Sizing:      kvlab.ScaleToData(badgerKnobs, memorySharesLSM),
		Open:        openBadger,
	})
	kvlab.Register(kvlab.EngineInfo{
		Name:        Bbolt,
		Description: "bbolt " + moduleVersion("go.etcd.io/bbolt", "v1") + " (copy-on-write B+tree) as a yardstick for btree, single writes grouped into transactions (batch-size, default 1000)",
		Persistent:  true,
		Peer:        true,
		Options:     boltKnobs,
		Open:        openBolt,
	})
}

// moduleVersion returns the version of module path linked into the binary,
// or fallback when the build carries no module information.
func moduleVersion(path, fallback string) string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == path {
				if d.Replace != nil && d.Replace.Version != "" {
					return d.Replace.Version
				}
				return d.Version
			}
		}
	}
	return fallback
}

// memorySharesLSM scale a peer LSM's memory knobs to a data size by the
// rule every engine follows (kvlab.ScaleToData).
var memorySharesLSM = map[string]int64{"memtable-size": kvlab.WriteBufferShare, "block-cache": kvlab.CacheShare}
