package main

import (
	"encoding/hex"
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
	cmd.Flags().StringVar(&f.engine, "engine", "", "engine to open (default: the first persistent engine registered; see 'kvlab engines')")
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

// open opens the store. mustExist refuses a directory that does not exist,
// for commands that only read or delete.
func (f *dbFlags) open(cmd *cobra.Command, mustExist bool) (kv.Engine, error) {
	name := f.engineName()
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
		if f.dir == "" {
			return nil, usageErrorf("--dir is required for engine %s", name)
		}
		fi, err := os.Stat(f.dir)
		switch {
		case err == nil && !fi.IsDir():
			return nil, usageErrorf("--dir %s is not a directory", f.dir)
		case err != nil && mustExist:
			return nil, fmt.Errorf("no store at %s: %w", f.dir, err)
		}
	} else {
		fmt.Fprintf(cmd.ErrOrStderr(), "kvlab: note: engine %s keeps nothing across runs\n", name)
	}
	db, err := kvlab.Open(name, f.dir, kvlab.Options{Engine: opts})
	if err != nil {
		return nil, fmt.Errorf("open %s store at %s: %w", name, f.dir, err)
	}
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
