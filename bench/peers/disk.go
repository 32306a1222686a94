package peers

import (
	"io/fs"
	"path/filepath"
)

// dirUsage returns the space the regular files under dir occupy on disk —
// for each file the smaller of its size and its allocated blocks, so that a
// sparse, preallocated file counts only what was written — and the sum of
// their sizes. Files that vanish during the walk (an engine deleting an
// obsolete table) are skipped.
func dirUsage(dir string) (disk, apparent int64) {
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return nil
		}
		size := fi.Size()
		apparent += size
		if alloc, ok := allocated(fi); ok && alloc < size {
			size = alloc
		}
		disk += size
		return nil
	})
	return disk, apparent
}
