package report

import (
	"fmt"
	"github.com/kvlab/kvlab/bench"
	"slices"
	"strings"
)

// modelFigure is one figure the cost model predicts beside a measurement.
type modelFigure struct {
	name     string // "write amp"
	measured func(*bench.Phase) float64
	model    func(*bench.Model) float64
	write    bool // shaped by the writes (bench.Model.Transient), else by the reads
}

var modelFigures = []modelFigure{
	{"write amp", func(p *bench.Phase) float64 { return p.WriteAmp }, func(m *bench.Model) float64 { return m.WriteAmp }, true},
	{"blocks per get", func(p *bench.Phase) float64 { return p.BlocksPerGet }, func(m *bench.Model) float64 { return m.BlocksPerGet }, false},
	{"space amp", func(p *bench.Phase) float64 { return p.SpaceAmp }, func(m *bench.Model) float64 { return m.SpaceAmp }, true},
}

// modelRow is the row of the model's prediction of a figure, shown under
// the measured row: only for the results that have both the measurement
// and a model, "n/a" where the figure is outside the model's domain
// (Phase.ModelNA), and never marked best (it is not a measurement).
func modelRow(label, phase string, measured func(*bench.Phase) float64, model func(*bench.Model) float64) row {
	return row{label: label, text: func(r *bench.Result) string {
		p := phaseOf(r, phase)
		if p == nil || p.Model == nil || measured(p) == 0 {
			return ""
		}
		if v := model(p.Model); v > 0 {
			return formatRatio(v)
		}
		if p.ModelNA != "" {
			return "n/a"
		}
		return ""
	}}
}

// farApart is how far apart, as a ratio, a measurement and the model's
// prediction may be before the reading explains the difference.
const farApart = 1.5

// modelReading compares each result's measured amplification with its cost
// model's prediction, a line per engine that has a model, e.g. "lsm
// measured vs its cost model (leveled compaction): write amp 1.19 vs 6.60,
// space amp 1.03 vs 1.52: short of its steady state (see the caveat)", and
// returns the caveats that say why, e.g. "lsm is short of the model's
// steady state: the phase wrote 22MiB, less than one memtable (64MiB):
// nothing was flushed, only the WAL was written".
func modelReading(rs []*bench.Result) (lines, caveats []string) {
	var whyOrder []string
	whoFor := map[string][]string{} // an account -> the engines it explains
	for _, r := range rs {
		if r.Run == nil || r.Error != "" {
			continue
		}
		var figs, whys []string
		wide := false
		for _, f := range modelFigures {
			p := r.Run
			if f.name == "write amp" && p.WriteAmp == 0 && r.Load != nil {
				p = r.Load // a read-only run: its writes were the load's
			}
			if p.Model == nil {
				continue
			}
			got, want := f.measured(p), f.model(p.Model)
			if got <= 0 || want <= 0 {
				continue
			}
			figs = append(figs, fmt.Sprintf("%s %s vs %s", f.name, formatRatio(got), formatRatio(want)))
			if max(got/want, want/got) <= farApart {
				continue
			}
			wide = true
			why := p.Model.ReadTransient
			if f.write {
				why = p.Model.Transient
				if m := writeModelOf(r); why == "" && m != nil {
					why = m.Transient // a read-only run stands on what the load wrote
				}
			}
			if why != "" && !slices.Contains(whys, why) {
				whys = append(whys, why)
			}
		}
		if len(figs) == 0 {
			continue
		}
		basis := ""
		if m := modelOf(r); m != nil {
			basis = " (" + m.Basis + ")"
		}
		s := fmt.Sprintf("%s measured vs its cost model%s: %s", r.Label(), basis, strings.Join(figs, ", "))
		switch {
		case !wide:
			s += ", within " + formatRatio(farApart) + "×"
		case len(whys) > 0:
			s += ": short of its steady state (see the caveat)"
			for _, why := range whys {
				if whoFor[why] == nil {
					whyOrder = append(whyOrder, why)
				}
				whoFor[why] = append(whoFor[why], r.Label())
			}
		default:
			s += ": the model's simplifications miss this run by more than " + formatRatio(farApart) + "×"
		}
		lines = append(lines, s)
	}
	for _, why := range whyOrder {
		who := whoFor[why]
		verb := "is"
		if len(who) > 1 {
			verb = "are"
		}
		caveats = append(caveats, fmt.Sprintf("%s %s short of the model's steady state: %s", strings.Join(who, ", "), verb, why))
	}
	return lines, caveats
}

// modelOf returns the run phase's model, else the load phase's.
func modelOf(r *bench.Result) *bench.Model {
	if r.Run != nil && r.Run.Model != nil {
		return r.Run.Model
	}
	if r.Load != nil {
		return r.Load.Model
	}
	return nil
}

// modelBases lists the engines' models: "lsm: leveled compaction; btree:
// B+tree checkpoints".
func modelBases(rs []*bench.Result) string {
	var parts []string
	for _, r := range rs {
		if m := modelOf(r); m != nil {
			if s := r.Engine + ": " + m.Basis; !slices.Contains(parts, s) {
				parts = append(parts, s)
			}
		}
	}
	return strings.Join(parts, "; ")
}

// writeModelOf returns the model of the phase whose write amplification
// writeAmpOf reports: the run's, or the load's when the run wrote nothing.
func writeModelOf(r *bench.Result) *bench.Model {
	if r.Run != nil && r.Run.WriteAmp > 0 {
		return r.Run.Model
	}
	if r.Load != nil && r.Load.WriteAmp > 0 {
		return r.Load.Model
	}
	return nil
}

// sweepModelGap says at how many sweep points the measured write or space
// amplification is more than farApart from the model's, and why at the
// first of them, or "" when none is.
func sweepModelGap(rs []*bench.Result) string {
	far, why := 0, ""
	for _, r := range rs {
		m := writeModelOf(r)
		if m == nil {
			continue
		}
		apart := func(got, want float64) bool { return got > 0 && want > 0 && max(got/want, want/got) > farApart }
		if apart(writeAmpOf(r), m.WriteAmp) || (r.Run.Model != nil && apart(r.Run.SpaceAmp, r.Run.Model.SpaceAmp)) {
			far++
			if why == "" {
				why = m.Transient
			}
		}
	}
	if far == 0 {
		return ""
	}
	s := fmt.Sprintf("measured amplification is more than %s× from the cost model's at %d of %d points", formatRatio(farApart), far, len(rs))
	if why != "" {
		s += ", short of its steady state: " + why
	} else {
		s += ", which had run long enough by the model's own measure: its simplifications miss there"
	}
	return s
}
