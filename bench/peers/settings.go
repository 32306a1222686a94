package peers

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/kvlab/kvlab"
	"github.com/kvlab/kvlab/internal/units"
	"github.com/kvlab/kvlab/vfs"
)

// settings reads an engine's string settings against its knobs: a missing
// setting takes the knob's Default, so the defaults are written once (in the
// knob table). The first bad value is kept and reported by done, together
// with any name the engine has no knob for.
type settings struct {
	engine string
	knobs  []kvlab.Knob
	m      map[string]string
	err    error
}

func newSettings(engine string, knobs []kvlab.Knob, o kvlab.Options) (*settings, error) {
	if _, mem := o.FS.(*vfs.MemFS); mem {
		return nil, fmt.Errorf("peers: %s uses the operating system's files and cannot run on an in-memory vfs", engine)
	}
	return &settings{engine: engine, knobs: knobs, m: o.Settings}, nil
}

// raw returns the setting or the knob's default.
func (s *settings) raw(name string) string {
	if v, ok := s.m[name]; ok {
		return v
	}
	i := slices.IndexFunc(s.knobs, func(k kvlab.Knob) bool { return k.Name == name })
	if i < 0 {
		panic("peers: no knob " + s.engine + "." + name)
	}
	return s.knobs[i].Default
}

func (s *settings) fail(name, format string, args ...any) {
	if s.err == nil {
		s.err = fmt.Errorf("peers: %s.%s: %s", s.engine, name, fmt.Sprintf(format, args...))
	}
}

// size parses a byte size within [lo, hi].
func (s *settings) size(name string, lo, hi int64) int64 {
	v, err := units.ParseSize(s.raw(name))
	if err != nil {
		s.fail(name, "%v", err)
		return 0
	}
	if v < lo || v > hi {
		s.fail(name, "%s is out of range [%s, %s]", s.raw(name), units.FormatSize(lo), units.FormatSize(hi))
	}
	return v
}

// count parses a count within [lo, hi].
func (s *settings) count(name string, lo, hi int64) int64 {
	v, err := units.ParseCount(s.raw(name))
	if err != nil {
		s.fail(name, "%v", err)
		return 0
	}
	if v < lo || v > hi {
		s.fail(name, "%s is out of range [%d, %d]", s.raw(name), lo, hi)
	}
	return v
}

// boolean parses a boolean.
func (s *settings) boolean(name string) bool {
	v, err := units.ParseBool(s.raw(name))
	if err != nil {
		s.fail(name, "%v", err)
	}
	return v
}

// choice returns the setting, which must be one of allowed.
func (s *settings) choice(name string, allowed ...string) string {
	v := strings.ToLower(strings.TrimSpace(s.raw(name)))
	if !slices.Contains(allowed, v) {
		s.fail(name, "%q is not one of %s", s.raw(name), strings.Join(allowed, ", "))
	}
	return v
}

// done returns the first bad value, or an error wrapping
// kvlab.ErrUnknownOption for a name the engine has no knob for.
func (s *settings) done() error {
	if s.err != nil {
		return s.err
	}
	var unknown []string
	for name := range s.m {
		if !slices.ContainsFunc(s.knobs, func(k kvlab.Knob) bool { return k.Name == name }) {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		var known []string
		for _, k := range s.knobs {
			known = append(known, k.Name)
		}
		return fmt.Errorf("%w %s.%s (known: %s)", kvlab.ErrUnknownOption, s.engine, unknown[0], strings.Join(known, ", "))
	}
	return nil
}
