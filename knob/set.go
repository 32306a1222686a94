package knob

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// ErrUnknown is wrapped by the error for a setting no knob is named for.
var ErrUnknown = errors.New("unknown option")

// ErrInvalid is wrapped by the error for a value a knob refuses (not of its
// kind, out of its range) or the engine refuses (Set.Validate).
var ErrInvalid = errors.New("invalid option")

// Set is an engine's knobs over its options struct T: the one table that
// parses, formats, checks and documents the engine's options.
type Set[T any] struct {
	// Name is the engine's name: errors name options as Name.knob, as
	// --set takes them ("lsm.memtable-size").
	Name string
	// Defaults returns the engine's default options; each knob's
	// documented default is formatted from it.
	Defaults func() T
	// Knobs are the options, in the order help lists them.
	Knobs []Knob[T]
	// Adjust, if set, runs after settings are applied and before the
	// checks, with the settings given: a default derived from another knob
	// can yield there to an explicit value.
	Adjust func(o *T, given map[string]string)
	// Validate, if set, checks what the knobs' ranges cannot, such as
	// relations between knobs; it runs after Check. Its error is reported
	// as it is, wrapped so that it also matches ErrInvalid.
	Validate func(T) error
}

// Table is a Set seen without its options type, as a registry of engines
// holds it. *Set[T] implements it.
type Table interface {
	// Describe documents the knobs, defaults included.
	Describe() []Info
	// ApplyAny applies settings on top of base, which is nil (the
	// defaults) or a value of the options type, and returns the checked
	// options as that type.
	ApplyAny(base any, settings map[string]string) (any, error)
}

var _ Table = (*Set[struct{}])(nil)

// Describe documents the knobs in order, each with its default.
func (s *Set[T]) Describe() []Info {
	d := s.Defaults()
	out := make([]Info, len(s.Knobs))
	for i, k := range s.Knobs {
		out[i] = k.info
		out[i].Default = k.format(&d)
	}
	return out
}

// Names returns the knobs' names in order.
func (s *Set[T]) Names() []string {
	out := make([]string, len(s.Knobs))
	for i, k := range s.Knobs {
		out[i] = k.info.Name
	}
	return out
}

// Parse applies settings on top of the defaults; see Apply.
func (s *Set[T]) Parse(settings map[string]string) (T, error) {
	return s.Apply(s.Defaults(), settings)
}

// Apply applies settings, by knob name, on top of base and checks the
// result (Check, then Validate). A name with no knob is an error wrapping
// ErrUnknown; a value the knob or the engine refuses, one wrapping
// ErrInvalid. Settings are applied in name order and the first error is
// returned, with base unchanged.
func (s *Set[T]) Apply(base T, settings map[string]string) (T, error) {
	o := base
	for _, name := range slices.Sorted(maps.Keys(settings)) {
		if err := s.Set(&o, name, settings[name]); err != nil {
			return base, err
		}
	}
	if s.Adjust != nil {
		s.Adjust(&o, settings)
	}
	if err := s.Check(o); err != nil {
		return base, err
	}
	if s.Validate != nil {
		if err := s.Validate(o); err != nil {
			return base, &invalidError{err}
		}
	}
	return o, nil
}

// ApplyAny implements Table: base is nil for the defaults, else a T.
func (s *Set[T]) ApplyAny(base any, settings map[string]string) (any, error) {
	var o T
	switch b := base.(type) {
	case nil:
		o = s.Defaults()
	case T:
		o = b
	default:
		return nil, &invalidError{fmt.Errorf("%s takes options of type %T, not %T", s.Name, o, base)}
	}
	return s.Apply(o, settings)
}

// Set sets one knob of o from a string, checking the value against the
// knob's range but not the options as a whole.
func (s *Set[T]) Set(o *T, name, value string) error {
	k, err := s.knob(name)
	if err != nil {
		return err
	}
	if err := k.parse(o, value); err != nil {
		return s.valueError(name, value, err)
	}
	return nil
}

// Get formats one knob of o as Set takes it.
func (s *Set[T]) Get(o T, name string) (string, error) {
	k, err := s.knob(name)
	if err != nil {
		return "", err
	}
	return k.format(&o), nil
}

// Format returns every knob of o by name, formatted as Set takes it.
func (s *Set[T]) Format(o T) map[string]string {
	out := make(map[string]string, len(s.Knobs))
	for _, k := range s.Knobs {
		out[k.info.Name] = k.format(&o)
	}
	return out
}

// Check reports the first field of o outside its knob's range, as an error
// wrapping ErrInvalid. It does not call Validate.
func (s *Set[T]) Check(o T) error {
	for _, k := range s.Knobs {
		if err := k.check(&o); err != nil {
			return s.valueError(k.info.Name, k.format(&o), err)
		}
	}
	return nil
}

func (s *Set[T]) knob(name string) (*Knob[T], error) {
	i := slices.IndexFunc(s.Knobs, func(k Knob[T]) bool { return k.info.Name == name })
	if i < 0 {
		if len(s.Knobs) == 0 {
			return nil, fmt.Errorf("%w %s.%s: %s takes no options", ErrUnknown, s.Name, name, s.Name)
		}
		return nil, fmt.Errorf("%w %s.%s (known: %s)", ErrUnknown, s.Name, name, strings.Join(s.Names(), ", "))
	}
	return &s.Knobs[i], nil
}

// valueError reports a refused value as "engine.knob=value: reason".
func (s *Set[T]) valueError(name, value string, reason error) error {
	return &invalidError{fmt.Errorf("%s.%s=%s: %w", s.Name, name, value, reason)}
}

// invalidError marks an error as matching ErrInvalid without changing its
// text.
type invalidError struct{ err error }

func (e *invalidError) Error() string   { return e.err.Error() }
func (e *invalidError) Unwrap() []error { return []error{ErrInvalid, e.err} }
