package kvlab

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/kvlab/kvlab/knob"
	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/kv/costmodel"
	"github.com/kvlab/kvlab/vfs"
)

// Options are passed to Open. An engine's options come in two forms, which
// combine: Engine, the engine's own typed options (lsm.Options,
// btree.Options, ...), is the base, nil meaning the engine's defaults;
// Settings, by knob name as the CLI's --set passes them, are applied on top
// of it. So kvlab.Options{Engine: lsm.Options{...}, Settings:
// map[string]string{"sync": "true"}} opens lsm with those options and sync
// on.
type Options struct {
	// FS is the file system the engine uses; nil means vfs.Default.
	FS vfs.FS
	// Engine, if not nil, holds the engine's typed options: a value of the
	// type its knobs are bound to (EngineInfo.Parse returns one). Open
	// refuses another type.
	Engine any
	// Settings are engine knobs by name without the engine prefix, e.g.
	// {"memtable-size": "64MiB"}, applied on top of Engine. Values use the
	// units the knob documents (see knob.SizeSyntax, knob.CountSyntax).
	Settings map[string]string
	// ReadOnly opens an existing store without creating, writing,
	// renaming or removing any file; writes return kv.ErrReadOnly. It is
	// set on the engine's own options (lsm.Options.ReadOnly, ...), which
	// say how each engine serves it. An engine that keeps nothing across
	// Close has no store to open: its Open fails with kv.ErrNoStore.
	ReadOnly bool
	// MustExist makes Open fail with an error wrapping kv.ErrNoStore when
	// dir holds no store, instead of creating one.
	MustExist bool
	// EventListener and Logger, if not nil, are given to the engine (as
	// lsm.Options.EventListener, ...; see kv.EventListener, kv.Logger).
	// Engines without events ignore them.
	EventListener *kv.EventListener
	Logger        kv.Logger
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
	// Options declares the engine's typed options as knobs (lsm.Knobs(),
	// ...): the one table by which Parse checks names and values and Knobs
	// documents them. Nil means the engine takes no options.
	Options knob.Table
	// Model is the engine's textbook cost model, which the benchmark
	// prints beside its measurements; nil when it has none.
	Model costmodel.Func
	// Sizing, if set, says how the engine's memory knobs scale to a data
	// size: the settings it would run with on dataBytes of keys and values
	// (made with ScaleToData, so that every engine follows one rule), only
	// for knobs whose default is larger than the rule's share of the data.
	// The benchmark applies it to every engine alike (bench.Plan.FairSizing);
	// nil means nothing to scale.
	Sizing func(dataBytes int64) map[string]string
	// Open opens or creates the engine's store in dir. It is given the
	// options Parse resolved: o.Engine holds the engine's typed options
	// (nil when Options is nil), checked, and o.Settings is nil; FS is
	// never nil.
	Open func(dir string, o Options) (kv.Engine, error)
}

// Knobs documents the engine's options: name, kind, default, range, doc.
func (e EngineInfo) Knobs() []knob.Info {
	if e.Options == nil {
		return nil
	}
	return e.Options.Describe()
}

// Parse turns settings, by knob name, into the engine's typed options: its
// defaults with the settings applied, every name and value checked. An
// unknown name is an error wrapping ErrUnknownOption, a value out of range
// or of the wrong kind one wrapping ErrBadOption; both name the option as
// --set takes it ("lsm.memtable-size=1KiB: out of range 64KiB–1GiB").
func (e EngineInfo) Parse(settings map[string]string) (any, error) {
	return e.resolve(nil, settings)
}

// resolve applies settings on top of base (nil for the defaults).
func (e EngineInfo) resolve(base any, settings map[string]string) (any, error) {
	if e.Options != nil {
		return e.Options.ApplyAny(base, settings)
	}
	if base != nil {
		return nil, fmt.Errorf("%w: engine %s takes no options, not %T", ErrBadOption, e.Name, base)
	}
	if len(settings) > 0 {
		k := slices.Sorted(maps.Keys(settings))[0]
		return nil, fmt.Errorf("%w %s.%s: engine %s takes no options", ErrUnknownOption, e.Name, k, e.Name)
	}
	return nil, nil
}

// ErrUnknownEngine is returned by Open and Lookup for a name nobody registered.
var ErrUnknownEngine = errors.New("kvlab: unknown engine")

// ErrUnknownOption is wrapped by the error of Open and EngineInfo.Parse for
// a setting the engine has no knob for. It is knob.ErrUnknown.
var ErrUnknownOption = knob.ErrUnknown

// ErrBadOption is wrapped by the error of Open and EngineInfo.Parse for a
// value the engine refuses: not of the knob's kind, out of its range, at
// odds with another option, or typed options of another engine. It is
// knob.ErrInvalid.
var ErrBadOption = knob.ErrInvalid

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

// Open opens the named engine's store in dir, with o.Engine as the base of
// the engine's options and o.Settings applied on top (see Options). On
// error the kv.Engine returned is a true nil interface.
func Open(name, dir string, o Options) (kv.Engine, error) {
	info, err := Lookup(name)
	if err != nil {
		return nil, err
	}
	opts, err := info.resolve(o.Engine, o.Settings)
	if err != nil {
		return nil, err
	}
	o.Engine, o.Settings = opts, nil
	if o.FS == nil {
		o.FS = vfs.Default
	}
	db, err := info.Open(dir, o)
	if err != nil {
		// An engine's Open returning (*DB)(nil) must not become a
		// non-nil interface holding a nil pointer.
		return nil, err
	}
	return db, nil
}
