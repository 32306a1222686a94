package bench

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/kvlab/kvlab" // registers the memory engine
	"github.com/kvlab/kvlab/bench/workload"
	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/kv/memory"
)

func TestRunMemoryReadrandom(t *testing.T) {
	w, _ := workload.LookupWorkload("readrandom")
	res, err := Run(context.Background(), Config{Engine: "memory", Workload: w, Num: 5000, Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	if res.Persistent || res.Load == nil || res.Load.Ops != 5000 || res.Run.Ops != 5000 {
		t.Fatalf("persistent %v, load %+v, run ops %d", res.Persistent, res.Load, res.Run.Ops)
	}
	read := res.Run.Op("read")
	if read == nil || read.Count != 5000 || read.Misses != 0 {
		t.Fatalf("read figures %+v: every loaded key must be found", read)
	}
	if res.Run.Stats.Ops.Gets != 5000 || res.Run.Stats.Ops.GetHits != 5000 {
		t.Errorf("engine saw %d gets, %d hits", res.Run.Stats.Ops.Gets, res.Run.Stats.Ops.GetHits)
	}
	if res.Load.Stats.Ops.Puts != 5000 || res.Run.Stats.Ops.Puts != 0 {
		t.Errorf("stats are not per phase: load puts %d, run puts %d", res.Load.Stats.Ops.Puts, res.Run.Stats.Ops.Puts)
	}
	if res.Run.OpsPerSec <= 0 || read.Latency.P50 <= 0 || read.Latency.Max < read.Latency.P99 {
		t.Errorf("throughput %g, latency %+v", res.Run.OpsPerSec, read.Latency)
	}
	if res.Run.LiveBytes != 5000*(16+100) {
		t.Errorf("live bytes %d, want %d", res.Run.LiveBytes, 5000*116)
	}
	if res.Run.PeakRSS <= 0 {
		t.Errorf("peak RSS %d", res.Run.PeakRSS)
	}
}

func TestRunReadMissingMisses(t *testing.T) {
	w, _ := workload.LookupWorkload("readmissing")
	res := runMemory(t, Config{Workload: w, Num: 2000})
	if o := res.Run.Op("read-missing"); o == nil || o.Misses != o.Count || o.Count != 2000 {
		t.Fatalf("read-missing %+v: every read must miss", o)
	}
}

func TestRunDeleteRandomEmptiesStore(t *testing.T) {
	w, _ := workload.LookupWorkload("deleterandom")
	var rec recorder
	res := runRecorded(t, &rec, Config{Workload: w, Num: 3000, Threads: 2})
	if res.Run.Stats.Ops.Deletes != 3000 || res.Run.LiveBytes != 0 {
		t.Fatalf("deletes %d, live %d", res.Run.Stats.Ops.Deletes, res.Run.LiveBytes)
	}
	if n := rec.db.Stats().LiveBytes; n != 0 {
		t.Fatalf("%d live bytes left after deleting every key", n)
	}
}

func TestRunFillOrders(t *testing.T) {
	seq, _ := workload.LookupWorkload("fillseq")
	var rec recorder
	runRecorded(t, &rec, Config{Workload: seq, Num: 2000})
	if len(rec.keys) != 2000 || !slices.IsSortedFunc(rec.keys, func(a, b string) int { return compareStrings(a, b) }) {
		t.Fatalf("fillseq wrote %d keys, sorted %v", len(rec.keys), slices.IsSorted(rec.keys))
	}
	rnd, _ := workload.LookupWorkload("fillrandom")
	var rec2 recorder
	runRecorded(t, &rec2, Config{Workload: rnd, Num: 2000, Threads: 2})
	distinct := map[string]bool{}
	for _, k := range rec2.keys {
		distinct[k] = true
	}
	if len(rec2.keys) != 2000 || len(distinct) != 2000 || slices.IsSorted(rec2.keys) {
		t.Fatalf("fillrandom wrote %d keys, %d distinct", len(rec2.keys), len(distinct))
	}
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func TestRunRepeatable(t *testing.T) {
	w, _ := workload.LookupWorkload("ycsb-a")
	var a, b, c recorder
	runRecorded(t, &a, Config{Workload: w, Num: 500, Ops: 2000, Seed: 9})
	runRecorded(t, &b, Config{Workload: w, Num: 500, Ops: 2000, Seed: 9})
	runRecorded(t, &c, Config{Workload: w, Num: 500, Ops: 2000, Seed: 10})
	if !slices.Equal(a.keys, b.keys) {
		t.Fatal("the same seed wrote different keys")
	}
	if slices.Equal(a.keys, c.keys) {
		t.Fatal("different seeds wrote the same keys")
	}
}

func TestRunDurationAndWarmup(t *testing.T) {
	w, _ := workload.LookupWorkload("ycsb-c")
	start := time.Now()
	res := runMemory(t, Config{Workload: w, Num: 1000, Duration: 150 * time.Millisecond, Warmup: 100 * time.Millisecond})
	took := time.Since(start)
	// The measured phase lasts at least its duration; how far past it a
	// loaded machine lets it run is not this test's business, beyond a
	// generous bound that a run ignoring Duration (1000 ops of ycsb-c by
	// default would take far less, an unbounded one forever) cannot meet.
	if res.Run.Ops == 0 || res.Run.Seconds < 0.15 || res.Run.Seconds > 5 {
		t.Fatalf("measured %d ops in %.3fs, want at least 0.15s", res.Run.Ops, res.Run.Seconds)
	}
	if took < 250*time.Millisecond {
		t.Fatalf("run took %v: warm-up and duration not both run", took)
	}
	if res.Run.Stats.Ops.Gets >= res.Run.Ops+res.Run.Ops/2 {
		t.Errorf("engine stats count %d gets for %d measured ops: warm-up not excluded", res.Run.Stats.Ops.Gets, res.Run.Ops)
	}
}

func TestRunEngineErrorStopsRun(t *testing.T) {
	w, _ := workload.LookupWorkload("ycsb-a")
	boom := errors.New("disk on fire")
	var n atomic.Int64
	res, err := Run(context.Background(), Config{Engine: "failing", Workload: w, Num: 1000, Ops: 100_000, Threads: 2,
		OpenEngine: func(string) (kv.Engine, error) {
			return &failingEngine{DB: memory.New(), after: 1500, err: boom, n: &n}, nil
		}})
	if !errors.Is(err, boom) || res == nil || res.Error == "" || res.Run == nil || res.Run.Err == "" {
		t.Fatalf("err %v, result %+v", err, res)
	}
	if res.Load.Ops != 1000 || res.Run.Ops == 0 || res.Run.Ops >= 100_000 {
		t.Fatalf("figures so far: load %d, run %d", res.Load.Ops, res.Run.Ops)
	}
}

// cancelInRun cancels a context 50ms after the run phase starts, however
// long the load phase took (a loaded machine, the race detector).
type cancelInRun struct{ cancel context.CancelFunc }

func (c cancelInRun) Start(label string, _ int64, _ bool) {
	if strings.HasSuffix(label, " run") {
		time.AfterFunc(50*time.Millisecond, c.cancel)
	}
}
func (cancelInRun) Set(int64) {}
func (cancelInRun) Finish()   {}

func TestRunCancelled(t *testing.T) {
	w, _ := workload.LookupWorkload("readrandom")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	res, err := Run(ctx, Config{Engine: "memory", Workload: w, Num: 1000, Duration: time.Hour, Progress: cancelInRun{cancel}})
	if !errors.Is(err, context.Canceled) || res == nil || res.Run == nil || res.Run.Ops == 0 {
		t.Fatalf("err %v, result %+v", err, res)
	}
}

func TestRunAmplification(t *testing.T) {
	w, _ := workload.LookupWorkload("overwrite")
	res, err := Run(context.Background(), Config{Engine: "fake", Workload: w, Num: 1000, Ops: 1000,
		OpenEngine: func(string) (kv.Engine, error) { return &ioEngine{DB: memory.New()}, nil }})
	if err != nil {
		t.Fatal(err)
	}
	// ioEngine writes 3 file bytes per user byte and reports 2 disk bytes
	// per live byte of the workload's model.
	if math.Abs(res.Run.WriteAmp-3) > 0.01 || math.Abs(res.Load.WriteAmp-3) > 0.01 {
		t.Errorf("write amp load %g run %g, want 3", res.Load.WriteAmp, res.Run.WriteAmp)
	}
	if !res.Run.LiveFromModel || math.Abs(res.Run.SpaceAmp-2) > 0.01 {
		t.Errorf("space amp %g (live from model %v), want 2", res.Run.SpaceAmp, res.Run.LiveFromModel)
	}
	if res.Run.IOSource != "vfs" || res.Run.Stats.IO["wal"].BytesWritten == 0 {
		t.Errorf("io source %q, io %v", res.Run.IOSource, res.Run.Stats.IO)
	}
}

func TestRunBadConfig(t *testing.T) {
	w, _ := workload.LookupWorkload("readrandom")
	for _, c := range []Config{
		{Engine: "no-such-engine", Workload: w},
		{Engine: "memory", Workload: w, Settings: map[string]string{"bogus": "1"}},
		{Engine: "memory", Workload: w, Num: -1},
		{Engine: "memory", Workload: w, KeySize: 4},
		{Engine: "memory", Workload: w, Threads: -2},
		{Engine: "memory", Workload: w, ValueSize: workload.ValueSize{Min: 10, Max: 5}},
		{Engine: "memory", Workload: w, Compressibility: 2},
		{Engine: "memory", Workload: workload.Workload{Name: "empty"}},
		{Engine: "memory", Workload: w, Distribution: &workload.Distribution{Kind: "gaussian"}},
	} {
		if res, err := Run(context.Background(), c); !errors.Is(err, ErrConfig) || res != nil {
			t.Errorf("%+v: %v, want ErrConfig and no result", c, err)
		}
	}
}

func runMemory(t *testing.T, cfg Config) *Result {
	t.Helper()
	cfg.Engine = "memory"
	res, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// recorder is a memory engine that remembers the keys written, in order.
type recorder struct {
	*memory.DB
	db   *memory.DB
	mu   sync.Mutex
	keys []string
}

func runRecorded(t *testing.T, rec *recorder, cfg Config) *Result {
	t.Helper()
	cfg.Engine = "recorder"
	cfg.OpenEngine = func(string) (kv.Engine, error) {
		rec.db = memory.New()
		rec.DB = rec.db
		return rec, nil
	}
	res, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func (r *recorder) Put(k, v []byte) error {
	r.mu.Lock()
	r.keys = append(r.keys, string(k))
	r.mu.Unlock()
	return r.DB.Put(k, v)
}

// Close leaves the store readable for the test.
func (r *recorder) Close() error { return nil }

// failingEngine fails every write after a number of them.
type failingEngine struct {
	*memory.DB
	after int64
	err   error
	n     *atomic.Int64
}

func (f *failingEngine) Write(b *kv.Batch, o kv.WriteOptions) error {
	if f.n.Add(int64(b.Len())) > f.after {
		return fmt.Errorf("failing: %w", f.err)
	}
	return f.DB.Write(b, o)
}

func (f *failingEngine) Put(k, v []byte) error {
	var b kv.Batch
	b.Put(k, v)
	return f.Write(&b, kv.WriteOptions{})
}

// ioEngine pretends to write three file bytes per user byte and to keep
// two disk bytes per live byte; it reports no LiveBytes of its own.
type ioEngine struct{ *memory.DB }

func (e *ioEngine) Stats() kv.Stats {
	s := e.DB.Stats()
	s.IO = map[string]kv.IOStats{"wal": {BytesWritten: s.UserBytesWritten}, "sstable": {BytesWritten: 2 * s.UserBytesWritten}}
	s.DiskBytes = 2 * s.LiveBytes
	s.LiveBytes = 0
	return s
}

func TestLevelDeltas(t *testing.T) {
	before := kv.Stats{LSM: &kv.LSMStats{Levels: []kv.LevelStats{{Level: 0, BytesWritten: 100}, {Level: 1, BytesWritten: 50}}}}
	after := kv.Stats{LSM: &kv.LSMStats{Levels: []kv.LevelStats{{Level: 0, BytesWritten: 300}, {Level: 1, BytesWritten: 50}, {Level: 2, BytesWritten: 70}}}}
	if got := levelDeltas(before, after); !slices.Equal(got, []int64{200, 0, 70}) {
		t.Fatalf("levelDeltas = %v", got)
	}
	if levelDeltas(after, after) != nil || levelDeltas(kv.Stats{}, kv.Stats{}) != nil {
		t.Fatal("no change must give no levels")
	}
}

func TestRunFewerOpsThanThreads(t *testing.T) {
	w, _ := workload.LookupWorkload("readrandom")
	done := make(chan *Result)
	go func() { done <- runMemory(t, Config{Workload: w, Num: 100, Ops: 1, Threads: 3}) }()
	select {
	case res := <-done:
		if res.Run.Ops != 1 {
			t.Fatalf("%d ops, want 1", res.Run.Ops)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a client with no operations to do never stopped")
	}
}
