package bench

import (
	"context"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kvlab/kvlab/bench/timeline"
	"github.com/kvlab/kvlab/bench/workload"
	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/vfs"
)

// runState is what the clients of one run share.
type runState struct {
	cfg *resolved
	eng kv.Engine
	dev deviceFS // the simulated device or the direct file system, or nil
	// devDesc describes dev; direct says it is the real device (vfs.Direct).
	devDesc string
	direct  bool
	// timeline, if set, records the run's background work (Config.Timeline).
	timeline *timeline.Recorder
	values   *workload.ValueSource
	perm     *workload.Permutation // a random order of [0, Num)
	space    uint64                // key numbers the choosers spread over

	loadNext atomic.Int64  // next key index the load phase writes
	inserted atomic.Uint64 // key numbers given to inserts so far (= keys that exist, before deletes)
	deleted  atomic.Uint64 // deletes issued by DeleteEach
	live     atomic.Int64  // live keys, the space model's numerator

	// liveBefore is the live bytes at the end of the previous phase (the
	// cost model's starting point); only the coordinating goroutine uses it.
	liveBefore int64

	// Phase control, reset by each phase.
	stop      atomic.Bool
	measuring atomic.Bool
	deadline  atomic.Int64 // ns since base at which the run phase ends
	progress  atomic.Int64
	base      time.Time
	errMu     sync.Mutex
	err       error
}

func newRunState(rc *resolved, eng kv.Engine) *runState {
	s := &runState{
		cfg:    rc,
		eng:    eng,
		values: workload.NewValueSource(rc.Seed, rc.Compressibility, rc.values.Max),
		perm:   workload.NewPermutation(uint64(rc.Num), rc.Seed^0xf111),
	}
	// The scrambled zipfian spreads over the records plus twice the
	// expected inserts, as YCSB's CoreWorkload does.
	expected := float64(rc.Num)
	if rc.ops > 0 {
		expected = float64(rc.ops)
	}
	s.space = uint64(rc.Num) + uint64(2*expected*rc.mix[workload.OpInsert])
	return s
}

// fail records the first error and stops every client.
func (s *runState) fail(err error) {
	s.errMu.Lock()
	if s.err == nil {
		s.err = err
	}
	s.errMu.Unlock()
	s.stop.Store(true)
}

// existing returns the number of key numbers that exist (have been
// inserted), at least 1.
func (s *runState) existing() uint64 {
	n := s.inserted.Load()
	if s.cfg.Workload.InsertOrder == workload.OrderRandom && n > uint64(s.cfg.Num) {
		n = uint64(s.cfg.Num)
	}
	if n == 0 {
		n = 1
	}
	return n
}

// phase runs the load or the run phase and measures it.
func (s *runState) phase(ctx context.Context, name string) (*Phase, error) {
	load := name == "load"
	cfg := s.cfg
	s.stop.Store(false)
	s.progress.Store(0)
	s.err = nil
	s.deadline.Store(math.MaxInt64)
	s.measuring.Store(load || cfg.Warmup == 0)

	clients := make([]*client, cfg.Threads)
	for i := range clients {
		clients[i] = newClient(s, i, name)
	}
	if load {
		s.loadNext.Store(0)
	}
	// quota is a client's share of the measured operations; -1 means
	// unbounded (a duration-bound run).
	quota := func(i int) int64 {
		if s.cfg.ops == 0 {
			return -1
		}
		q := s.cfg.ops / int64(cfg.Threads)
		if int64(i) < s.cfg.ops%int64(cfg.Threads) {
			q++
		}
		return q
	}

	resetPeakRSS()
	privRSS := startPrivateRSS()
	io0, haveIO := readProcIO()
	before := s.eng.Stats()
	dev0 := s.deviceStats()
	commits0, commitTime0 := s.commits()
	s.base = time.Now()
	start := s.base
	if !load && cfg.Duration > 0 && cfg.Warmup == 0 {
		s.deadline.Store(int64(cfg.Duration))
	}

	done := make(chan struct{})
	var wg sync.WaitGroup
	for i, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if load {
				c.load()
			} else {
				c.run(quota(i))
			}
		}()
	}
	go func() { wg.Wait(); close(done) }()

	// Coordinate: end the warm-up, follow ctx, report progress.
	total, byTime := s.progressTotal(load)
	if cfg.Progress != nil {
		cfg.Progress.Start(cfg.Engine+" "+cfg.Workload.Name+" "+name, total, byTime)
	}
	tick := time.NewTicker(100 * time.Millisecond)
	var warm <-chan time.Time
	if !s.measuring.Load() {
		warm = time.After(cfg.Warmup)
	}
loop:
	for {
		select {
		case <-done:
			break loop
		case <-ctx.Done():
			s.fail(ctx.Err())
			<-done
			break loop
		case <-warm:
			warm = nil
			before = s.eng.Stats()
			dev0 = s.deviceStats()
			commits0, commitTime0 = s.commits()
			if io, ok := readProcIO(); ok {
				io0 = io
			}
			start = time.Now()
			if cfg.Duration > 0 {
				s.deadline.Store(int64(start.Sub(s.base) + cfg.Duration))
			}
			s.measuring.Store(true)
		case now := <-tick.C:
			if cfg.Progress != nil {
				if byTime {
					cfg.Progress.Set(int64(now.Sub(s.base) / time.Millisecond))
				} else {
					cfg.Progress.Set(s.progress.Load())
				}
			}
		}
	}
	tick.Stop()
	if cfg.Progress != nil {
		cfg.Progress.Finish()
	}

	end := start
	for _, c := range clients {
		if t := s.base.Add(c.end); t.After(end) {
			end = t
		}
	}
	for _, c := range clients {
		if c.iter != nil {
			c.iter.Close()
		}
	}
	ph := &Phase{Name: name, Seconds: end.Sub(start).Seconds()}
	err := s.err
	devPhase := s.deviceStats().Sub(dev0)
	commits1, commitTime1 := s.commits() // before the Sync, which commits too
	if err == nil {
		t := time.Now()
		if serr := s.eng.Sync(); serr != nil {
			err = serr
		}
		if cfg.Steady {
			s.settle(ctx)
		}
		ph.SyncSeconds = time.Since(t).Seconds()
	}
	if load {
		s.inserted.Store(uint64(cfg.Num))
		s.live.Store(cfg.Num)
	}
	after := s.eng.Stats()
	s.measure(ph, clients, before, after)
	s.measureDevice(ph, clients, devPhase)
	s.measureCommits(ph, commits1-commits0, commitTime1-commitTime0)
	if io1, ok := readProcIO(); ok && haveIO {
		d := io1.Sub(io0)
		ph.OSIO = &d
	}
	ph.PeakRSS = peakRSS()
	ph.PeakPrivateRSS = privRSS.finish()
	if err != nil {
		ph.Err = err.Error()
	}
	return ph, err
}

// deviceStats returns the simulated device's figures so far (zero without
// one).
func (s *runState) deviceStats() vfs.DeviceStats {
	if s.dev == nil {
		return vfs.DeviceStats{}
	}
	return s.dev.Stats()
}

// progressTotal returns the progress bar's total: operations, or
// milliseconds for a duration-bound run phase.
func (s *runState) progressTotal(load bool) (int64, bool) {
	switch {
	case load:
		return s.cfg.Num, false
	case s.cfg.ops > 0:
		return s.cfg.ops, false
	default:
		return int64((s.cfg.Warmup + s.cfg.Duration) / time.Millisecond), true
	}
}
