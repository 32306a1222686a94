package stress

import (
	"fmt"
	"io"

	"github.com/kvlab/kvlab/kv"
)

// verification is what verifyStore found.
type verification struct {
	obs []observation
	win []window
}

// outcomes counts, among the keys of a store verified after a crash, those
// that lost acknowledged unsynced writes and those that kept the write in
// flight at the kill: both allowed, and evidence that the kill hit the
// engine between acknowledging writes and making them durable.
func (v *verification) outcomes(e *expected) (lost, inFlight int64) {
	for k, o := range v.obs {
		s := e.ks[k]
		if o.bad != nil {
			continue
		}
		pendingDel := s.inFlight() && s.pendingDel
		switch {
		case o.present && o.st.version < s.acked,
			!o.present && s.lastDel != s.acked && !pendingDel:
			lost++
		case s.inFlight() && (o.present && o.st.version == s.pending || !o.present && pendingDel && s.lastDel != s.acked):
			inFlight++
		}
	}
	return lost, inFlight
}

// verifyStore reads every key of a freshly reopened store by Get and by a
// full scan, checks each against the expected state — exactly the last
// acknowledged version after a clean Close, the crash window otherwise —
// and runs the engine's integrity check. Violations go to the sink.
func verifyStore(db kv.Engine, e *expected, clean bool, cycle int, s *sink) (*verification, error) {
	where := "after crash"
	if clean {
		where = "after close"
	}
	v := &verification{obs: make([]observation, e.keys), win: make([]window, e.keys)}
	for k := range v.obs {
		val, err := db.Get(keyOf(k))
		v.obs[k] = observe(k, val, err)
	}
	// maxSeq[t]: the newest operation of thread t with a value in the store.
	maxSeq := make([]uint64, e.threads)
	for k, o := range v.obs {
		if o.present && o.bad == nil && o.st.version <= e.ks[k].pending {
			t := e.owner(k)
			maxSeq[t] = max(maxSeq[t], o.st.seq)
		}
	}
	for k, o := range v.obs {
		if clean {
			v.win[k] = cleanWindow(e.ks[k])
		} else {
			v.win[k] = crashWindow(e.ks[k], e.ts[e.owner(k)], maxSeq[e.owner(k)])
		}
		if !v.win[k].allows(o) {
			s.add(Violation{Cycle: cycle, Where: where, Key: string(keyOf(k)), Expected: v.win[k].String(), Found: o.String()})
		}
	}
	if err := v.scanAll(db, cycle, where+" scan", s); err != nil {
		return nil, err
	}
	if c, ok := db.(kv.Checker); ok {
		if err := c.Check(io.Discard); err != nil {
			s.add(Violation{Cycle: cycle, Where: "check", Expected: "Check to pass", Found: err.Error()})
		}
	}
	return v, nil
}

// scanAll iterates the whole store: it must hold exactly the keys Get found,
// in order, with the same values.
func (v *verification) scanAll(db kv.Engine, cycle int, where string, s *sink) error {
	it, err := db.NewIterator(kv.IterOptions{})
	if err != nil {
		return fmt.Errorf("verify: new iterator: %w", err)
	}
	seen := make([]bool, len(v.obs))
	last := -1
	for ok := it.First(); ok; ok = it.Next() {
		k, known := indexOf(it.Key())
		if !known || k >= len(v.obs) || k <= last {
			s.add(Violation{Cycle: cycle, Where: where, Key: fmt.Sprintf("%q", it.Key()),
				Expected: "ascending keys the tool wrote", Found: "a key out of order or never written"})
			continue
		}
		last = k
		seen[k] = true
		if o := observe(k, it.Value(), nil); !o.same(v.obs[k]) {
			s.add(Violation{Cycle: cycle, Where: where, Key: string(keyOf(k)), Expected: "what Get found: " + v.obs[k].String(), Found: o.String()})
		}
	}
	if err := it.Close(); err != nil {
		s.add(Violation{Cycle: cycle, Where: where, Expected: "a scan without error", Found: err.Error()})
	}
	for k, o := range v.obs {
		if o.present && !seen[k] {
			s.add(Violation{Cycle: cycle, Where: where, Key: string(keyOf(k)), Expected: "what Get found: " + o.String(), Found: "absent"})
		}
	}
	return nil
}

// rebase makes what the verified store holds the new durable baseline of
// the expected state (the store was then closed cleanly, so all of it is
// durable), and starts every thread's operation numbers above everything
// in the store and in the old expected state. It syncs the file.
func (e *expected) rebase(v *verification) error {
	maxSeq := make([]uint64, e.threads)
	for k, o := range v.obs {
		s := e.ks[k]
		t := e.owner(k)
		maxSeq[t] = max(maxSeq[t], s.pendingSeq, s.ackedSeq)
		var version, lastDel uint64
		switch {
		case o.bad != nil: // a violation was reported; carry on from the acknowledged state
			version, lastDel = s.acked, s.lastDel
		case o.present:
			version = o.st.version
			maxSeq[t] = max(maxSeq[t], o.st.seq)
		case s.inFlight() && s.pendingDel:
			version, lastDel = s.pending, s.pending
		default:
			version, lastDel = s.lastDel, s.lastDel
		}
		// Versions above the baseline that were issued and lost get issued
		// again; the operation number in each value tells the two apart.
		e.ks[k] = keyState{pending: version, acked: version, lastDel: lastDel, synced: version}
	}
	for t := range e.ts {
		base := max(e.ts[t].seqBase, maxSeq[t]+1)
		e.ts[t] = threadState{synced: base - 1, seqBase: base}
	}
	return e.writeAll()
}
