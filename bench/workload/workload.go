package workload

import (
	"fmt"
	"slices"
	"strings"
)

// Op is the kind of one benchmark operation.
type Op uint8

// The operations a workload mixes.
const (
	// OpRead is a Get of an existing key.
	OpRead Op = iota
	// OpReadMissing is a Get of a key that was never written.
	OpReadMissing
	// OpUpdate is a Put to an existing key.
	OpUpdate
	// OpInsert is a Put of a new key.
	OpInsert
	// OpDelete is a Delete.
	OpDelete
	// OpScan is an iterator SeekGE followed by a number of Next calls.
	OpScan
	// OpReadModifyWrite is a Get followed by a Put of the same key.
	OpReadModifyWrite
	// OpNext is one step of a forward full scan (readseq).
	OpNext
	// OpPrev is one step of a backward full scan (readreverse).
	OpPrev
	// OpBatch is one Write of a batch of inserts (the load phase).
	OpBatch
	// NumOps is the number of operations above, not an operation.
	NumOps
)

var opNames = [NumOps]string{"read", "read-missing", "update", "insert", "delete", "scan", "read-modify-write", "next", "prev", "write-batch"}

// OpByName returns the operation whose String is name.
func OpByName(name string) (Op, bool) {
	for op := Op(0); op < NumOps; op++ {
		if opNames[op] == name {
			return op, true
		}
	}
	return 0, false
}

// String returns the operation's name, as reports print it.
func (o Op) String() string {
	if o < NumOps {
		return opNames[o]
	}
	return fmt.Sprintf("Op(%d)", uint8(o))
}

// IsWrite reports whether the operation writes.
func (o Op) IsWrite() bool {
	switch o {
	case OpUpdate, OpInsert, OpDelete, OpReadModifyWrite, OpBatch:
		return true
	}
	return false
}

// Mix gives each operation's share of the run phase's operations. Shares
// need not sum to 1: they are normalised.
type Mix map[Op]float64

// Normalized returns the shares scaled to sum to 1, or an error when no
// share is positive or one is negative.
func (m Mix) Normalized() (Mix, error) {
	sum := 0.0
	for op, p := range m {
		if p < 0 || op >= NumOps {
			return nil, configErrorf("operation mix: bad share %g for %v", p, op)
		}
		sum += p
	}
	if sum <= 0 {
		return nil, configErrorf("operation mix: no operation has a positive share")
	}
	out := Mix{}
	for op, p := range m {
		if p > 0 {
			out[op] = p / sum
		}
	}
	return out, nil
}

// Ops returns the operations with a positive share, in Op order.
func (m Mix) Ops() []Op {
	var ops []Op
	for op, p := range m {
		if p > 0 {
			ops = append(ops, op)
		}
	}
	slices.Sort(ops)
	return ops
}

// String renders the mix as "read 50%, update 50%".
func (m Mix) String() string {
	n, err := m.Normalized()
	if err != nil {
		return "none"
	}
	var parts []string
	for _, op := range n.Ops() {
		parts = append(parts, fmt.Sprintf("%s %.4g%%", op, n[op]*100))
	}
	return strings.Join(parts, ", ")
}

// Order says in which order a phase writes key numbers.
type Order uint8

const (
	// OrderNone means no load phase (for Workload.Load).
	OrderNone Order = iota
	// OrderSequential writes key numbers 0, 1, 2, ...
	OrderSequential
	// OrderRandom writes every key number in [0, Num) once, in a seeded
	// random order.
	OrderRandom
)

// ScanLength is the number of keys a scan reads: fixed (Min == Max) or
// drawn from [Min, Max] uniformly or, with Zipfian, favouring short scans.
type ScanLength struct {
	Min, Max int
	Zipfian  bool
}

// IsZero reports whether s is unset.
func (s ScanLength) IsZero() bool { return s.Max == 0 }

// String renders the length as "10" or "1-100" (with " zipfian").
func (s ScanLength) String() string {
	if s.Min == s.Max {
		return fmt.Sprint(s.Max)
	}
	if s.Zipfian {
		return fmt.Sprintf("%d-%d zipfian", s.Min, s.Max)
	}
	return fmt.Sprintf("%d-%d", s.Min, s.Max)
}

