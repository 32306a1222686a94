package knob_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/kvlab/kvlab/knob"
	"github.com/kvlab/kvlab/knob/knobtest"
)

// opts is an options struct with a field of every kind.
type opts struct {
	Size     int64
	SmallInt int
	Count    int
	Ratio    float64
	On       bool
	Codec    string
	Fast     bool
	Wait     time.Duration
}

var set = &knob.Set[opts]{
	Name: "test",
	Defaults: func() opts {
		return opts{Size: 64 << 20, SmallInt: 4 << 10, Count: 4, Ratio: 10, Codec: "snappy", Fast: true, Wait: time.Second}
	},
	Knobs: []knob.Knob[opts]{
		knob.Size("size", func(o *opts) *int64 { return &o.Size }, 64<<10, 1<<30, "a size"),
		knob.Size("small", func(o *opts) *int { return &o.SmallInt }, 0, 64<<10, "a size in an int"),
		knob.Count("count", func(o *opts) *int { return &o.Count }, 1, 1_000_000, "a count"),
		knob.Float("ratio", func(o *opts) *float64 { return &o.Ratio }, 2, 1000, "a float"),
		knob.Bool("on", func(o *opts) *bool { return &o.On }, "a bool"),
		knob.Enum("codec", func(o *opts) *string { return &o.Codec },
			[]knob.Choice[string]{{Name: "snappy", Value: "snappy"}, {Name: "zstd", Value: "zstd"}, {Name: "none", Value: "none", Aliases: []string{"off"}}}, "an enum over a string"),
		knob.Enum("fast", func(o *opts) *bool { return &o.Fast },
			[]knob.Choice[bool]{{Name: "yes", Value: true, Aliases: []string{"true"}}, {Name: "no", Value: false}}, "an enum over a bool"),
		knob.Duration("wait", func(o *opts) *time.Duration { return &o.Wait }, time.Millisecond, time.Minute, "a duration"),
	},
	Validate: func(o opts) error {
		if int64(o.SmallInt) > o.Size {
			return errors.New("small is larger than size")
		}
		return nil
	},
}

func TestParse(t *testing.T) {
	for _, c := range []struct {
		name, value string
		check       func(opts) bool
	}{
		{"size", "1GiB", func(o opts) bool { return o.Size == 1<<30 }},
		{"size", "64KiB", func(o opts) bool { return o.Size == 64<<10 }},
		{"size", "100MB", func(o opts) bool { return o.Size == 100e6 }},
		{"size", " 65536 ", func(o opts) bool { return o.Size == 65536 }},
		{"small", "0", func(o opts) bool { return o.SmallInt == 0 }},
		{"small", "0.5KiB", func(o opts) bool { return o.SmallInt == 512 }},
		{"count", "1M", func(o opts) bool { return o.Count == 1_000_000 }},
		{"count", "2.5k", func(o opts) bool { return o.Count == 2500 }},
		{"count", "1e3", func(o opts) bool { return o.Count == 1000 }},
		{"ratio", "2.5", func(o opts) bool { return o.Ratio == 2.5 }},
		{"ratio", "1e3", func(o opts) bool { return o.Ratio == 1000 }},
		{"on", "yes", func(o opts) bool { return o.On }},
		{"on", "TRUE", func(o opts) bool { return o.On }},
		{"codec", "ZSTD", func(o opts) bool { return o.Codec == "zstd" }},
		{"codec", "off", func(o opts) bool { return o.Codec == "none" }},
		{"fast", "true", func(o opts) bool { return o.Fast }},
		{"fast", "no", func(o opts) bool { return !o.Fast }},
		{"wait", "1m", func(o opts) bool { return o.Wait == time.Minute }},
		{"wait", "1.5ms", func(o opts) bool { return o.Wait == 1500*time.Microsecond }},
	} {
		o, err := set.Parse(map[string]string{c.name: c.value})
		if err != nil || !c.check(o) {
			t.Errorf("%s=%s: %+v, %v", c.name, c.value, o, err)
		}
	}
}

func TestParseRefuses(t *testing.T) {
	for _, c := range []struct {
		name, value, want string
	}{
		{"size", "1KiB", "test.size=1KiB: out of range 64KiB–1GiB"},
		{"size", "2GiB", "out of range 64KiB–1GiB"},
		{"size", "64M", "ambiguous"},
		{"size", "lots", "bad size"},
		{"size", "NaN", "bad size"},
		{"size", "Inf", "bad size"},
		{"size", "-1MiB", "bad size"},
		{"size", "1.5B", "not a whole number of bytes"},
		{"small", "65537", "out of range 0–64KiB"},
		{"count", "0", "test.count=0: out of range 1–1000000"},
		{"count", "1.5", "not a whole number"},
		{"count", "2M", "out of range 1–1000000"},
		{"count", "NaN", "bad count"},
		{"count", "Inf", "bad count"},
		{"count", "-1", "bad count"},
		{"ratio", "NaN", "not a finite number"},
		{"ratio", "Inf", "not a finite number"},
		{"ratio", "-Inf", "not a finite number"},
		{"ratio", "1.5", "out of range 2–1000"},
		{"ratio", "ten", "not a finite number"},
		{"on", "maybe", "bad boolean"},
		{"codec", "lz4", "not one of snappy, zstd, none"},
		{"wait", "1h", "out of range 1ms–1m0s"},
		{"wait", "soon", "not a duration"},
	} {
		_, err := set.Parse(map[string]string{c.name: c.value})
		if !errors.Is(err, knob.ErrInvalid) || errors.Is(err, knob.ErrUnknown) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s=%s: %v; want an ErrInvalid saying %q", c.name, c.value, err, c.want)
		}
	}
}

