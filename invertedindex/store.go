package invertedindex

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"

	"github.com/kvlab/kvlab"
	"github.com/kvlab/kvlab/vfs"
)

// StoreFile is the name of the file in an index directory that records
// which engine (and analyzer) the index was built with.
const StoreFile = "INDEX.json"

// storeDataDir is the engine's directory inside an index directory.
const storeDataDir = "data"

// StoreInfo is the content of StoreFile.
type StoreInfo struct {
	// Engine is the registered engine name the postings live in.
	Engine string `json:"engine"`
	// Analyzer is the analyzer's Name.
	Analyzer string `json:"analyzer"`
	// Format is FormatVersion.
	Format int `json:"format"`
}

// DirOptions configure OpenDir.
type DirOptions struct {
	// Engine is the engine to create a new index in ("lsm", "btree", ...);
	// for an existing index it must be empty or the engine recorded.
	Engine string
	// Settings are engine knobs, as kvlab.Options.Settings; they override
	// OpenDir's defaults for an index (a 64 MiB block cache for the LSM).
	Settings map[string]string
	// FS is the file system; nil means vfs.Default.
	FS vfs.FS
	// Options configure the index.
	Options Options
}

// engineDefaults are engine settings OpenDir applies unless the caller sets
// them: a search index is read-heavy and its queries touch posting chunks
// and document records all over the key space, so the LSM gets a 64 MiB
// block cache instead of its 8 MiB default (the B+tree's buffer pool is
// already 256 MiB by default; bleve reads through the OS page cache).
var engineDefaults = map[string]map[string]string{
	"lsm": {"block-cache": "64MiB"},
}

// ErrNoIndex is returned by OpenDir for a directory holding no index when no
// engine is given to create one.
var ErrNoIndex = errors.New("invertedindex: no index in directory")

// ReadStoreInfo reads dir's StoreFile.
func ReadStoreInfo(fs vfs.FS, dir string) (StoreInfo, error) {
	if fs == nil {
		fs = vfs.Default
	}
	var si StoreInfo
	f, err := fs.Open(path.Join(dir, StoreFile), vfs.KindOther)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return si, fmt.Errorf("%w %s", ErrNoIndex, dir)
		}
		return si, fmt.Errorf("invertedindex: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.NewSectionReader(f, 0, 1<<20))
	if err != nil {
		return si, fmt.Errorf("invertedindex: read %s: %w", StoreFile, err)
	}
	if err := json.Unmarshal(data, &si); err != nil {
		return si, fmt.Errorf("invertedindex: %s: %w", StoreFile, err)
	}
	return si, nil
}

// OpenDir opens the index in dir, or creates one in the engine o.Engine.
// The directory remembers the engine and analyzer, so reopening needs
// neither. The returned Index owns its engine: Close closes both.
func OpenDir(dir string, o DirOptions) (*Index, error) {
	fs := o.FS
	if fs == nil {
		fs = vfs.Default
	}
	si, err := ReadStoreInfo(fs, dir)
	switch {
	case errors.Is(err, ErrNoIndex):
		if o.Engine == "" {
			return nil, err
		}
		an := o.Options.Analyzer
		if an == nil {
			an = English()
			o.Options.Analyzer = an
		}
		si = StoreInfo{Engine: o.Engine, Analyzer: an.Name(), Format: FormatVersion}
		if err := fs.MkdirAll(path.Join(dir, storeDataDir)); err != nil {
			return nil, fmt.Errorf("invertedindex: %w", err)
		}
		if err := writeStoreInfo(fs, dir, si); err != nil {
			return nil, err
		}
	case err != nil:
		return nil, err
	case o.Engine != "" && o.Engine != si.Engine:
		return nil, fmt.Errorf("invertedindex: %s was built on engine %s, not %s", dir, si.Engine, o.Engine)
	}
	settings := o.Settings
	if d, ok := engineDefaults[si.Engine]; ok {
		settings = make(map[string]string, len(o.Settings)+len(d))
		for k, v := range d {
			settings[k] = v
		}
		for k, v := range o.Settings {
			settings[k] = v
		}
	}
	db, err := kvlab.Open(si.Engine, path.Join(dir, storeDataDir), kvlab.Options{FS: fs, Settings: settings})
	if err != nil {
		return nil, fmt.Errorf("invertedindex: open %s engine: %w", si.Engine, err)
	}
	ix, err := Open(db, o.Options)
	if err != nil {
		db.Close()
		return nil, err
	}
	ix.ownsDB = true
	return ix, nil
}

func writeStoreInfo(fs vfs.FS, dir string, si StoreInfo) error {
	data, _ := json.MarshalIndent(si, "", "  ")
	tmp := path.Join(dir, StoreFile+".tmp")
	f, err := fs.Create(tmp, vfs.KindOther)
	if err != nil {
		return fmt.Errorf("invertedindex: %w", err)
	}
	if _, err := f.Write(append(data, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("invertedindex: write %s: %w", StoreFile, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("invertedindex: sync %s: %w", StoreFile, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("invertedindex: %w", err)
	}
	if err := fs.Rename(tmp, path.Join(dir, StoreFile)); err != nil {
		return fmt.Errorf("invertedindex: %w", err)
	}
	if err := fs.SyncDir(dir); err != nil {
		return fmt.Errorf("invertedindex: %w", err)
	}
	return nil
}
