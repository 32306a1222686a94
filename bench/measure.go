package bench

import (
	"slices"

	"github.com/kvlab/kvlab/bench/workload"
	"github.com/kvlab/kvlab/kv"
)

// measure fills ph from the clients' counts and histograms and the
// engine's Stats before and after the phase.
func (s *runState) measure(ph *Phase, clients []*client, before, after kv.Stats) {
	var userW, userR int64
	for op := workload.Op(0); op < workload.NumOps; op++ {
		var h *Histogram
		var count, misses int64
		for _, c := range clients {
			if c.hists[op] == nil {
				continue
			}
			if h == nil {
				h = NewHistogram()
			}
			h.Merge(c.hists[op])
			count += c.counts[op]
			misses += c.misses[op]
		}
		if h == nil {
			continue
		}
		o := OpResult{Op: op.String(), Count: count, Misses: misses, Latency: h.Summary()}
		if ph.Seconds > 0 {
			o.OpsPerSec = float64(count) / ph.Seconds
		}
		ph.ByOp = append(ph.ByOp, o)
	}
	for _, c := range clients {
		ph.Ops += c.ops
		userW += c.userW
		userR += c.userR
	}
	if ph.Seconds > 0 {
		ph.OpsPerSec = float64(ph.Ops) / ph.Seconds
	}

	d := after.Sub(before)
	ph.Stats = d
	ph.UserBytesWritten, ph.UserBytesRead = d.UserBytesWritten, d.UserBytesRead
	if ph.UserBytesWritten == 0 {
		ph.UserBytesWritten = userW
	}
	if ph.UserBytesRead == 0 {
		ph.UserBytesRead = userR
	}
	if ph.Seconds > 0 && ph.Ops > 0 {
		ph.MicrosPerOp = ph.Seconds * 1e6 / float64(ph.Ops)
		// db_bench's bytes: keys and values written and read, a Get
		// counting its key and the value it found, all counted by the
		// harness so that every engine is counted alike.
		moved := userW + userR
		for _, o := range ph.ByOp {
			if o.Op == workload.OpRead.String() || o.Op == workload.OpReadModifyWrite.String() {
				moved += (o.Count - o.Misses) * int64(s.cfg.KeySize)
			}
		}
		ph.MiBPerSec = float64(moved) / ph.Seconds / (1 << 20)
	}
	io := d.TotalIO()
	switch {
	case d.Extra["io-source-os"] == 1:
		ph.IOSource = "os"
	case len(d.IO) > 0:
		ph.IOSource = "vfs"
	}
	ph.WriteAmp = ratio(io.BytesWritten, ph.UserBytesWritten)
	ph.ReadAmp = ratio(io.BytesRead, ph.UserBytesRead)
	if ps, ok := s.eng.(PartialStats); ok && slices.Contains(ps.UnreportedStats(), "Phase.ReadAmp") {
		ph.ReadAmp = 0 // its reads are invisible to the counters
	}
	ph.BlocksPerGet = d.BlocksPerGet()
	ph.CacheHitRatio = d.CacheHitRatio()
	ph.DiskBytes = d.DiskBytes
	ph.LiveBytes = d.LiveBytes
	if ph.LiveBytes == 0 {
		ph.LiveBytes = int64(float64(s.live.Load()) * (float64(s.cfg.KeySize) + s.cfg.values.Mean()))
		ph.LiveFromModel = true
	}
	ph.SpaceAmp = ratio(ph.DiskBytes, ph.LiveBytes)
	ph.LevelBytesWritten = levelDeltas(before, after)
	ph.Background = backgroundOf(before, after)
	ph.Model = s.predict(ph)
	if ph.Model != nil {
		if why := outOfDomain(after); why != "" {
			// The model's level structure does not exist yet: its write
			// and space figures describe another store.
			ph.ModelNA = why
			m := *ph.Model
			m.WriteAmp, m.SpaceAmp = 0, 0
			ph.Model = &m
		}
	}
	s.liveBefore = ph.LiveBytes
}

// NotOneLevel is Phase.ModelNA for an LSM whose store does not fill its
// first level below L0.
const NotOneLevel = "n/a: store smaller than one level"

// outOfDomain returns why the cost model's write and space figures do not
// apply to a store in the state st describes, or "": an LSM whose tables
// fill no level below L0 (L1, if anything, is below its target and no
// deeper level holds a table) has none of the levels leveled compaction's
// model counts.
func outOfDomain(st kv.Stats) string {
	if st.LSM == nil {
		return ""
	}
	full := false
	for _, l := range st.LSM.Levels {
		if l.Level >= 2 && l.Files > 0 || l.Level == 1 && l.Score >= 1 {
			full = true
		}
	}
	if !full {
		return NotOneLevel
	}
	return ""
}

// predict returns the cost model's prediction for the phase, or nil when
// the engine has none.
func (s *runState) predict(ph *Phase) *Model {
	if s.cfg.info.Model == nil {
		return nil
	}
	perWrite := 1
	if ph.Name == "load" {
		perWrite = s.cfg.LoadBatch
	}
	m, err := s.cfg.info.Model(ModelInput{
		OpsPerWrite: perWrite,
		Settings:    s.cfg.Settings,
		KeySize:     s.cfg.KeySize, ValueSize: s.cfg.values.Mean(), Compressibility: s.cfg.Compressibility,
		LiveBytes: ph.LiveBytes, LiveBytesBefore: s.liveBefore, UserBytesWritten: ph.UserBytesWritten,
		Steady:  s.cfg.Steady && ph.Name == "run",
		GetHits: ph.Stats.Ops.GetHits, Gets: ph.Stats.Ops.Gets,
	})
	if err != nil {
		return nil // the engine accepted these settings; a model that cannot read them shows nothing
	}
	return m
}

// levelDeltas returns the bytes written to each LSM level between two
// snapshots (the level figures are cumulative gauges that Stats.Sub keeps).
func levelDeltas(before, after kv.Stats) []int64 {
	if after.LSM == nil {
		return nil
	}
	var out []int64
	for _, l := range after.LSM.Levels {
		if l.Level < 0 || l.Level > 64 {
			continue
		}
		d := l.BytesWritten
		if before.LSM != nil {
			for _, b := range before.LSM.Levels {
				if b.Level == l.Level {
					d -= b.BytesWritten
				}
			}
		}
		for len(out) <= l.Level {
			out = append(out, 0)
		}
		out[l.Level] = d
	}
	for len(out) > 0 && out[len(out)-1] == 0 {
		out = out[:len(out)-1] // levels nothing was written to, below the last that was
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func ratio(a, b int64) float64 {
	if a <= 0 || b <= 0 {
		return 0
	}
	return float64(a) / float64(b)
}