func TestUnknownAndValidate(t *testing.T) {
	_, err := set.Parse(map[string]string{"bogus": "1", "size": "1GiB"})
	if !errors.Is(err, knob.ErrUnknown) || !strings.Contains(err.Error(), "unknown option test.bogus (known: size, small,") {
		t.Errorf("unknown knob: %v", err)
	}
	_, err = set.Parse(map[string]string{"size": "64KiB", "small": "64KiB"})
	if err != nil {
		t.Errorf("equal sizes: %v", err)
	}
	_, err = set.Parse(map[string]string{"size": "64KiB", "small": "65535B"})
	if err != nil {
		t.Errorf("small below size: %v", err)
	}
	o := set.Defaults()
	o.Size = 64 << 10
	_, err = set.Apply(o, map[string]string{"small": "64KiB"})
	if err != nil {
		t.Errorf("Apply on a base: %v", err)
	}
	o.SmallInt = 100 << 10 // out of its own range: Check speaks first
	if err := set.Check(o); !errors.Is(err, knob.ErrInvalid) || !strings.Contains(err.Error(), "test.small=100KiB: out of range 0–64KiB") {
		t.Errorf("Check: %v", err)
	}
	o = set.Defaults()
	o.Size, o.SmallInt = 64<<10, 64<<10
	o.SmallInt++
	if _, err := set.Apply(o, nil); err == nil {
		t.Error("Apply accepted a base out of range")
	}
	empty := &knob.Set[opts]{Name: "none", Defaults: func() opts { return opts{} }}
	if _, err := empty.Parse(map[string]string{"x": "1"}); !errors.Is(err, knob.ErrUnknown) || !strings.Contains(err.Error(), "none takes no options") {
		t.Errorf("a set without knobs: %v", err)
	}
}

func TestValidateRelation(t *testing.T) {
	rel := *set
	rel.Knobs = rel.Knobs[:2]
	rel.Validate = func(o opts) error {
		if o.SmallInt > 32<<10 {
			return errors.New("test: small above 32KiB")
		}
		return nil
	}
	_, err := rel.Parse(map[string]string{"small": "33KiB"})
	if !errors.Is(err, knob.ErrInvalid) || err.Error() != "test: small above 32KiB" {
		t.Errorf("Validate's error: %v", err)
	}
}

func TestApplyAny(t *testing.T) {
	v, err := set.ApplyAny(nil, map[string]string{"count": "7"})
	if o, ok := v.(opts); err != nil || !ok || o.Count != 7 || o.Size != 64<<20 {
		t.Errorf("ApplyAny(nil): %#v, %v", v, err)
	}
	base := set.Defaults()
	base.Ratio = 3
	v, err = set.ApplyAny(base, map[string]string{"count": "7"})
	if o, ok := v.(opts); err != nil || !ok || o.Count != 7 || o.Ratio != 3 {
		t.Errorf("ApplyAny(base): %#v, %v", v, err)
	}
	if _, err := set.ApplyAny(struct{}{}, nil); !errors.Is(err, knob.ErrInvalid) || !strings.Contains(err.Error(), "knob_test.opts") {
		t.Errorf("ApplyAny of another type: %v", err)
	}
}

func TestDescribe(t *testing.T) {
	want := map[string][3]string{ // kind, default, range
		"size":  {"size", "64MiB", "64KiB–1GiB"},
		"small": {"size", "4KiB", "0–64KiB"},
		"count": {"count", "4", "1–1000000"},
		"ratio": {"float", "10", "2–1000"},
		"on":    {"bool", "false", ""},
		"codec": {"enum", "snappy", "snappy, zstd, none"},
		"fast":  {"enum", "yes", "yes, no"},
		"wait":  {"duration", "1s", "1ms–1m0s"},
	}
	for _, in := range set.Describe() {
		if w := want[in.Name]; in.Kind.String() != w[0] || in.Default != w[1] || in.Range != w[2] {
			t.Errorf("%s: %s %q %q, want %v", in.Name, in.Kind, in.Default, in.Range, w)
		}
	}
}

func TestRoundTrip(t *testing.T) { knobtest.Run(t, set) }