// Workload is one benchmark workload: an optional load phase that writes
// the records, then a run phase that mixes operations.
type Workload struct {
	// Name is what --workloads takes: "fillrandom", "ycsb-a", ...
	Name string
	// Description is one line for help texts and reports.
	Description string
	// Load is the order of the load phase's writes; OrderNone skips it.
	Load Order
	// Mix is the run phase's operation mix.
	Mix Mix
	// Distribution chooses the existing keys that reads, updates, scans
	// and (unless DeleteEach) deletes touch.
	Distribution Distribution
	// InsertOrder is OrderSequential for inserts of new key numbers after
	// the loaded ones (YCSB, fillseq) or OrderRandom for fillrandom's
	// writes of every key number in [0, Num) once in random order.
	InsertOrder Order
	// DeleteEach makes deletes remove every loaded key once, in random
	// order (deleterandom), instead of choosing keys by Distribution.
	DeleteEach bool
	// ScanLength is the length of OpScan.
	ScanLength ScanLength
	// HashedKeys scatters key numbers over the key space (YCSB's
	// insertorder=hashed).
	HashedKeys bool
	// Records and Operations, when positive, are the workload's own
	// record and operation counts (from a YCSB properties file); a Config's
	// Num and Ops override them.
	Records, Operations int64
	// ValueSize, when set, is the workload's own value size (a properties
	// file's fieldcount × fieldlength); a Config's ValueSize overrides it.
	ValueSize ValueSize
	// Notes are remarks about how the workload was read (ignored
	// properties), for the CLI to show.
	Notes []string
}

// Validate reports an inconsistent workload.
func (w Workload) Validate() error {
	if w.Name == "" {
		return configErrorf("workload has no name")
	}
	if _, err := w.Mix.Normalized(); err != nil {
		return fmt.Errorf("workload %s: %w", w.Name, err)
	}
	if err := w.Distribution.Validate(); err != nil {
		return fmt.Errorf("workload %s: %w", w.Name, err)
	}
	if w.Mix[OpScan] > 0 && (w.ScanLength.Min < 1 || w.ScanLength.Max < w.ScanLength.Min) {
		return configErrorf("workload %s: scan length %s: want 1 ≤ min ≤ max", w.Name, w.ScanLength)
	}
	if w.Mix[OpBatch] > 0 {
		return configErrorf("workload %s: write-batch is the load phase's operation", w.Name)
	}
	return nil
}

// dbBenchWorkloads are LevelDB's db_bench benchmarks. Each runs on a fresh
// store; those that need data load Num keys in random order first.
func dbBenchWorkloads() []Workload {
	uniform := Distribution{Kind: Uniform}
	return []Workload{
		{Name: "fillseq", Description: "write Num keys in key order", Mix: Mix{OpInsert: 1}, InsertOrder: OrderSequential, Distribution: uniform},
		{Name: "fillrandom", Description: "write Num keys in random order (each once)", Mix: Mix{OpInsert: 1}, InsertOrder: OrderRandom, Distribution: uniform},
		{Name: "overwrite", Description: "load Num keys, then overwrite random keys", Load: OrderRandom, Mix: Mix{OpUpdate: 1}, Distribution: uniform},
		{Name: "readrandom", Description: "load Num keys, then read random keys", Load: OrderRandom, Mix: Mix{OpRead: 1}, Distribution: uniform},
		{Name: "readmissing", Description: "load Num keys, then read keys that are absent (between present ones)", Load: OrderRandom, Mix: Mix{OpReadMissing: 1}, Distribution: uniform},
		{Name: "readseq", Description: "load Num keys, then step an iterator forward (one op per key)", Load: OrderRandom, Mix: Mix{OpNext: 1}, Distribution: uniform},
		{Name: "readreverse", Description: "load Num keys, then step an iterator backward (one op per key)", Load: OrderRandom, Mix: Mix{OpPrev: 1}, Distribution: uniform},
		{Name: "seekrandom", Description: "load Num keys, then seek to random keys and read the next keys (--scan-length, default 10)", Load: OrderRandom, Mix: Mix{OpScan: 1}, Distribution: uniform, ScanLength: ScanLength{Min: 10, Max: 10}},
		{Name: "deleterandom", Description: "load Num keys, then delete every key once in random order", Load: OrderRandom, Mix: Mix{OpDelete: 1}, Distribution: uniform, DeleteEach: true},
	}
}

// Workloads returns every built-in workload: the db_bench set, then YCSB
// A to F.
func Workloads() []Workload {
	return append(dbBenchWorkloads(), ycsbWorkloads()...)
}

// WorkloadNames returns the names of the built-in workloads.
func WorkloadNames() []string {
	var names []string
	for _, w := range Workloads() {
		names = append(names, w.Name)
	}
	return names
}

// LookupWorkload returns the built-in workload of that name; "ycsb-a" and
// "ycsba", "A" and "a" all name YCSB workload A. The error matches
// ErrConfig.
func LookupWorkload(name string) (Workload, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	if len(n) == 1 && n >= "a" && n <= "f" {
		n = "ycsb-" + n
	}
	if strings.HasPrefix(n, "ycsb") && !strings.HasPrefix(n, "ycsb-") {
		n = "ycsb-" + strings.TrimPrefix(n, "ycsb")
	}
	for _, w := range Workloads() {
		if w.Name == n {
			return w, nil
		}
	}
	return Workload{}, configErrorf("unknown workload %q (known: %s)", name, strings.Join(WorkloadNames(), ", "))
}
