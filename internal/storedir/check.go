package storedir

import (
	"errors"
	"fmt"
	"strings"

	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/vfs"
)

// ToolPrefix begins the names of files kvlab's tools keep beside a store
// in its directory (the benchmark's kvlab-bench.json): no engine makes
// such a file, and Check and Detect pass over them.
const ToolPrefix = "kvlab-"

// Mode says what an Open may do to a directory.
type Mode struct {
	// ReadOnly: nothing may be created, written, renamed or removed, so
	// there must be a store.
	ReadOnly bool
	// MustExist: there must be a store.
	MustExist bool
}

// State is what Check found.
type State struct {
	// Exists is true when dir exists.
	Exists bool
	// Marker is true when dir holds the engine's marker.
	Marker bool
	// New is true when dir holds no file of the engine: a store is to be
	// created.
	New bool
	// Legacy is true when dir holds the engine's files but no marker: a
	// store made before markers existed.
	Legacy bool
	// HasLock is true when dir holds a LOCK file.
	HasLock bool
}

// Check inspects dir before an engine's Open locks or creates anything. own
// reports whether a file name is one the engine itself makes. It returns an
// error
//
//   - wrapping kv.ErrForeignStore when the marker names another engine or,
//     without a marker, when dir holds a file that is not the engine's
//     (the error names the files, and the engine when they look like one);
//   - wrapping kv.ErrUnsupportedVersion when the marker's format is newer
//     than format;
//   - wrapping kv.ErrNoStore when there is no store and m says there must
//     be one.
func Check(fsys vfs.FS, dir, engine string, format int, own func(name string) bool, m Mode) (State, error) {
	var st State
	names, err := fsys.List(dir)
	switch {
	case errors.Is(err, vfs.ErrNotExist):
		if m.ReadOnly || m.MustExist {
			return st, fmt.Errorf("%s: %w: the directory does not exist", dir, kv.ErrNoStore)
		}
		st.New = true
		return st, nil
	case err != nil:
		return st, fmt.Errorf("%s: %w", dir, err)
	}
	st.Exists = true
	mk, found, err := Read(fsys, dir)
	if err != nil {
		return st, err
	}
	if found {
		if mk.Engine != engine {
			return st, fmt.Errorf("%s: %w: it holds %s store (its %s file says so), not %s store", dir, kv.ErrForeignStore, article(mk.Engine), FileName, article(engine))
		}
		if mk.Format > format {
			return st, fmt.Errorf("%s: %w: the %s store is of format %d; this build reads up to %d", dir, kv.ErrUnsupportedVersion, engine, mk.Format, format)
		}
		st.Marker = true
	}
	var foreign []string
	ownFiles := 0
	for _, n := range names {
		switch {
		case n == lockName:
			st.HasLock = true
		case n == FileName || n == tmpName, strings.HasPrefix(n, ToolPrefix):
		case own(n):
			ownFiles++
		default:
			foreign = append(foreign, n)
		}
	}
	if len(foreign) > 0 {
		what := "files " + engine + " does not recognise"
		if other := Guess(names); other != "" && other != engine {
			what = article(other) + " store"
		}
		if len(foreign) > 5 {
			foreign = append(foreign[:5], "…")
		}
		return st, fmt.Errorf("%s: %w: it holds %s (%s)", dir, kv.ErrForeignStore, what, strings.Join(foreign, ", "))
	}
	switch {
	case st.Marker:
	case ownFiles == 0:
		st.New = true
	default:
		st.Legacy = true
	}
	if st.New && (m.ReadOnly || m.MustExist) {
		return st, fmt.Errorf("%s: %w: the directory holds no %s store", dir, kv.ErrNoStore, engine)
	}
	return st, nil
}

// Guess names the engine whose store a directory of these file names
// holds, by the files each engine always has: CURRENT for lsm, btree.meta
// for btree. It returns "" when it sees neither.
func Guess(names []string) string {
	for _, n := range names {
		switch {
		case n == "CURRENT" || strings.HasPrefix(n, "MANIFEST-"):
			return "lsm"
		case n == "btree.meta" || n == "btree.pages":
			return "btree"
		}
	}
	return ""
}

// Detect names the engine of the store in dir: the marker's engine, or for
// a store without a marker, Guess's. A missing or empty directory is an
// error wrapping kv.ErrNoStore; one whose files name no engine an error
// wrapping kv.ErrForeignStore.
func Detect(fsys vfs.FS, dir string) (Marker, error) {
	names, err := fsys.List(dir)
	if errors.Is(err, vfs.ErrNotExist) {
		return Marker{}, fmt.Errorf("%s: %w: the directory does not exist", dir, kv.ErrNoStore)
	}
	if err != nil {
		return Marker{}, fmt.Errorf("%s: %w", dir, err)
	}
	mk, found, err := Read(fsys, dir)
	if err != nil || found {
		return mk, err
	}
	if e := Guess(names); e != "" {
		return Marker{Engine: e}, nil
	}
	var rest []string
	for _, n := range names {
		if n != lockName && n != tmpName && !strings.HasPrefix(n, ToolPrefix) {
			rest = append(rest, n)
		}
	}
	if len(rest) == 0 {
		return Marker{}, fmt.Errorf("%s: %w: the directory is empty", dir, kv.ErrNoStore)
	}
	if len(rest) > 5 {
		rest = append(rest[:5], "…")
	}
	return Marker{}, fmt.Errorf("%s: %w: it holds files no kvlab engine recognises (%s)", dir, kv.ErrForeignStore, strings.Join(rest, ", "))
}

// article puts "a" or "an" before an engine's name: "an lsm", "a btree".
func article(engine string) string {
	if engine != "" && strings.ContainsRune("aeiolmnrsx", rune(engine[0])) {
		return "an " + engine
	}
	return "a " + engine
}
