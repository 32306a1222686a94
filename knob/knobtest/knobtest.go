// Package knobtest checks an engine's knob table (a knob.Set): that it is
// documented, that every default survives formatting and parsing, and that
// random values in each knob's range do too. An engine's test calls Run
// with its Set.
package knobtest

import (
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kvlab/kvlab/internal/units"
	"github.com/kvlab/kvlab/knob"
)

// Trials is the number of random values Run tries per knob.
const Trials = 200

// Run checks the set: every knob is named and documented once; the
// defaults pass Check and Validate; formatting the defaults and parsing
// them back gives the defaults; and for Trials random values v in each
// knob's range, parse(format(v)) == v and formatting is stable. A value
// just outside a numeric knob's range must fail with an error wrapping
// knob.ErrInvalid that prints the range.
func Run[T any](t *testing.T, s *knob.Set[T]) {
	t.Helper()
	seen := map[string]bool{}
	for _, in := range s.Describe() {
		if in.Name == "" || in.Doc == "" || in.Default == "" || seen[in.Name] {
			t.Errorf("%s: knob %+v is unnamed, undocumented, without a default or named twice", s.Name, in)
		}
		seen[in.Name] = true
	}
	defaults := s.Defaults()
	if _, err := s.Apply(defaults, nil); err != nil {
		t.Fatalf("%s: the defaults are refused: %v", s.Name, err)
	}
	written := s.Format(defaults)
	for _, in := range s.Describe() {
		if written[in.Name] != in.Default {
			t.Errorf("%s.%s: Format gives %q, Describe %q", s.Name, in.Name, written[in.Name], in.Default)
		}
	}
	parsed, err := s.Parse(written)
	if err != nil {
		t.Fatalf("%s: the formatted defaults %v do not parse: %v", s.Name, written, err)
	}
	if !reflect.DeepEqual(parsed, defaults) {
		t.Errorf("%s: the formatted defaults parse as %+v, want %+v", s.Name, parsed, defaults)
	}
	rng := rand.New(rand.NewPCG(1, uint64(len(s.Knobs))))
	for _, in := range s.Describe() {
		for range Trials {
			roundTrip(t, s, in, random(rng, in))
		}
		outside(t, s, in)
	}
}

// roundTrip sets one knob from v, formats it, parses that, and checks that
// the value and its text are unchanged.
func roundTrip[T any](t *testing.T, s *knob.Set[T], in knob.Info, v string) {
	t.Helper()
	o := s.Defaults()
	if err := s.Set(&o, in.Name, v); err != nil {
		t.Errorf("%s.%s=%s (in range %s): %v", s.Name, in.Name, v, in.Range, err)
		return
	}
	text, _ := s.Get(o, in.Name)
	o2 := s.Defaults()
	if err := s.Set(&o2, in.Name, text); err != nil {
		t.Errorf("%s.%s: %q (formatted from %q) does not parse: %v", s.Name, in.Name, text, v, err)
		return
	}
	if !reflect.DeepEqual(o, o2) {
		t.Errorf("%s.%s: %q parses as %+v, its formatted %q as %+v", s.Name, in.Name, v, o, text, o2)
	}
	if again, _ := s.Get(o2, in.Name); again != text {
		t.Errorf("%s.%s: formats as %q, then %q", s.Name, in.Name, text, again)
	}
	if !sameValue(in.Kind, v, text) {
		t.Errorf("%s.%s: %q formats as %q, another value", s.Name, in.Name, v, text)
	}
}

// sameValue reports whether two spellings of a value of kind k are equal.
func sameValue(k knob.Kind, a, b string) bool {
	switch k {
	case knob.KindSize:
		x, err1 := units.ParseSize(a)
		y, err2 := units.ParseSize(b)
		return err1 == nil && err2 == nil && x == y
	case knob.KindCount:
		x, err1 := units.ParseCount(a)
		y, err2 := units.ParseCount(b)
		return err1 == nil && err2 == nil && x == y
	case knob.KindFloat:
		x, err1 := strconv.ParseFloat(a, 64)
		y, err2 := strconv.ParseFloat(b, 64)
		return err1 == nil && err2 == nil && x == y
	case knob.KindBool:
		x, err1 := units.ParseBool(a)
		y, err2 := units.ParseBool(b)
		return err1 == nil && err2 == nil && x == y
	case knob.KindDuration:
		x, err1 := time.ParseDuration(a)
		y, err2 := time.ParseDuration(b)
		return err1 == nil && err2 == nil && x == y
	}
	return strings.EqualFold(a, b)
}

