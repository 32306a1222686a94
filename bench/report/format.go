package report

import (
	"fmt"
	"math"
	"time"

	"github.com/kvlab/kvlab/internal/units"
)

// formatRate renders operations per second: 950, 12.3k, 1.20M.
func formatRate(v float64) string {
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%.2fM", v/1e6)
	case v >= 1e4:
		return fmt.Sprintf("%.1fk", v/1e3)
	case v >= 1e3:
		return fmt.Sprintf("%.2fk", v/1e3)
	default:
		return fmt.Sprintf("%.0f", v)
	}
}

// formatNanos renders a latency: 850ns, 4.1µs, 12.3ms, 1.20s.
func formatNanos(v float64) string {
	d := time.Duration(v)
	switch {
	case d < time.Microsecond:
		return fmt.Sprintf("%dns", int64(d))
	case d < 100*time.Microsecond:
		return fmt.Sprintf("%.1fµs", v/1e3)
	case d < time.Millisecond:
		return fmt.Sprintf("%.0fµs", v/1e3)
	case d < 100*time.Millisecond:
		return fmt.Sprintf("%.1fms", v/1e6)
	case d < time.Second:
		return fmt.Sprintf("%.0fms", v/1e6)
	default:
		return fmt.Sprintf("%.2fs", v/1e9)
	}
}

// formatRatio renders an amplification or other ratio with three
// significant digits.
func formatRatio(v float64) string {
	switch {
	case v == 0:
		return "0"
	case math.Abs(v) < 0.005:
		return "≈0"
	case math.Abs(v) >= 100:
		return fmt.Sprintf("%.0f", v)
	case math.Abs(v) >= 10:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.2f", v)
	}
}

func formatBytes(v float64) string { return units.FormatSize(int64(v)) }

func formatCount(v float64) string {
	if v >= 1e4 {
		return formatRate(v)
	}
	return fmt.Sprintf("%.0f", v)
}

func formatPercent(v float64) string { return fmt.Sprintf("%.1f%%", v*100) }

func formatSeconds(v float64) string { return formatNanos(v * 1e9) }

// formatTimes renders a speed-up factor: 3.1×.
func formatTimes(v float64) string {
	if v >= 10 {
		return fmt.Sprintf("%.0f×", v)
	}
	return fmt.Sprintf("%.1f×", v)
}

// formatMicros renders db_bench's micros/op: 2.345, 12.35, 123.5.
func formatMicros(v float64) string {
	switch {
	case v >= 100:
		return fmt.Sprintf("%.1f", v)
	case v >= 10:
		return fmt.Sprintf("%.2f", v)
	default:
		return fmt.Sprintf("%.3f", v)
	}
}

// formatMiBPerSec renders user bytes per second in MiB/s (db_bench's
// "MB/s"): 47.1, 0.85.
func formatMiBPerSec(v float64) string {
	if v >= 10 {
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.2f", v)
}
