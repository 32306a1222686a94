package units

import (
	"strings"
	"testing"
)

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{
		"0": 0, "4096": 4096, "4KiB": 4096, "64MiB": 64 << 20, "1GB": 1e9, "1.5KiB": 1536,
		"2KiB": 2048, "10B": 10, " 8 MiB ": 8 << 20, "1TiB": 1 << 40, "0.5KiB": 512,
	} {
		got, err := ParseSize(in)
		if err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "-1", "abc", "4XB", "1e400", "NaN", "Inf", "1.5B", "1.3", "0.1KiB"} {
		if _, err := ParseSize(bad); err == nil {
			t.Errorf("ParseSize(%q) succeeded", bad)
		}
	}
	// A bare K, M, G or T is ambiguous in a size: the error names both readings.
	for in, want := range map[string]string{"64M": "64MiB", "2K": "2KiB", "1g": "1GiB", "4kB": "4KiB"} {
		_, err := ParseSize(in)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), strings.TrimSuffix(want, "iB")+"B") {
			t.Errorf("ParseSize(%q) = %v, want an error suggesting %s", in, err, want)
		}
	}
}

func TestParseCount(t *testing.T) {
	for in, want := range map[string]int64{"0": 0, "1000": 1000, "10k": 10000, "1M": 1000000, "2.5k": 2500} {
		got, err := ParseCount(in)
		if err != nil || got != want {
			t.Errorf("ParseCount(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "-5", "x", "1Q", "1.5", "NaN", "Inf", "1e30", "0.0001k"} {
		if _, err := ParseCount(bad); err == nil {
			t.Errorf("ParseCount(%q) succeeded", bad)
		}
	}
}

func TestFormatSizeRoundTrips(t *testing.T) {
	for _, n := range []int64{0, 512, 4096, 64 << 20, 3 << 30} {
		s := FormatSize(n)
		got, err := ParseSize(s)
		if err != nil || float64(got) < float64(n)*0.99 || float64(got) > float64(n)*1.01 {
			t.Errorf("FormatSize(%d) = %q parses back as %d, %v", n, s, got, err)
		}
	}
}

func TestParseBool(t *testing.T) {
	for in, want := range map[string]bool{"true": true, "on": true, "1": true, "false": false, "NO": false} {
		if got, err := ParseBool(in); err != nil || got != want {
			t.Errorf("ParseBool(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := ParseBool("maybe"); err == nil {
		t.Error("ParseBool(maybe) succeeded")
	}
}

func TestFormatSizeExact(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 1: "1B", 1000: "1000B", 1024: "1KiB", 1536: "1536B", 64 << 20: "64MiB", 3 << 40: "3TiB", 5 << 30: "5GiB"} {
		if got := FormatSizeExact(n); got != want {
			t.Errorf("FormatSizeExact(%d) = %q, want %q", n, got, want)
		}
		if back, err := ParseSize(want); err != nil || back != n {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", want, back, err, n)
		}
	}
}
