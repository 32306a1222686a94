// Package timeline records what an engine's background work did during a
// benchmark, against time: every flush, compaction, write stall and
// checkpoint the engine reports through its kv.EventListener, and periodic
// samples of its shape from Stats (bytes per LSM level, memtable bytes,
// B+tree height and pages by type, disk bytes). bench records one per run
// when asked (bench.Config.Timeline) and keeps it in the results file;
// bench/plot draws it as the LSM shape over time.
//
//	rec := timeline.NewRecorder(engineName)
//	opts.EventListener = rec.Listener()   // before the engine opens
//	stop := rec.Sample(eng.Stats, 100*time.Millisecond)
//	rec.Mark("load") ... stop()
//	tl := rec.Timeline()
package timeline

import (
	"cmp"
	"slices"
	"sync"
	"time"

	"github.com/kvlab/kvlab/kv"
)

// Event kinds.
const (
	Flush      = "flush"
	Compaction = "compaction"
	Stall      = "stall"
	Checkpoint = "checkpoint"
)

// Timeline is what a Recorder recorded. Times are seconds since the
// recorder was made.
type Timeline struct {
	// Engine names the engine recorded.
	Engine string `json:"engine"`
	// Phases marks where each phase began.
	Phases []Mark `json:"phases,omitempty"`
	// Events are the background jobs, in the order they ended (a job
	// still running at the end has End = the end of the recording).
	Events []Event `json:"events,omitempty"`
	// Samples are the engine's shape at regular times.
	Samples []Sample `json:"samples,omitempty"`
	// Seconds is the length of the recording.
	Seconds float64 `json:"seconds"`
}

// Mark is a named instant: the start of a phase.
type Mark struct {
	Name string  `json:"name"`
	T    float64 `json:"t"`
}

// Event is one background job or write stall.
type Event struct {
	// Kind is Flush, Compaction, Stall or Checkpoint.
	Kind string `json:"kind"`
	// Start and End bound it, in seconds.
	Start float64 `json:"start"`
	End   float64 `json:"end"`
	// FromLevel and ToLevel are a compaction's input and output levels
	// (a flush goes to level 0).
	FromLevel int `json:"from_level,omitempty"`
	ToLevel   int `json:"to_level,omitempty"`
	// InBytes and OutBytes are the bytes read and written.
	InBytes  int64 `json:"in_bytes,omitempty"`
	OutBytes int64 `json:"out_bytes,omitempty"`
	// Reason says why writes stalled.
	Reason string `json:"reason,omitempty"`
	// Err is the job's error, if it failed.
	Err string `json:"error,omitempty"`
}

// Sample is the engine's shape at one time, from its Stats.
type Sample struct {
	T float64 `json:"t"`
	// LevelBytes are an LSM's bytes per level (index = level);
	// MemtableBytes the bytes in its memtables.
	LevelBytes    []int64 `json:"level_bytes,omitempty"`
	MemtableBytes int64   `json:"memtable_bytes,omitempty"`
	// Height and the page counts describe a B+tree.
	Height        int   `json:"height,omitempty"`
	LeafPages     int64 `json:"leaf_pages,omitempty"`
	BranchPages   int64 `json:"branch_pages,omitempty"`
	OverflowPages int64 `json:"overflow_pages,omitempty"`
	FreePages     int64 `json:"free_pages,omitempty"`
	// DiskBytes is the engine's live file bytes.
	DiskBytes int64 `json:"disk_bytes"`
}

// Recorder records a Timeline. Its methods are safe for concurrent use.
type Recorder struct {
	start time.Time
	mu    sync.Mutex
	tl    Timeline
	open  map[[2]any]*Event // running jobs by kind and job ID
	stall *Event
}

// NewRecorder starts a recording of the named engine.
func NewRecorder(engine string) *Recorder {
	return &Recorder{start: time.Now(), tl: Timeline{Engine: engine}, open: map[[2]any]*Event{}}
}

func (r *Recorder) now() float64 { return time.Since(r.start).Seconds() }

func (r *Recorder) begin(kind string, job int, e Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	e.Kind, e.Start = kind, r.now()
	r.open[[2]any{kind, job}] = &e
}

func (r *Recorder) end(kind string, job int, f func(*Event), err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	k := [2]any{kind, job}
	e := r.open[k]
	if e == nil {
		e = &Event{Kind: kind, Start: r.now()}
	}
	delete(r.open, k)
	e.End = r.now()
	f(e)
	if err != nil {
		e.Err = err.Error()
	}
	r.tl.Events = append(r.tl.Events, *e)
}

