package stress

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
)

// Violation is one check that failed: a read that found a state the
// expected state does not allow, a lost synced write, a failed integrity
// check, a store that would not reopen.
type Violation struct {
	// Cycle is the crash cycle (1, 2, ...), 0 for an in-process run.
	Cycle int `json:"cycle"`
	// Where says which check found it: "get", "scan", "snapshot get",
	// "snapshot scan", "after crash", "after crash scan", "after close",
	// "check", "reopen", "child".
	Where string `json:"where"`
	// Key is the key concerned, "" when the violation is not about one.
	Key string `json:"key,omitempty"`
	// Expected and Found describe what the expected state allowed and what
	// the store had.
	Expected string `json:"expected"`
	Found    string `json:"found"`
}

// String formats the violation on one line: where, the key, what was
// expected and what was found.
func (v Violation) String() string {
	var b strings.Builder
	b.WriteString("violation: ")
	if v.Cycle > 0 {
		fmt.Fprintf(&b, "cycle %d, ", v.Cycle)
	}
	b.WriteString(v.Where)
	if v.Key != "" {
		fmt.Fprintf(&b, ", key %s", v.Key)
	}
	fmt.Fprintf(&b, ": expected %s, found %s", v.Expected, v.Found)
	return b.String()
}

// Report is the outcome of a run.
type Report struct {
	// Engine and Settings are the engine and the options it ran with.
	Engine   string
	Settings map[string]string
	// Seed reproduces the run's choices (options, operations, kill times).
	Seed uint64
	// Cycles counts the children killed and verified (0 in-process).
	Cycles int
	// KilledDuringOpen counts the kills that came before the child had
	// opened the store, i.e. during recovery.
	KilledDuringOpen int
	// Ops counts the operations done, by kind. In crash mode a child's
	// counts are as of its last report, up to 10ms before its kill.
	Ops map[string]int64
	// Verified counts the keys checked after a reopen.
	Verified int64
	// LostUnsynced counts the keys found, after a kill, without their last
	// acknowledged (unsynced) write, and InFlightSurvived those found with
	// the write that was in flight at the kill. Both are allowed; they show
	// that kills landed where acknowledged and durable differ.
	LostUnsynced, InFlightSurvived int64
	// Violations lists every violation found.
	Violations []Violation
}

// OK reports whether the run found no violation.
func (r *Report) OK() bool { return len(r.Violations) == 0 }

// TotalOps returns the number of operations of every kind.
func (r *Report) TotalOps() int64 {
	var n int64
	for _, c := range r.Ops {
		n += c
	}
	return n
}

// Print writes the summary: cycles, operations by kind, violations.
func (r *Report) Print(w io.Writer) {
	fmt.Fprintf(w, "engine %s, seed %d\n", r.Engine, r.Seed)
	if r.Cycles > 0 {
		fmt.Fprintf(w, "cycles: %d kill -9 (%d during open/recovery), %d keys verified after reopens\n", r.Cycles, r.KilledDuringOpen, r.Verified)
		fmt.Fprintf(w, "after kills: %d keys had lost unsynced acknowledged writes, %d kept the write in flight (both allowed)\n", r.LostUnsynced, r.InFlightSurvived)
	} else {
		fmt.Fprintf(w, "in-process run, %d keys verified after reopen\n", r.Verified)
	}
	fmt.Fprintf(w, "operations: %d", r.TotalOps())
	names := make([]string, 0, len(r.Ops))
	for n := range r.Ops {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		fmt.Fprintf(w, " %s=%d", n, r.Ops[n])
	}
	fmt.Fprintln(w)
	if r.OK() {
		fmt.Fprintln(w, "violations: 0")
		return
	}
	fmt.Fprintf(w, "violations: %d\n", len(r.Violations))
}

// sink collects violations, printing each as it comes (a child process
// forwards each to its parent instead).
type sink struct {
	mu      sync.Mutex
	out     io.Writer
	forward func(Violation)
	vs      []Violation
	n       int
}

// maxKept bounds the violations kept in a report; all are printed.
const maxKept = 10000

func (s *sink) add(v Violation) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n++
	if s.out != nil {
		fmt.Fprintln(s.out, v)
	}
	if s.forward != nil {
		s.forward(v)
	}
	if len(s.vs) < maxKept {
		s.vs = append(s.vs, v)
	}
}

// count returns the number of violations added.
func (s *sink) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

func (s *sink) list() []Violation {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.vs)
}
