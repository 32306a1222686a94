package knob

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/kvlab/kvlab/internal/units"
)

// SizeSyntax and CountSyntax say what size and count knobs take, for help
// texts.
const (
	SizeSyntax  = units.SizeSyntax
	CountSyntax = units.CountSyntax
)

// Kind is the type of a knob's value.
type Kind int

// The kinds of knob.
const (
	KindSize     Kind = iota + 1 // bytes: "64MiB"
	KindCount                    // a whole number: "1000", "10k", "1M"
	KindFloat                    // a finite number: "10", "0.5"
	KindBool                     // true or false (also yes/no, on/off, 1/0)
	KindEnum                     // one of a fixed list of names
	KindDuration                 // a Go duration: "100ms", "2s"
)

// String returns the kind's name as help texts show it: "size", "count",
// "float", "bool", "enum" or "duration".
func (k Kind) String() string {
	switch k {
	case KindSize:
		return "size"
	case KindCount:
		return "count"
	case KindFloat:
		return "float"
	case KindBool:
		return "bool"
	case KindEnum:
		return "enum"
	case KindDuration:
		return "duration"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Info documents one knob.
type Info struct {
	// Name is the knob's name, as settings and --set ENGINE.NAME=VALUE
	// give it.
	Name string
	// Kind is the type of its value.
	Kind Kind
	// Default is the engine's default, formatted as the knob parses it.
	Default string
	// Range is the accepted values in the knob's unit: "64KiB–1GiB",
	// "1–1000", "snappy, none"; "" for a bool.
	Range string
	// Min and Max bound a size, count, float or duration knob (a duration
	// in nanoseconds); both are zero for the other kinds.
	Min, Max float64
	// Choices are an enum knob's names.
	Choices []string
	// Doc is a one-line description.
	Doc string
}

// Knob is one option of the options struct T, bound to one of its fields.
// Make one with Size, Count, Float, Bool, Enum or Duration.
type Knob[T any] struct {
	info Info
	// parse sets the field from a string, checking its range.
	parse func(o *T, s string) error
	// format renders the field as parse takes it.
	format func(o *T) string
	// check reports whether the field is within the knob's range.
	check func(o *T) error
}

// Info returns the knob's documentation, without its default (which is
// the Set's).
func (k Knob[T]) Info() Info { return k.info }

// Integer is the field types size and count knobs bind to.
type Integer interface{ ~int | ~int64 }

// Size declares a size knob: a byte count in [lo, hi], taking units
// ("64MiB") and shown in the largest binary unit that divides it.
func Size[T any, I Integer](name string, field func(*T) *I, lo, hi int64, doc string) Knob[T] {
	return integerKnob(KindSize, name, field, lo, hi, doc, units.ParseSize, units.FormatSizeExact)
}

// Count declares a count knob: a whole number in [lo, hi], taking k, M and
// G as powers of 1000.
func Count[T any, I Integer](name string, field func(*T) *I, lo, hi int64, doc string) Knob[T] {
	format := func(n int64) string { return strconv.FormatInt(n, 10) }
	return integerKnob(KindCount, name, field, lo, hi, doc, units.ParseCount, format)
}

func integerKnob[T any, I Integer](kind Kind, name string, field func(*T) *I, lo, hi int64, doc string,
	parse func(string) (int64, error), format func(int64) string) Knob[T] {
	rng := format(lo) + "–" + format(hi)
	inRange := func(v int64) error {
		if v < lo || v > hi {
			return fmt.Errorf("out of range %s", rng)
		}
		return nil
	}
	return Knob[T]{
		info: Info{Name: name, Kind: kind, Range: rng, Min: float64(lo), Max: float64(hi), Doc: doc},
		parse: func(o *T, s string) error {
			v, err := parse(s)
			if err != nil {
				return unitsError(err)
			}
			if err := inRange(v); err != nil {
				return err
			}
			*field(o) = I(v)
			return nil
		},
		format: func(o *T) string { return format(int64(*field(o))) },
		check:  func(o *T) error { return inRange(int64(*field(o))) },
	}
}

// Float declares a float knob: a finite number in [lo, hi]. NaN and
// infinities are refused.
func Float[T any](name string, field func(*T) *float64, lo, hi float64, doc string) Knob[T] {
	format := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	rng := format(lo) + "–" + format(hi)
	inRange := func(v float64) error {
		if math.IsNaN(v) || v < lo || v > hi {
			return fmt.Errorf("out of range %s", rng)
		}
		return nil
	}
	return Knob[T]{
		info: Info{Name: name, Kind: KindFloat, Range: rng, Min: lo, Max: hi, Doc: doc},
		parse: func(o *T, s string) error {
			v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				return &reasonError{"not a finite number", err}
			}
			if err := inRange(v); err != nil {
				return err
			}
			*field(o) = v
			return nil
		},
		format: func(o *T) string { return format(*field(o)) },
		check:  func(o *T) error { return inRange(*field(o)) },
	}
}

// Bool declares a boolean knob: true or false (also yes/no, on/off, 1/0).
func Bool[T any](name string, field func(*T) *bool, doc string) Knob[T] {
	return Knob[T]{
		info: Info{Name: name, Kind: KindBool, Doc: doc},
		parse: func(o *T, s string) error {
			v, err := units.ParseBool(s)
			if err != nil {
				return unitsError(err)
			}
			*field(o) = v
			return nil
		},
		format: func(o *T) string { return strconv.FormatBool(*field(o)) },
		check:  func(*T) error { return nil },
	}
}

// Choice is one value of an enum knob: its name, the field's value, and
// other names accepted for it (case does not matter in any of them).
type Choice[V comparable] struct {
	Name    string
	Value   V
	Aliases []string
}

// Enum declares an enum knob: one of choices by name, stored as the
// choice's Value. The field is formatted as the first choice holding its
// value.
func Enum[T any, V comparable](name string, field func(*T) *V, choices []Choice[V], doc string) Knob[T] {
	names := make([]string, len(choices))
	for i, c := range choices {
		names[i] = c.Name
	}
	rng := strings.Join(names, ", ")
	lookup := func(v V) (string, bool) {
		for _, c := range choices {
			if c.Value == v {
				return c.Name, true
			}
		}
		return "", false
	}
	return Knob[T]{
		info: Info{Name: name, Kind: KindEnum, Range: rng, Choices: names, Doc: doc},
		parse: func(o *T, s string) error {
			t := strings.TrimSpace(s)
			for _, c := range choices {
				if strings.EqualFold(t, c.Name) || containsFold(c.Aliases, t) {
					*field(o) = c.Value
					return nil
				}
			}
			return fmt.Errorf("not one of %s", rng)
		},
		format: func(o *T) string {
			if n, ok := lookup(*field(o)); ok {
				return n
			}
			return fmt.Sprint(*field(o))
		},
		check: func(o *T) error {
			if _, ok := lookup(*field(o)); !ok {
				return fmt.Errorf("not one of %s", rng)
			}
			return nil
		},
	}
}

func containsFold(list []string, s string) bool {
	for _, a := range list {
		if strings.EqualFold(a, s) {
			return true
		}
	}
	return false
}

// Duration declares a duration knob: a Go duration ("100ms", "2s") in
// [lo, hi].
func Duration[T any](name string, field func(*T) *time.Duration, lo, hi time.Duration, doc string) Knob[T] {
	rng := lo.String() + "–" + hi.String()
	inRange := func(v time.Duration) error {
		if v < lo || v > hi {
			return fmt.Errorf("out of range %s", rng)
		}
		return nil
	}
	return Knob[T]{
		info: Info{Name: name, Kind: KindDuration, Range: rng, Min: float64(lo), Max: float64(hi), Doc: doc},
		parse: func(o *T, s string) error {
			v, err := time.ParseDuration(strings.TrimSpace(s))
			if err != nil {
				return &reasonError{"not a duration (want e.g. 100ms, 2s, 1m30s)", err}
			}
			if err := inRange(v); err != nil {
				return err
			}
			*field(o) = v
			return nil
		},
		format: func(o *T) string { return field(o).String() },
		check:  func(o *T) error { return inRange(*field(o)) },
	}
}

// unitsError is a failure of package units, which says what it wants,
// without the package's prefix.
func unitsError(err error) error {
	return &reasonError{strings.TrimPrefix(err.Error(), "units: "), err}
}

// reasonError is a parse failure: a reason in the knob's terms, wrapping
// the parser's own error.
type reasonError struct {
	reason string
	err    error
}

func (e *reasonError) Error() string { return e.reason }
func (e *reasonError) Unwrap() error { return e.err }
