package kvlab

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/kv/costmodel"
	"github.com/kvlab/kvlab/vfs"
)

// Options are passed to an engine's Open.
type Options struct {
	// FS is the file system the engine uses; nil means vfs.Default.
	FS vfs.FS
	// Settings are engine knobs by name without the engine prefix, e.g.
	// {"memtable-size": "64MiB"}. Values use the units the knob documents.
	Settings map[string]string
}

// Knob documents one engine option.
type Knob struct {
	Name    string
	Default string
	Doc     string
}

// EngineInfo describes a registered engine.
type EngineInfo struct {
	// Name is the name Open takes: "lsm", "btree", "memory", "pebble", ...
	Name string
	// Description is a one-line summary.
	Description string
	// Persistent is false for engines that keep nothing across Close.
	Persistent bool
	// Peer marks a third-party engine run as a yardstick.
	Peer bool
	// Knobs lists the settings the engine accepts.
	Knobs []Knob
	// Model is the engine's textbook cost model, which the benchmark
	// prints beside its measurements; nil when it has none.
	Model costmodel.Func
	// Open opens or creates the engine's store in dir. Settings have been
	// checked against Knobs; FS is never nil.
	Open func(dir string, o Options) (kv.Engine, error)
}

// ErrUnknownEngine is returned by Open and Lookup for a name nobody registered.
var ErrUnknownEngine = errors.New("kvlab: unknown engine")

// ErrUnknownOption is returned by Open for a setting the engine has no knob for.
var ErrUnknownOption = errors.New("kvlab: unknown option")

var (
	regMu    sync.RWMutex
	registry = map[string]EngineInfo{}
)

// Register makes an engine available to Open. It panics if the name is
// taken or the info is incomplete, as a programming error.
func Register(info EngineInfo) {
	if info.Name == "" || info.Open == nil {
		panic("kvlab: Register needs a name and an Open function")
	}
	regMu.Lock()
	defer regMu.Unlock()
	if _, dup := registry[info.Name]; dup {
		panic("kvlab: engine " + info.Name + " registered twice")
	}
	registry[info.Name] = info
}

// Lookup returns the registered engine of that name.
func Lookup(name string) (EngineInfo, error) {
	regMu.RLock()
	info, ok := registry[name]
	regMu.RUnlock()
	if !ok {
		return EngineInfo{}, fmt.Errorf("%w %q (registered: %s)", ErrUnknownEngine, name, strings.Join(Names(), ", "))
	}
	return info, nil
}

// Engines returns every registered engine, kvlab's own first, then by name.
func Engines() []EngineInfo {
	regMu.RLock()
	defer regMu.RUnlock()
	out := make([]EngineInfo, 0, len(registry))
	for _, e := range registry {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Peer != out[j].Peer {
			return !out[i].Peer
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// Names returns the registered engine names in the order of Engines.
func Names() []string {
	var names []string
	for _, e := range Engines() {
		names = append(names, e.Name)
	}
	return names
}

// CheckSettings returns an error wrapping ErrUnknownOption for the first
// setting the engine has no knob for.
func (e EngineInfo) CheckSettings(settings map[string]string) error {
	keys := make([]string, 0, len(settings))
	for k := range settings {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !slices.ContainsFunc(e.Knobs, func(n Knob) bool { return n.Name == k }) {
			var known []string
			for _, n := range e.Knobs {
				known = append(known, n.Name)
			}
			if len(known) == 0 {
				return fmt.Errorf("%w %s.%s: engine %s takes no options", ErrUnknownOption, e.Name, k, e.Name)
			}
			return fmt.Errorf("%w %s.%s (known: %s)", ErrUnknownOption, e.Name, k, strings.Join(known, ", "))
		}
	}
	return nil
}

// Open opens the named engine's store in dir.
func Open(name, dir string, o Options) (kv.Engine, error) {
	info, err := Lookup(name)
	if err != nil {
		return nil, err
	}
	if err := info.CheckSettings(o.Settings); err != nil {
		return nil, err
	}
	if o.FS == nil {
		o.FS = vfs.Default
	}
	return info.Open(dir, o)
}
