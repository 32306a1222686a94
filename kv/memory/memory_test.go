package memory_test

import (
	"testing"

	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/kv/kvtest"
	"github.com/kvlab/kvlab/kv/memory"
	"github.com/kvlab/kvlab/vfs"
)

func TestConformance(t *testing.T) {
	kvtest.Run(t, func(vfs.FS, string) (kv.Engine, error) {
		return memory.New(), nil
	}, kvtest.Volatile(), kvtest.SnapshotIterators(), kvtest.ExactErrors())
}
