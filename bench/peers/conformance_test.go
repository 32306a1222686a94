package peers

import (
	"testing"

	"github.com/kvlab/kvlab"
	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/kv/kvtest"
	"github.com/kvlab/kvlab/vfs"
)

// peerCase is one adapter under test: its registered name and the kvtest
// options that describe it.
type peerCase struct {
	name string
	opts []kvtest.Option
}

var peerCases = []peerCase{
	{Pebble, []kvtest.Option{kvtest.SnapshotIterators()}},
	{GoLevelDB, []kvtest.Option{kvtest.SnapshotIterators(), kvtest.NoDeleteRange()}},
	{Badger, []kvtest.Option{kvtest.SnapshotIterators(), kvtest.MaxKeySize(badgerKeyLimit), kvtest.NoDeleteRange()}},
	{Bbolt, []kvtest.Option{kvtest.MaxKeySize(boltKeyLimit), kvtest.NoDeleteRange()}},
}

// openPeer opens an adapter through the registry, as the CLI does.
func openPeer(name, dir string, settings map[string]string) (kv.Engine, error) {
	return kvlab.Open(name, dir, kvlab.Options{Settings: settings})
}

// TestConformance runs kvlab's conformance suite against every adapter on
// the OS file system (the peers cannot use kvlab's vfs, so the crash and
// fault tests do not apply).
func TestConformance(t *testing.T) {
	for _, pc := range peerCases {
		t.Run(pc.name, func(t *testing.T) {
			t.Parallel()
			opts := append([]kvtest.Option{kvtest.NoVFS()}, pc.opts...)
			kvtest.Run(t, func(_ vfs.FS, dir string) (kv.Engine, error) {
				return openPeer(pc.name, dir, nil)
			}, opts...)
		})
	}
}
