package report

import (
	"slices"
	"sort"

	"github.com/kvlab/kvlab/bench"
)

// groupByLabel splits one workload's results into the repetitions of each
// engine or sweep point (--count), in order of first appearance.
func groupByLabel(rs []*bench.Result) [][]*bench.Result {
	var groups [][]*bench.Result
	index := map[string]int{}
	for _, r := range rs {
		i, ok := index[r.Label()]
		if !ok {
			i = len(groups)
			index[r.Label()] = i
			groups = append(groups, nil)
		}
		groups[i] = append(groups[i], r)
	}
	return groups
}

// repeated reports whether any group holds more than one repetition.
func repeated(groups [][]*bench.Result) bool {
	return slices.ContainsFunc(groups, func(g []*bench.Result) bool { return len(g) > 1 })
}

// representative returns the repetition of median run throughput: the one
// whose text rows and reading stand for the group.
func representative(g []*bench.Result) *bench.Result {
	s := slices.Clone(g)
	sort.SliceStable(s, func(i, j int) bool { return runOps(s[i]) < runOps(s[j]) })
	return s[(len(s)-1)/2]
}

func runOps(r *bench.Result) float64 {
	if r.Run == nil {
		return 0
	}
	return r.Run.OpsPerSec
}

// renderRepeated renders a row over repetitions: per group, the median of
// the repetitions that have the figure and, when they differ, its range
// ("412.3k (398.1k–420.0k)"); the best median marked. Text rows show the
// representative's text.
func renderRepeated(rw row, groups [][]*bench.Result) ([]string, bool) {
	reps := make([]*bench.Result, len(groups))
	for i, g := range groups {
		reps[i] = representative(g)
	}
	if rw.text != nil {
		return renderRow(rw, reps)
	}
	meds := make([]float64, len(groups))
	have := make([]bool, len(groups))
	spans := make([]string, len(groups))
	n := 0
	for i, g := range groups {
		var vals []float64
		for _, r := range g {
			if v, ok := rw.value(r); ok {
				vals = append(vals, v)
			}
		}
		if len(vals) == 0 {
			continue
		}
		slices.Sort(vals)
		m := len(vals) / 2
		meds[i] = vals[m]
		if len(vals)%2 == 0 {
			meds[i] = (vals[m-1] + vals[m]) / 2
		}
		have[i] = true
		n++
		if lo, hi := rw.format(vals[0]), rw.format(vals[len(vals)-1]); lo != hi {
			spans[i] = " (" + lo + "–" + hi + ")"
		}
	}
	if n == 0 {
		return nil, false
	}
	best := bestIndex(rw.better, reps, meds, competing(rw, reps, have), rw.format)
	cells := make([]string, len(groups))
	for i := range groups {
		switch {
		case !have[i]:
			cells[i] = "- "
		case rw.buffered != nil && rw.buffered(reps[i]):
			cells[i] = rw.format(meds[i]) + spans[i] + bufferedMark
		case best >= 0 && rw.format(meds[i]) == rw.format(meds[best]):
			cells[i] = rw.format(meds[i]) + spans[i] + bestMark
		default:
			cells[i] = rw.format(meds[i]) + spans[i] + " "
		}
	}
	return cells, true
}
