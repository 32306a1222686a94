package stress

import (
	"errors"
	"fmt"

	"github.com/kvlab/kvlab/kv"
)

// observation is what one read of a key found.
type observation struct {
	present bool
	st      stamp // when present and decodable
	bad     error // the value does not decode, or the read failed
}

// observe turns a Get's result for key k into an observation.
func observe(k int, v []byte, err error) observation {
	switch {
	case errors.Is(err, kv.ErrNotFound):
		return observation{}
	case err != nil:
		return observation{bad: fmt.Errorf("read error: %w", err)}
	}
	st, derr := decodeValue(k, v)
	return observation{present: true, st: st, bad: derr}
}

// same reports whether two observations found the same state.
func (o observation) same(p observation) bool {
	return o.present == p.present && o.st == p.st && (o.bad == nil) == (p.bad == nil)
}

func (o observation) String() string {
	switch {
	case o.bad != nil:
		return o.bad.Error()
	case !o.present:
		return "absent"
	}
	return fmt.Sprintf("version %d (op %d)", o.st.version, o.st.seq)
}

// window is the set of states a read of one key may find: a version in
// [lo, hi] that is a put, or absence if one of them is a deletion.
type window struct {
	lo, hi   uint64
	absentOK bool
	// known pairs a version with the operation number that wrote it, to
	// catch a value with the right version from the wrong write (seq 0:
	// unknown).
	known [2]struct{ version, seq uint64 }
}

// onlineWindow is the window of a read that began when the key was in
// state before and ended when it was in state after: it may see any
// version acknowledged by its start or issued by its end.
func onlineWindow(before, after keyState) window {
	w := window{lo: before.acked, hi: after.pending}
	w.absentOK = after.lastDel >= w.lo || (after.inFlight() && after.pendingDel)
	w.setKnown(after)
	return w
}

// cleanWindow is the window after a clean Close: exactly the last
// acknowledged version.
func cleanWindow(s keyState) window {
	w := window{lo: s.acked, hi: s.acked, absentOK: s.lastDel == s.acked}
	w.setKnown(s)
	return w
}

// crashWindow is the window after a crash, for a key in state s whose
// owner thread is in state t and whose store holds, among the values
// written by that thread, none from an operation numbered above maxSeq.
//
//   - Durability: the key holds at least its last synced version: the one
//     recorded as synced, or the acknowledged one if a Sync covered it.
//   - Prefix: if the store holds anything written by operation maxSeq of
//     the owner, every earlier operation of the owner survived, and so did
//     the rest of operation maxSeq itself (a batch is atomic).
//   - Nothing from the future: at most the pending version.
func crashWindow(s keyState, t threadState, maxSeq uint64) window {
	lo := s.synced
	if s.ackedSeq <= t.synced {
		lo = max(lo, s.acked)
	}
	switch {
	case s.inFlight() && s.pendingSeq <= maxSeq:
		lo = s.pending
	case s.ackedSeq <= maxSeq:
		lo = max(lo, s.acked)
	}
	w := window{lo: lo, hi: s.pending}
	w.absentOK = s.lastDel >= lo || (s.inFlight() && s.pendingDel)
	w.setKnown(s)
	return w
}

func (w *window) setKnown(s keyState) {
	w.known[0].version, w.known[0].seq = s.acked, s.ackedSeq
	if s.inFlight() {
		w.known[1].version, w.known[1].seq = s.pending, s.pendingSeq
	}
}

// allows reports whether o is one of the window's states.
func (w window) allows(o observation) bool {
	if o.bad != nil {
		return false
	}
	if !o.present {
		return w.absentOK
	}
	v := o.st.version
	if v < w.lo || v > w.hi {
		return false
	}
	for _, kn := range w.known {
		if kn.seq != 0 && kn.version == v && kn.seq != o.st.seq {
			return false
		}
	}
	return true
}

func (w window) String() string {
	if w.hi == 0 {
		return "absent (never written)"
	}
	s := fmt.Sprintf("version %d", w.lo)
	if w.hi != w.lo {
		s = fmt.Sprintf("a version in [%d, %d]", w.lo, w.hi)
	}
	for _, kn := range w.known {
		if kn.seq != 0 && kn.version >= w.lo && kn.version <= w.hi {
			s += fmt.Sprintf(" (version %d by op %d)", kn.version, kn.seq)
		}
	}
	if w.absentOK {
		s += " or absent (a deletion is among them)"
	}
	return s
}