// random returns a random value in the knob's range, spelled in one of the
// ways the knob takes.
func random(r *rand.Rand, in knob.Info) string {
	switch in.Kind {
	case knob.KindSize:
		n := randomInt(r, int64(in.Min), int64(in.Max))
		for _, shift := range []uint{40, 30, 20, 10} {
			if m := n &^ (1<<shift - 1); m >= int64(in.Min) && m > 0 && r.IntN(3) == 0 {
				return strconv.FormatInt(m>>shift, 10) + []string{10: "KiB", 20: "MiB", 30: "GiB", 40: "TiB"}[shift]
			}
		}
		if r.IntN(2) == 0 {
			return strconv.FormatInt(n, 10) + "B"
		}
		return strconv.FormatInt(n, 10)
	case knob.KindCount:
		n := randomInt(r, int64(in.Min), int64(in.Max))
		if n%1000 == 0 && n > 0 {
			return strconv.FormatInt(n/1000, 10) + "k"
		}
		return strconv.FormatInt(n, 10)
	case knob.KindFloat:
		return strconv.FormatFloat(in.Min+r.Float64()*(in.Max-in.Min), 'g', -1, 64)
	case knob.KindBool:
		return strconv.FormatBool(r.IntN(2) == 0)
	case knob.KindEnum:
		return in.Choices[r.IntN(len(in.Choices))]
	case knob.KindDuration:
		return time.Duration(randomInt(r, int64(in.Min), int64(in.Max))).String()
	}
	return in.Default
}

// randomInt returns an integer in [lo, hi], spread over the orders of
// magnitude of the range rather than uniformly.
func randomInt(r *rand.Rand, lo, hi int64) int64 {
	if hi <= lo {
		return lo
	}
	span := float64(hi-lo) + 1
	n := lo + int64(math.Pow(span, r.Float64())) - 1
	return min(max(n, lo), hi)
}

// outside checks that values just outside a numeric knob's range are
// refused with an error that prints the range.
func outside[T any](t *testing.T, s *knob.Set[T], in knob.Info) {
	t.Helper()
	var bad []string // the first nRange are out of range, the rest malformed
	nRange := 0
	switch in.Kind {
	case knob.KindSize, knob.KindCount:
		bad = append(bad, strconv.FormatInt(int64(in.Max)+1, 10))
		if in.Min > 0 {
			bad = append(bad, strconv.FormatInt(int64(in.Min)-1, 10))
		}
		nRange = len(bad)
		if in.Kind == knob.KindCount {
			bad = append(bad, "1.5")
		}
	case knob.KindFloat:
		bad, nRange = append(bad, strconv.FormatFloat(in.Max*2+1, 'g', -1, 64)), 1
		bad = append(bad, "NaN", "Inf")
	case knob.KindEnum:
		bad = append(bad, "no-such-choice")
	case knob.KindBool:
		bad = append(bad, "maybe")
	}
	for i, v := range bad {
		o := s.Defaults()
		err := s.Set(&o, in.Name, v)
		if !errors.Is(err, knob.ErrInvalid) || !strings.Contains(err.Error(), s.Name+"."+in.Name) {
			t.Errorf("%s.%s=%s: %v; want an error wrapping knob.ErrInvalid naming the option", s.Name, in.Name, v, err)
		} else if i < nRange && !strings.Contains(err.Error(), in.Range) {
			t.Errorf("%s.%s=%s: %v; want the range %s", s.Name, in.Name, v, err, in.Range)
		}
	}
}
