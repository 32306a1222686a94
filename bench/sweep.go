package bench

import (
	"strings"
)

// SweepAxis is one engine option varied over a list of values.
type SweepAxis struct {
	Engine, Option string
	Values         []string
}

// Key returns "engine.option".
func (a SweepAxis) Key() string { return a.Engine + "." + a.Option }

// ParseSweepAxis parses "lsm.bloom-bits=0,2,5,10,20". A single value is an
// axis of one point (a fixed setting). Errors match ErrConfig.
func ParseSweepAxis(s string) (SweepAxis, error) {
	name, list, ok := strings.Cut(s, "=")
	engine, opt, ok2 := strings.Cut(name, ".")
	if !ok || !ok2 || engine == "" || opt == "" {
		return SweepAxis{}, configErrorf("bad --set %q: want ENGINE.NAME=V1,V2,..., e.g. lsm.bloom-bits=0,5,10", s)
	}
	var vals []string
	for _, v := range strings.Split(list, ",") {
		if v = strings.TrimSpace(v); v == "" {
			return SweepAxis{}, configErrorf("--set %q: empty value in the list", s)
		}
		vals = append(vals, v)
	}
	return SweepAxis{Engine: engine, Option: opt, Values: vals}, nil
}

// SweepPoints returns every combination of the axes' values, the first
// axis varying slowest, each as "engine.option" -> value.
func SweepPoints(axes []SweepAxis) []map[string]string {
	points := []map[string]string{{}}
	for _, a := range axes {
		var next []map[string]string
		for _, p := range points {
			for _, v := range a.Values {
				q := make(map[string]string, len(p)+1)
				for k, x := range p {
					q[k] = x
				}
				q[a.Key()] = v
				next = append(next, q)
			}
		}
		points = next
	}
	return points
}
