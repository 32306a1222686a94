// Package knob declares an engine's options as typed knobs, one table per
// engine.
//
// A knob has a name ("memtable-size"), a kind (size, count, float, bool,
// enum, duration), a range, a default and a one-line doc, and is bound to
// one field of the engine's options struct. A Set of them turns string
// settings ({"memtable-size": "64MiB"}, as the CLI's --set
// ENGINE.NAME=VALUE gives them) into that struct, formats the struct back,
// checks every field against its knob's range and documents itself, so an
// engine writes its names, ranges and defaults once:
//
//	var knobs = &knob.Set[Options]{
//		Name:     "lsm",
//		Defaults: DefaultOptions,
//		Knobs: []knob.Knob[Options]{
//			knob.Size("memtable-size", func(o *Options) *int64 { return &o.MemtableSize },
//				64<<10, 1<<30, "memtable size at which it is flushed"),
//		},
//	}
//
// Values are parsed in the knob's own unit and refused with the range in
// that unit ("lsm.memtable-size=1KiB: out of range 64KiB–1GiB"). Sizes are
// bytes with KiB, MiB, GiB, TiB (powers of 1024) or KB, MB, GB, TB (powers
// of 1000); a bare M is ambiguous in a size and refused. Counts are whole
// numbers with k, M or G (powers of 1000: "1M" is 1,000,000). Floats refuse
// NaN and infinities, counts refuse fractions ("1.5"). See SizeSyntax and
// CountSyntax.
//
// Errors wrap ErrUnknown (no knob of that name) or ErrInvalid (a value the
// knob or the engine refuses), for errors.Is.
package knob
