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
// Engine options are strings keyed by knob name, as the CLI's
// --set ENGINE.NAME=VALUE passes them; Knobs lists each engine's names,
// defaults and meanings, and Open rejects a name the engine does not know.
package kvlab
