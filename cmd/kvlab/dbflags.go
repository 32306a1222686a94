package main

import (
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/kvlab/kvlab"
	"github.com/kvlab/kvlab/kv"
)

// dbFlags are the flags of the commands that open one store: put, get, del,
// scan, check, stats.
type dbFlags struct {
	engine string
	dir    string
	set    []string
	hex    bool
}

func (f *dbFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.engine, "engine", "", "engine of the store (default: the one the store in --dir was made by, or for a new store the first persistent engine registered; a mismatch is an error; see 'kvlab engines')")
	cmd.Flags().StringVar(&f.dir, "dir", "", "the store's directory (required)")
	cmd.Flags().StringArrayVar(&f.set, "set", nil, "engine option as ENGINE.NAME=VALUE (repeatable; "+setUnits+"; see 'kvlab engines --options')")
	cmd.Flags().BoolVar(&f.hex, "hex", false, "keys and values on the command line and in the output are hex-encoded")
}

// engineName returns the chosen engine, or the first persistent one.
func (f *dbFlags) engineName() string {
	if f.engine != "" {
		return f.engine
	}
	if name, err := lookupPersistent(); err == nil {
		return name
	}
	return "memory"
}

// openMode says what a command may do to a store.
type openMode int

const (
	// openCreate opens the store read-write, creating it if there is none
	// (put).
	openCreate openMode = iota
	// openExisting opens an existing store read-write (del).
	openExisting
	// openReadOnly opens an existing store without writing anything to
	// its directory (get, scan, check, stats).
	openReadOnly
)

// resolveEngine picks the engine: the one the store in --dir was made by
// (kvlab.Detect), which --engine, when given, must match; for a directory
// without a store, --engine or the first persistent engine.
func (f *dbFlags) resolveEngine(mode openMode) (string, error) {
	if f.engine != "" {
		if info, err := kvlab.Lookup(f.engine); err != nil {
			return "", &usageError{err}
		} else if !info.Persistent {
			return f.engine, nil
		}
	}
	if f.dir == "" {
		return "", usageErrorf("--dir is required")
	}
	found, err := kvlab.Detect(f.dir)
	switch {
	case err == nil && f.engine != "" && found != f.engine:
		return "", fmt.Errorf("--engine %s, but %s holds %s store: %w", f.engine, f.dir, article(found), kv.ErrForeignStore)
	case err == nil:
		return found, nil
	case errors.Is(err, kv.ErrNoStore) && mode == openCreate:
		return f.engineName(), nil
	case errors.Is(err, kv.ErrNoStore):
		return "", fmt.Errorf("no store at %s: %w", f.dir, err)
	default:
		return "", err
	}
}

// open opens the store in --dir as mode allows, with the engine
// resolveEngine picks.
func (f *dbFlags) open(cmd *cobra.Command, mode openMode) (kv.Engine, error) {
	name, err := f.resolveEngine(mode)
	if err != nil {
		return nil, err
	}
	info, err := kvlab.Lookup(name)
	if err != nil {
		return nil, &usageError{err}
	}
	settings, err := parseSettings(f.set, map[string]bool{name: true})
	if err != nil {
		return nil, err
	}
	opts, err := info.Parse(settings[name])
	if err != nil {
		return nil, &usageError{err}
	}
	if info.Persistent {
		if fi, err := os.Stat(f.dir); err == nil && !fi.IsDir() {
			return nil, usageErrorf("--dir %s is not a directory", f.dir)
		}
	} else {
		fmt.Fprintf(cmd.ErrOrStderr(), "kvlab: note: engine %s keeps nothing across runs\n", name)
		mode = openCreate
	}
	db, err := kvlab.Open(name, f.dir, kvlab.Options{
		Engine:    opts,
		ReadOnly:  mode == openReadOnly,
		MustExist: mode != openCreate,
	})
	if err != nil {
		return nil, fmt.Errorf("open %s store at %s: %w", name, f.dir, err)
	}
	f.engine = name
	return db, nil
}

// parseSettings turns ENGINE.NAME=VALUE strings into settings per engine.
// A setting for an engine outside engines is a usage error.
func parseSettings(sets []string, engines map[string]bool) (map[string]map[string]string, error) {
	out := map[string]map[string]string{}
	for _, s := range sets {
		name, value, ok := strings.Cut(s, "=")
		engine, knob, ok2 := strings.Cut(name, ".")
		if !ok || !ok2 || engine == "" || knob == "" {
			return nil, usageErrorf("bad --set %q: want ENGINE.NAME=VALUE, e.g. lsm.memtable-size=64MiB", s)
		}
		if !engines[engine] {
			return nil, usageErrorf("--set %s: engine %s is not being run", s, engine)
		}
		if out[engine] == nil {
			out[engine] = map[string]string{}
		}
		out[engine][knob] = value
	}
	return out, nil
}

// decode turns a command-line key or value into bytes.
func (f *dbFlags) decode(s string) ([]byte, error) {
	if !f.hex {
		return []byte(s), nil
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		return nil, usageErrorf("bad hex %q: %v", s, err)
	}
	return b, nil
}

// encode renders a key or value for output: hex with --hex, the text itself
// when it is printable UTF-8, a Go-quoted string otherwise.
func (f *dbFlags) encode(b []byte) string {
	if f.hex {
		return hex.EncodeToString(b)
	}
	if utf8.Valid(b) && !strings.ContainsFunc(string(b), func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return string(b)
	}
	return fmt.Sprintf("%q", b)
}

// closeDB closes the store, keeping the first error.
func closeDB(db kv.Engine, err *error) {
	if cerr := db.Close(); *err == nil && cerr != nil {
		*err = fmt.Errorf("close: %w", cerr)
	}
}

// lookupPersistent returns the name of a registered persistent kvlab engine.
func lookupPersistent() (string, error) {
	for _, e := range kvlab.Engines() {
		if e.Persistent && !e.Peer {
			return e.Name, nil
		}
	}
	return "", fmt.Errorf("no persistent kvlab engine is registered")
}

// article puts "a" or "an" before an engine's name: "an lsm", "a btree".
func article(engine string) string {
	if engine != "" && strings.ContainsRune("aeiolmnrsx", rune(engine[0])) {
		return "an " + engine
	}
	return "a " + engine
}
