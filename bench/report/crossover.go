package report

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/kvlab/kvlab/bench"
)

// Crossover is where, along a sweep of several engines, one engine
// overtakes another on a figure.
type Crossover struct {
	// Figure is "throughput" or "p99".
	Figure string
	// Leader leads at the first point; Overtaker leads from After on.
	Leader, Overtaker string
	// Before and After are the sweep points (labels) either side of the
	// crossing.
	Before, After string
}

// ThroughputOf is the throughput a crossover compares: on a simulated
// device the modelled one, else the measured one.
func ThroughputOf(p *bench.Phase) float64 {
	if p.Device != nil {
		return p.Device.OpsPerSec
	}
	return p.OpsPerSec
}

// P99Of is the p99 a crossover compares (the worst operation kind's): on a
// simulated device the modelled one, else the measured one.
func P99Of(p *bench.Phase) float64 {
	if p.Device != nil {
		return float64(worstDeviceP99(p))
	}
	return float64(worstP99(p))
}

// Crossovers finds, for each pair of engines in a sweep over one numeric
// option, the points between which the leader on throughput and on p99
// changes.
func Crossovers(rs []*bench.Result) []Crossover {
	keys := sweepKeys(rs)
	if len(keys) != 1 {
		return nil
	}
	key := keys[0]
	x := func(r *bench.Result) float64 { v, _ := strconv.ParseFloat(r.Sweep[key], 64); return v }
	byEngine := map[string]map[string]*bench.Result{}
	var xs []string
	for _, r := range rs {
		if r.Run == nil {
			continue
		}
		if byEngine[r.Engine] == nil {
			byEngine[r.Engine] = map[string]*bench.Result{}
		}
		byEngine[r.Engine][r.Sweep[key]] = r
		if !slices.Contains(xs, r.Sweep[key]) {
			xs = append(xs, r.Sweep[key])
		}
	}
	slices.SortFunc(xs, func(a, b string) int {
		return cmp.Compare(x(&bench.Result{Sweep: map[string]string{key: a}}), x(&bench.Result{Sweep: map[string]string{key: b}}))
	})
	engines := slices.Sorted(maps.Keys(byEngine))
	var out []Crossover
	for i, a := range engines {
		for _, b := range engines[i+1:] {
			for _, fig := range []struct {
				name   string
				f      func(*bench.Phase) float64
				better int
			}{{"throughput", ThroughputOf, +1}, {"p99", P99Of, -1}} {
				lead := "" // the engine ahead at the previous point
				prev := ""
				for _, v := range xs {
					ra, rb := byEngine[a][v], byEngine[b][v]
					if ra == nil || rb == nil {
						continue
					}
					fa, fb := fig.f(ra.Run), fig.f(rb.Run)
					if fa <= 0 || fb <= 0 {
						continue
					}
					now := a
					if (fb-fa)*float64(fig.better) > 0 {
						now = b
					}
					if lead != "" && now != lead {
						out = append(out, Crossover{Figure: fig.name, Leader: lead, Overtaker: now,
							Before: key + "=" + prev, After: key + "=" + v})
					}
					lead, prev = now, v
				}
			}
		}
	}
	return out
}

// crossoverLines is the reading of a sweep of several engines: where one
// overtakes another, or that none does.
func crossoverLines(rs []*bench.Result) []string {
	var lines []string
	for _, c := range Crossovers(rs) {
		lines = append(lines, fmt.Sprintf("%s overtakes %s in %s between %s and %s", c.Overtaker, c.Leader, c.Figure, c.Before, c.After))
	}
	if len(lines) == 0 {
		lines = append(lines, "no engine overtakes another in throughput or p99 across the points")
	}
	dev := ""
	if slices.ContainsFunc(rs, func(r *bench.Result) bool { return r.Run != nil && r.Run.Device != nil }) {
		dev = " on the simulated device"
	}
	return append(lines, "compared"+dev+": "+strings.TrimSpace("throughput and the worst operation's p99"))
}
