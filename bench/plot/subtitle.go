package plot

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/kvlab/kvlab/bench"
)

// subtitleOf describes what the results hold fixed: the record count and
// operations, key and value sizes, threads, the device, and each engine's
// settings that no sweep varies. Figures that differ between results are
// listed with "/".
func subtitleOf(rs []*bench.Result) string {
	distinct := func(f func(*bench.Result) string) string {
		var vs []string
		for _, r := range rs {
			if v := f(r); v != "" && !slices.Contains(vs, v) {
				vs = append(vs, v)
			}
		}
		return strings.Join(vs, "/")
	}
	var parts []string
	add := func(format string, f func(*bench.Result) string) {
		if v := distinct(f); v != "" {
			parts = append(parts, fmt.Sprintf(format, v))
		}
	}
	add("%s records", func(r *bench.Result) string { return short(float64(r.Params.Num)) })
	add("%s ops", func(r *bench.Result) string {
		if r.Run == nil {
			return ""
		}
		return short(float64(r.Run.Ops))
	})
	add("%s B keys", func(r *bench.Result) string { return fmt.Sprint(r.Params.KeySize) })
	add("%s B values", func(r *bench.Result) string { return r.Params.ValueSize })
	add("%s", func(r *bench.Result) string {
		if r.Params.Threads == 1 {
			return "1 thread"
		}
		return fmt.Sprintf("%d threads", r.Params.Threads)
	})
	add("%s keys", func(r *bench.Result) string {
		if len(r.Params.Mix) == 1 && (r.Params.Mix["insert"] > 0 || r.Params.Mix["write-batch"] > 0) {
			return ""
		}
		return r.Params.Distribution
	})
	add("%s", func(r *bench.Result) string {
		if r.Params.Sync {
			return "synced writes"
		}
		return ""
	})
	add("device %s", func(r *bench.Result) string {
		if r.Run == nil || r.Run.Device == nil {
			return ""
		}
		return r.Run.Device.Model
	})
	var settings []string
	for _, r := range rs {
		var kv []string
		for _, k := range slices.Sorted(maps.Keys(r.Settings)) {
			if _, swept := r.Sweep[r.Engine+"."+k]; !swept {
				kv = append(kv, k+"="+r.Settings[k])
			}
		}
		if s := r.Engine + " " + strings.Join(kv, " "); len(kv) > 0 && !slices.Contains(settings, s) {
			settings = append(settings, s)
		}
	}
	reps := map[string]int{}
	most := 1
	for _, r := range rs {
		k := r.Label() + "\x00" + r.Workload
		reps[k]++
		most = max(most, reps[k])
	}
	if most > 1 {
		parts = append(parts, fmt.Sprintf("the median of %d repetitions", most))
	}
	s := strings.Join(parts, ", ")
	if len(settings) > 0 {
		s += "; " + strings.Join(settings, "; ")
	}
	return s
}
