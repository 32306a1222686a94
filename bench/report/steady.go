package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/kvlab/kvlab/bench"
)

// writeSteadyHeader says, for runs with --steady, how each store reached
// its steady state and how many levels, compactions and checkpoints the
// measured phase covered.
func writeSteadyHeader(w io.Writer, rs []*bench.Result) {
	var before, covered []string
	for _, r := range rs {
		st := r.Steady
		if st == nil {
			continue
		}
		s := fmt.Sprintf("%s overwrote %.1f× the data (%s)", r.Label(), st.Rounds, formatBytes(float64(st.OverwrittenBytes)))
		switch {
		case st.TargetLevels > 0:
			s += fmt.Sprintf(": %d levels (model %d), %d compactions", st.Levels, st.TargetLevels, st.Compactions)
		case st.Checkpoints > 0:
			s += fmt.Sprintf(": %d checkpoints", st.Checkpoints)
		}
		if !st.Reached {
			s += " — not reached: " + st.Why
		}
		before = append(before, s)
		if p := r.Run; p != nil && p.Background != nil {
			b := p.Background
			switch {
			case p.Stats.LSM != nil:
				covered = append(covered, fmt.Sprintf("%s %d compactions, %d flushes over %d levels", r.Label(), b.Compactions, b.Flushes, b.Levels))
			case p.Stats.BTree != nil:
				covered = append(covered, fmt.Sprintf("%s %d checkpoints", r.Label(), b.Checkpoints))
			}
		}
	}
	if len(before) == 0 {
		return
	}
	fmt.Fprintf(w, "steady state first: %s\n", strings.Join(before, "; "))
	if len(covered) > 0 {
		fmt.Fprintf(w, "the measured run phase covered: %s (background work awaited before space was measured)\n", strings.Join(covered, "; "))
	}
}
