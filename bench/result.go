package bench

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/kvlab/kvlab/bench/timeline"
	"github.com/kvlab/kvlab/bench/workload"
	"github.com/kvlab/kvlab/kv"
)

// Result is the outcome of one Run: one engine through one workload. It is
// also one line of a JSON-lines results file (WriteJSON, ReadJSON), the
// input of kvlab plot, specified in docs/format/results.md: a change to the
// JSON names or types of Result or of the types it holds must update that
// specification (a test compares them) and, unless it only adds a field,
// ResultsFormat.
type Result struct {
	// Format is the version of the results format (docs/format/results.md)
	// of the line the Result was read from: ReadJSON sets it, reading a
	// line without the field as version 1. WriteJSON always writes
	// ResultsFormat, whatever Format holds; a Result from Run has 0.
	Format int `json:"format"`
	// Engine and Workload name what ran.
	Engine   string `json:"engine"`
	Workload string `json:"workload"`
	// Persistent and Peer copy the engine's registry entry: a
	// non-persistent engine is a no-I/O baseline, a peer a yardstick.
	Persistent bool `json:"persistent"`
	Peer       bool `json:"peer,omitempty"`
	// Settings are the engine options the run used.
	Settings map[string]string `json:"settings,omitempty"`
	// Sweep, for a point of a sweep, holds the swept options
	// ("lsm.bloom-bits": "10").
	Sweep map[string]string `json:"sweep,omitempty"`
	// Params are the run's resolved parameters.
	Params Params `json:"params"`
	// Load is the load phase (nil when the workload has none); Run the
	// measured phase.
	Load *Phase `json:"load,omitempty"`
	Run  *Phase `json:"run,omitempty"`
	// Steady, for a run with Config.Steady, says how the store reached its
	// steady state before the run phase.
	Steady *SteadyState `json:"steady,omitempty"`
	// Timeline, for a run with Config.Timeline, is the engine's background
	// work and shape against time (bench/timeline).
	Timeline *timeline.Timeline `json:"timeline,omitempty"`
	// Error is the error that stopped the run, if any; the phases hold the
	// figures measured until then.
	Error string `json:"error,omitempty"`
	// Unreported names the engine-specific figures the engine leaves at
	// zero because it does not measure them ("LSM.TablesPerGet"): see
	// PartialStats. The report shows "-" for them.
	Unreported []string `json:"unreported,omitempty"`
	// HarnessNsPerOp is the harness's own cost per operation and client,
	// measured against a no-op engine (0 when not measured).
	HarnessNsPerOp float64 `json:"harness_ns_per_op,omitempty"`
	// Start is when the run began.
	Start time.Time `json:"start"`
}

// Params are a run's parameters after defaults were applied.
type Params struct {
	Num             int64              `json:"num"`
	Ops             int64              `json:"ops,omitempty"`
	DurationSec     float64            `json:"duration_sec,omitempty"`
	WarmupSec       float64            `json:"warmup_sec,omitempty"`
	Threads         int                `json:"threads"`
	KeySize         int                `json:"key_size"`
	ValueSize       string             `json:"value_size"`
	Compressibility float64            `json:"compressibility"`
	Distribution    string             `json:"distribution"`
	Mix             map[string]float64 `json:"mix"`
	ScanLength      string             `json:"scan_length,omitempty"`
	HashedKeys      bool               `json:"hashed_keys,omitempty"`
	KeyFormat       string             `json:"key_format,omitempty"`
	Phase           string             `json:"phase,omitempty"`
	Sync            bool               `json:"sync,omitempty"`
	Steady          bool               `json:"steady,omitempty"`
	LoadBatch       int                `json:"load_batch"`
	Seed            uint64             `json:"seed"`
}