// Listener returns the event listener to give the engine when it opens.
// Its functions only append under a mutex: they return at once.
func (r *Recorder) Listener() *kv.EventListener {
	return &kv.EventListener{
		FlushBegin: func(i kv.FlushInfo) { r.begin(Flush, i.JobID, Event{InBytes: i.InputBytes}) },
		FlushEnd: func(i kv.FlushInfo) {
			r.end(Flush, i.JobID, func(e *Event) { e.InBytes, e.OutBytes = i.InputBytes, i.OutputBytes }, i.Err)
		},
		CompactionBegin: func(i kv.CompactionInfo) {
			r.begin(Compaction, i.JobID, Event{FromLevel: i.FromLevel, ToLevel: i.ToLevel, InBytes: i.InputBytes})
		},
		CompactionEnd: func(i kv.CompactionInfo) {
			r.end(Compaction, i.JobID, func(e *Event) {
				e.FromLevel, e.ToLevel, e.InBytes, e.OutBytes = i.FromLevel, i.ToLevel, i.InputBytes, i.OutputBytes
			}, i.Err)
		},
		CheckpointBegin: func(i kv.CheckpointInfo) {
			if i.Dir == "" { // a B+tree's own checkpoint, not a copy
				r.begin(Checkpoint, i.JobID, Event{})
			}
		},
		CheckpointEnd: func(i kv.CheckpointInfo) {
			if i.Dir == "" {
				r.end(Checkpoint, i.JobID, func(e *Event) { e.OutBytes = i.Bytes }, i.Err)
			}
		},
		WriteStallBegin: func(i kv.WriteStallInfo) {
			r.mu.Lock()
			defer r.mu.Unlock()
			if r.stall == nil {
				r.stall = &Event{Kind: Stall, Start: r.now(), Reason: i.Reason}
			}
		},
		WriteStallEnd: func() {
			r.mu.Lock()
			defer r.mu.Unlock()
			if r.stall != nil {
				r.stall.End = r.now()
				r.tl.Events = append(r.tl.Events, *r.stall)
				r.stall = nil
			}
		},
	}
}

// Mark records the start of the named phase.
func (r *Recorder) Mark(name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.tl.Phases = append(r.tl.Phases, Mark{Name: name, T: r.now()})
}

// Record adds a sample of the engine's shape from its Stats.
func (r *Recorder) Record(s kv.Stats) {
	smp := Sample{T: r.now(), DiskBytes: s.DiskBytes}
	if l := s.LSM; l != nil {
		smp.MemtableBytes = l.MemtableBytes
		for _, lv := range l.Levels {
			for len(smp.LevelBytes) <= lv.Level {
				smp.LevelBytes = append(smp.LevelBytes, 0)
			}
			smp.LevelBytes[lv.Level] = lv.Bytes
		}
	}
	if b := s.BTree; b != nil {
		smp.Height, smp.LeafPages, smp.BranchPages = b.Height, b.LeafPages, b.BranchPages
		smp.OverflowPages, smp.FreePages = b.OverflowPages, b.FreePages
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.tl.Samples = append(r.tl.Samples, smp)
}

// Sample records stats() now and then every interval until the returned
// function is called, which records a last sample and waits for the
// sampler to stop.
func (r *Recorder) Sample(stats func() kv.Stats, every time.Duration) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	r.Record(stats())
	wg.Go(func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				r.Record(stats())
			}
		}
	})
	var once sync.Once
	return func() {
		once.Do(func() {
			close(done)
			wg.Wait()
			r.Record(stats())
		})
	}
}

// Timeline returns what was recorded so far; jobs still running end now.
func (r *Recorder) Timeline() *Timeline {
	r.mu.Lock()
	defer r.mu.Unlock()
	tl := r.tl
	now := r.now()
	tl.Seconds = now
	tl.Events = append([]Event(nil), r.tl.Events...)
	for _, e := range r.open {
		c := *e
		c.End = now
		tl.Events = append(tl.Events, c)
	}
	if r.stall != nil {
		c := *r.stall
		c.End = now
		tl.Events = append(tl.Events, c)
	}
	slices.SortStableFunc(tl.Events, func(a, b Event) int { return cmp.Compare(a.Start, b.Start) })
	tl.Samples = append([]Sample(nil), r.tl.Samples...)
	tl.Phases = append([]Mark(nil), r.tl.Phases...)
	return &tl
}

// Counts returns how many events of each kind the timeline holds.
func (t *Timeline) Counts() map[string]int {
	n := map[string]int{}
	for _, e := range t.Events {
		n[e.Kind]++
	}
	return n
}
