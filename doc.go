// Package kvlab opens kvlab's key-value engines by name, so that a program,
// the CLI and the benchmark never hard-code one.
//
//	db, err := kvlab.Open("lsm", "/var/lib/app/db", kvlab.Options{})
//
// Every engine implements kv.Engine (package kv holds the contract). The
// engines kvlab ships register here when this package is imported; other
// engines — such as the yardstick adapters in bench/peers — register
// themselves with Register.
//
// Each engine declares its options as typed knobs (package knob), bound to
// the fields of its own options struct. Options carries them in either
// form: typed, Options{Engine: lsm.Options{...}}, or as strings keyed by
// knob name, Options{Settings: map[string]string{"memtable-size": "16MiB"}},
// as the CLI's --set ENGINE.NAME=VALUE passes them; settings apply on top
// of the typed options. EngineInfo.Parse checks names and values once, for
// Open, the CLI and the benchmark alike; EngineInfo.Knobs lists each
// engine's names, kinds, defaults, ranges and meanings.
package kvlab
