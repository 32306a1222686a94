// Package units parses and formats the byte sizes and counts that engine
// options and CLI flags take: "64MiB", "4KiB", "1.5GB", "1000000", "1M".
//
// The units are settled once, here: in a size, KiB, MiB, GiB and TiB are
// powers of 1024 and KB, MB, GB and TB powers of 1000 (a bare K, M, G or T
// is refused as ambiguous); in a count, k, M and G are powers of 1000, so
// "1M" records are 1,000,000 and "1MiB" is 1,048,576 bytes. Both are whole:
// a fraction is accepted only when the result is an integer ("1.5k",
// "0.5KiB"), never "1.5" records or "1.5B".
package units

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// SizeSyntax and CountSyntax describe what ParseSize and ParseCount take,
// for help texts and error messages.
const (
	SizeSyntax  = "bytes, with an optional unit KiB, MiB, GiB, TiB (powers of 1024) or KB, MB, GB, TB (powers of 1000): 4096, 4KiB, 64MiB, 1GB"
	CountSyntax = "a whole number, with an optional k, M or G (powers of 1000): 1000, 10k, 1M"
)

var sizeSuffixes = []struct {
	s string
	m float64
}{
	{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40},
	{"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12},
	{"B", 1},
}

// maxValue bounds parsed sizes and counts, far below math.MaxInt64 so that
// products of a few of them do not overflow.
const maxValue = math.MaxInt64 / 2

// ParseSize parses a byte size: a non-negative number with an optional
// unit B, KB/MB/GB/TB (powers of 1000) or KiB/MiB/GiB/TiB (powers of
// 1024); see SizeSyntax. A bare K, M, G or T is an error that names both
// readings, and so is a size that is not a whole number of bytes.
func ParseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	mult := 1.0
	for _, suf := range sizeSuffixes {
		if strings.HasSuffix(t, suf.s) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, suf.s)), suf.m
			break
		}
	}
	if n := len(t); mult == 1 && n > 0 && strings.ContainsRune("kKmMgGtT", rune(t[n-1])) {
		u := strings.ToUpper(t[n-1:])
		return 0, fmt.Errorf("units: size %q is ambiguous: write %[2]s%[3]siB (powers of 1024) or %[2]s%[3]sB (powers of 1000)", s, t[:n-1], u)
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || v < 0 || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, fmt.Errorf("units: bad size %q (want %s)", s, SizeSyntax)
	}
	r := v * mult
	if r > maxValue {
		return 0, fmt.Errorf("units: size %q is too large", s)
	}
	if r != math.Trunc(r) {
		return 0, fmt.Errorf("units: size %q is not a whole number of bytes", s)
	}
	return int64(r), nil
}

// FormatSize renders a byte count with a binary suffix for display, rounded:
// 4096 -> "4.0KiB". FormatSizeExact renders one that parses back exactly.
func FormatSize(n int64) string {
	neg := n < 0
	if neg {
		n = -n
	}
	var s string
	switch {
	case n < 1<<10:
		s = fmt.Sprintf("%dB", n)
	case n < 1<<20:
		s = fmt.Sprintf("%.1fKiB", float64(n)/(1<<10))
	case n < 1<<30:
		s = fmt.Sprintf("%.1fMiB", float64(n)/(1<<20))
	case n < 1<<40:
		s = fmt.Sprintf("%.2fGiB", float64(n)/(1<<30))
	default:
		s = fmt.Sprintf("%.2fTiB", float64(n)/(1<<40))
	}
	if neg {
		return "-" + s
	}
	return s
}

// FormatSizeExact renders a byte count in the largest binary unit that
// divides it, so that ParseSize gives it back: 65536 -> "64KiB", 1000 ->
// "1000B", 0 -> "0".
func FormatSizeExact(n int64) string {
	if n == 0 {
		return "0"
	}
	for _, u := range []struct {
		s     string
		shift uint
	}{{"TiB", 40}, {"GiB", 30}, {"MiB", 20}, {"KiB", 10}} {
		if n%(1<<u.shift) == 0 {
			return strconv.FormatInt(n>>u.shift, 10) + u.s
		}
	}
	return strconv.FormatInt(n, 10) + "B"
}

// ParseCount parses a non-negative whole count with an optional decimal
// suffix k, K (thousand), m, M (million) or g, G (billion): "1000", "10k",
// "1M", "2.5k"; see CountSyntax. "1.5" is an error: a count is whole.
func ParseCount(s string) (int64, error) {
	t := strings.TrimSpace(s)
	mult := int64(1)
	if n := len(t); n > 0 {
		switch t[n-1] {
		case 'k', 'K':
			mult, t = 1e3, t[:n-1]
		case 'm', 'M':
			mult, t = 1e6, t[:n-1]
		case 'g', 'G':
			mult, t = 1e9, t[:n-1]
		}
	}
	v, err := strconv.ParseFloat(t, 64)
	r := v * float64(mult)
	if err != nil || v < 0 || math.IsNaN(v) || r > maxValue {
		return 0, fmt.Errorf("units: bad count %q (want %s)", s, CountSyntax)
	}
	if r != math.Trunc(r) {
		return 0, fmt.Errorf("units: count %q is not a whole number", s)
	}
	return int64(r), nil
}

// ParseBool parses true/false, yes/no, on/off, 1/0.
func ParseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "yes", "on", "1":
		return true, nil
	case "false", "no", "off", "0":
		return false, nil
	}
	return false, fmt.Errorf("units: bad boolean %q (want true or false)", s)
}