// Phase holds the figures of one phase.
type Phase struct {
	// Name is "load" or "run".
	Name string `json:"name"`
	// Ops is the operations measured (keys written, in the load phase).
	Ops int64 `json:"ops"`
	// Seconds is the measured wall-clock time, warm-up excluded.
	Seconds float64 `json:"seconds"`
	// OpsPerSec is Ops / Seconds.
	OpsPerSec float64 `json:"ops_per_sec"`
	// MicrosPerOp is Seconds / Ops in microseconds: db_bench's micros/op
	// (wall-clock time per operation, all clients together).
	MicrosPerOp float64 `json:"micros_per_op"`
	// MiBPerSec is the keys and values written and read per second (a Get
	// counts its key and the value it found), as the harness counts them,
	// in MiB (2^20 bytes): db_bench's "MB/s", which counts the same bytes
	// and divides by 1048576 too.
	MiBPerSec float64 `json:"mib_per_sec"`
	// ByOp has count, throughput and latency per operation kind.
	ByOp []OpResult `json:"by_op"`
	// SyncSeconds is the time of the Sync after the phase (not in Seconds),
	// and with Config.Steady of the wait for background work.
	SyncSeconds float64 `json:"sync_seconds"`
	// UserBytesWritten and UserBytesRead are the key and value bytes the
	// phase wrote and read: the engine's figures, or the harness's count
	// when the engine reports none.
	UserBytesWritten int64 `json:"user_bytes_written"`
	UserBytesRead    int64 `json:"user_bytes_read"`
	// WriteAmp is file bytes written per user byte written; ReadAmp file
	// bytes read per user byte read; BlocksPerGet blocks or pages touched
	// per Get; SpaceAmp disk bytes per live byte at the end of the phase.
	// Zero means "not applicable" (no I/O, nothing written, no disk).
	WriteAmp      float64 `json:"write_amp"`
	ReadAmp       float64 `json:"read_amp"`
	BlocksPerGet  float64 `json:"blocks_per_get"`
	SpaceAmp      float64 `json:"space_amp"`
	CacheHitRatio float64 `json:"cache_hit_ratio"`
	// LiveBytes is the live key and value bytes at the end of the phase
	// (the engine's figure, or the workload's model: live keys × (key size
	// + mean value size)); LiveFromModel says which.
	LiveBytes     int64 `json:"live_bytes"`
	LiveFromModel bool  `json:"live_from_model,omitempty"`
	// DiskBytes is the engine's live file bytes at the end of the phase.
	DiskBytes int64 `json:"disk_bytes"`
	// IOSource is "vfs" when the engine accounted its own file I/O, "os"
	// when its figures come from /proc/self/io (peers), "" for no I/O.
	IOSource string `json:"io_source,omitempty"`
	// Stats is the engine's Stats over the phase (counters are deltas,
	// gauges are values at the end), engine-specific figures included.
	Stats kv.Stats `json:"stats"`
	// LevelBytesWritten is, for an LSM engine, the table bytes written to
	// each level during the phase (index = level).
	LevelBytesWritten []int64 `json:"level_bytes_written,omitempty"`
	// Background is the flushes, compactions and checkpoints of the phase
	// itself (Stats' engine figures count from open), and the LSM's levels
	// at its end; nil for engines that report none.
	Background *Background `json:"background,omitempty"`
	// PeakRSS is the process's peak resident memory during the phase
	// (since the run began where the kernel cannot reset the peak).
	PeakRSS int64 `json:"peak_rss"`
	// PeakPrivateRSS is the largest private (anonymous) resident memory
	// sampled during the phase, every 10 ms: PeakRSS without the file
	// pages a memory map made resident (the kernel's page cache, which
	// bbolt and the B+tree's mmap reads show in PeakRSS). Zero where
	// /proc/self/statm is absent.
	PeakPrivateRSS int64 `json:"peak_private_rss,omitempty"`
	// OSIO is the process's /proc/self/io over the phase, when available.
	OSIO *ProcIO `json:"os_io,omitempty"`
	// Commits, for an engine that buffers single writes into groups it
	// commits later (GroupedWrites, bbolt), holds the phase's commits; the
	// operations that only buffered are marked in ByOp.
	Commits *Commits `json:"commits,omitempty"`
	// Device holds the modelled device figures of a run on a simulated
	// device (Config.Device); nil otherwise.
	Device *DevicePhase `json:"device,omitempty"`
	// Model is what the engine's textbook cost model predicts for the
	// phase (nil when the engine has none): see Predict.
	Model *Model `json:"model,omitempty"`
	// ModelNA, if set, says why the model's write and space figures do
	// not apply to the phase (NotOneLevel); they are then zero.
	ModelNA string `json:"model_na,omitempty"`
	// Err is the error that stopped the phase, if any.
	Err string `json:"error,omitempty"`
}

// OpResult holds the figures of one operation kind in a phase.
type OpResult struct {
	Op        string  `json:"op"`
	Count     int64   `json:"count"`
	Misses    int64   `json:"misses,omitempty"` // reads that found no value
	OpsPerSec float64 `json:"ops_per_sec"`
	Latency   Latency `json:"latency"`
	// Buffered says the engine only buffered these writes into a group it
	// commits later (GroupedWrites): the latency is the buffering, but for
	// the write that filled the group, which waited for the commit
	// (Phase.Commits has the commits' figures).
	Buffered bool `json:"buffered,omitempty"`
}

// Op returns the figures of the named operation, or nil.
func (p *Phase) Op(name string) *OpResult {
	if p == nil {
		return nil
	}
	for i := range p.ByOp {
		if p.ByOp[i].Op == name {
			return &p.ByOp[i]
		}
	}
	return nil
}

// Throughput returns the operations per second of the writes (write=true)
// or of the reads (reads, scans and iterator steps) of the phase.
func (p *Phase) Throughput(write bool) float64 {
	if p == nil {
		return 0
	}
	t := 0.0
	for _, o := range p.ByOp {
		if opIsWrite(o.Op) == write {
			t += o.OpsPerSec
		}
	}
	return t
}

// opIsWrite reports whether the named operation writes.
func opIsWrite(name string) bool {
	op, ok := workload.OpByName(name)
	return ok && op.IsWrite()
}

// Unreports reports whether the engine does not measure the named figure
// of kv.Stats ("LSM.TablesPerGet"); "" is reported by every engine.
func (r *Result) Unreports(field string) bool {
	return field != "" && slices.Contains(r.Unreported, field)
}

// PartialStats is implemented by engines whose Stats fill kv.LSMStats or
// kv.BTreeStats only in part, such as the peers (bench/peers): the figures
// they do not measure stay zero, and the report must not show that zero as
// a measurement. Run copies the list into Result.Unreported.
type PartialStats interface {
	// UnreportedStats names the figures left at zero as "LSM.Field" or
	// "BTree.Field" after the fields of kv.LSMStats and kv.BTreeStats
	// ("LSM.TablesPerGet", "LSM.BloomFalsePositives",
	// "BTree.PagesReadPerOp"), or "Phase.Field" after a figure of Phase
	// the engine's I/O leaves unmeasured ("Phase.ReadAmp": reads through
	// a memory map, which no read counter sees).
	UnreportedStats() []string
}

// Label returns "engine", or "engine opt=value ..." for a sweep point.
func (r *Result) Label() string {
	s := r.Engine
	for _, k := range slices.Sorted(maps.Keys(r.Sweep)) {
		s += fmt.Sprintf(" %s=%s", k, r.Sweep[k])
	}
	return s
}
