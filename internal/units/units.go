// Package units parses and formats the byte sizes and counts that engine
// options and CLI flags take: "64MiB", "4KiB", "1.5GB", "1000000", "1M".
package units

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

var sizeSuffixes = []struct {
	s string
	m float64
}{
	{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40},
	{"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12},
	{"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"T", 1 << 40},
	{"B", 1},
}

// ParseSize parses a byte size: a non-negative number with an optional
// suffix B, KB/MB/GB/TB (powers of 1000), KiB/MiB/GiB/TiB or K/M/G/T
// (powers of 1024). Suffixes are case-sensitive except for a lone b/B.
func ParseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	mult := 1.0
	for _, suf := range sizeSuffixes {
		if strings.HasSuffix(t, suf.s) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, suf.s)), suf.m
			break
		}
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || v < 0 || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, fmt.Errorf("units: bad size %q (want e.g. 4096, 4KiB, 64MiB, 1GB)", s)
	}
	r := v * mult
	if r > math.MaxInt64/2 {
		return 0, fmt.Errorf("units: size %q is too large", s)
	}
	return int64(math.Round(r)), nil
}

// FormatSize renders a byte count with a binary suffix: 4096 -> "4.0KiB".
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

// ParseCount parses a non-negative count with an optional decimal suffix
// k, K (thousand), m, M (million) or g, G (billion): "1000", "10k", "1M".
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
	if err != nil || v < 0 || math.IsNaN(v) || v*float64(mult) > math.MaxInt64/2 {
		return 0, fmt.Errorf("units: bad count %q (want a non-negative number such as 1000, 10k, 1M)", s)
	}
	return int64(math.Round(v * float64(mult))), nil
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
