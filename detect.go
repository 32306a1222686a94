package kvlab

import (
	"github.com/kvlab/kvlab/internal/storedir"
	"github.com/kvlab/kvlab/vfs"
)

// Detect names the engine whose store is in dir, on the operating system's
// file system: the engine its marker (docs/format/store.md) names, or, for
// a store made before markers existed, the engine whose files it holds. A
// missing or empty directory is an error wrapping kv.ErrNoStore; one
// holding files no kvlab engine makes an error wrapping kv.ErrForeignStore
// that names them; an unreadable marker an error wrapping
// kv.ErrCorruption. Detect changes nothing in dir.
func Detect(dir string) (string, error) {
	return DetectFS(vfs.Default, dir)
}

// DetectFS is Detect on fsys.
func DetectFS(fsys vfs.FS, dir string) (string, error) {
	m, err := storedir.Detect(fsys, dir)
	if err != nil {
		return "", err
	}
	return m.Engine, nil
}
