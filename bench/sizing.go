package bench

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/kvlab/kvlab"
	"github.com/kvlab/kvlab/bench/workload"
	"github.com/kvlab/kvlab/internal/units"
)

// DataBytes returns the key and value bytes a run of c on w loads or
// writes: its record count times the key size plus the mean value size,
// with the defaults Run would apply.
func (p *Plan) DataBytes(w workload.Workload) int64 {
	c := p.config("", w, nil)
	num := orDefault(c.Num, orDefault(w.Records, DefaultNum))
	key := c.KeySize
	if key == 0 {
		key = workload.DefaultKeySize
		if c.KeyStyle == workload.KeyYCSB {
			key = workload.YCSBKeySize
		}
	}
	v := c.ValueSize
	if v.IsZero() {
		v = w.ValueSize
	}
	mean := float64(workload.DefaultValueSize)
	if !v.IsZero() {
		mean = v.Mean()
	}
	return int64(float64(num) * (float64(key) + mean))
}

// FairSizing scales every engine's memory knobs to the plan's data size
// by one rule (kvlab.ScaleToData: write buffers 1/16 of the data, caches
// 1/8, never above an engine's default), as each engine's registry entry
// publishes it (kvlab.EngineInfo.Sizing). A knob the plan's Settings (or,
// in a sweep, a point's Settings) already set is left alone. The data size
// is that of the plan's largest workload. It returns the lines that tell
// the reader what was scaled, empty when nothing was.
func (p *Plan) FairSizing() []string {
	var data int64
	for _, w := range p.Workloads {
		data = max(data, p.DataBytes(w))
	}
	if data <= 0 {
		return nil
	}
	var scaled, unscaled []string
	apply := func(e string, settings map[string]string) map[string]string {
		info, err := kvlab.Lookup(e)
		if err != nil || info.Sizing == nil {
			return nil
		}
		set := map[string]string{}
		for k, v := range info.Sizing(data) {
			if _, given := settings[k]; !given {
				settings[k] = v
				set[k] = v
			}
		}
		return set
	}
	describe := func(e string, set map[string]string) {
		if len(set) == 0 {
			unscaled = append(unscaled, e)
			return
		}
		var kv []string
		for _, k := range slices.Sorted(maps.Keys(set)) {
			kv = append(kv, k+"="+set[k])
		}
		scaled = append(scaled, e+" "+strings.Join(kv, " "))
	}
	for i, e := range p.Engines {
		if len(p.Points) > 0 && i == 0 {
			union := map[string]string{}
			for j := range p.Points {
				if p.Points[j].Settings == nil {
					p.Points[j].Settings = map[string]string{}
				}
				maps.Copy(union, apply(e, p.Points[j].Settings))
			}
			describe(e, union)
			continue
		}
		if p.Settings == nil {
			p.Settings = map[string]map[string]string{}
		}
		if p.Settings[e] == nil {
			p.Settings[e] = map[string]string{}
		}
		describe(e, apply(e, p.Settings[e]))
	}
	if len(scaled) == 0 {
		return nil
	}
	notes := []string{fmt.Sprintf("sized to %s of keys and values (1/%d for write buffers, 1/%d for caches, every engine alike, and what an engine ties to its write buffer; --set overrides): %s",
		units.FormatSize(data), kvlab.WriteBufferShare, kvlab.CacheShare, strings.Join(scaled, "; "))}
	if len(unscaled) > 0 {
		notes[0] += "; not scaled: " + strings.Join(unscaled, ", ")
	}
	return notes
}
