package plot

import (
	"fmt"
	"math"

	"gonum.org/v1/plot"
)

// humanTicks labels a linear axis with short numbers: 250k, 1.5M.
type humanTicks struct{}

func (humanTicks) Ticks(min, max float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(min, max)
	for i := range ticks {
		if ticks[i].Label != "" {
			ticks[i].Label = short(ticks[i].Value)
		}
	}
	return ticks
}

// logTicks labels powers of ten with short numbers and leaves the
// intermediate ticks unlabelled.
type logTicks struct{}

func (logTicks) Ticks(min, max float64) []plot.Tick {
	var ticks []plot.Tick
	labelled := 0
	for e := math.Floor(math.Log10(min)); math.Pow(10, e) <= max*1.0001; e++ {
		if v := math.Pow(10, e); v >= min {
			labelled++
		}
	}
	for e := math.Floor(math.Log10(min)); math.Pow(10, e) <= max*1.0001; e++ {
		v := math.Pow(10, e)
		ticks = append(ticks, plot.Tick{Value: v, Label: short(v)})
		for i := 2; i < 10; i++ {
			if w := v * float64(i); w <= max {
				t := plot.Tick{Value: w}
				if labelled < 2 && (i == 2 || i == 5) {
					// Less than two decades shown: label 2× and 5× too.
					t.Label = short(w)
				}
				ticks = append(ticks, t)
			}
		}
	}
	return ticks
}

// short renders a number in at most four characters where it can.
func short(v float64) string {
	a := math.Abs(v)
	switch {
	case a >= 1e9:
		return trim(v/1e9) + "G"
	case a >= 1e6:
		return trim(v/1e6) + "M"
	case a >= 1e3:
		return trim(v/1e3) + "k"
	case a == 0:
		return "0"
	case a < 0.01:
		return fmt.Sprintf("%.0e", v)
	default:
		return trim(v)
	}
}

// trim renders v with three significant digits, without trailing zeros.
func trim(v float64) string {
	prec := 2
	switch a := math.Abs(v); {
	case a >= 100:
		prec = 0
	case a >= 10:
		prec = 1
	}
	s := fmt.Sprintf("%.*f", prec, v)
	if prec == 0 {
		return s
	}
	for len(s) > 1 && s[len(s)-1] == '0' {
		s = s[:len(s)-1]
	}
	if s[len(s)-1] == '.' {
		s = s[:len(s)-1]
	}
	return s
}

func rate(v float64) string  { return short(v) }
func ratio(v float64) string { return trim(v) }
