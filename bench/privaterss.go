package bench

import (
	"bytes"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// privateRSSInterval is how often a phase samples its private resident
// memory: often enough to catch the peak of a load (a memtable or a dirty
// budget builds up over seconds), rarely enough to cost nothing (reading
// /proc/self/statm takes a few microseconds).
const privateRSSInterval = 10 * time.Millisecond

// privateRSS samples the process's private (anonymous) resident memory
// and keeps the largest sample: the Go heap, off-heap arenas, stacks, but
// not file pages a memory map made resident. Those count in VmHWM (peak
// RSS) too, though they are the kernel's page cache, shared and
// reclaimable: an engine that reads through a memory map (bbolt, the
// B+tree with its mmap knob) shows its whole hot file there. The kernel
// keeps no peak of the private part, so it is sampled.
type privateRSS struct {
	peak atomic.Int64
	stop chan struct{}
	wg   sync.WaitGroup
}

// startPrivateRSS starts sampling; it returns nil where /proc/self/statm
// is absent.
func startPrivateRSS() *privateRSS {
	if _, ok := readPrivateRSS(); !ok {
		return nil
	}
	s := &privateRSS{stop: make(chan struct{})}
	s.sample()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		t := time.NewTicker(privateRSSInterval)
		defer t.Stop()
		for {
			select {
			case <-s.stop:
				return
			case <-t.C:
				s.sample()
			}
		}
	}()
	return s
}

func (s *privateRSS) sample() {
	if v, ok := readPrivateRSS(); ok && v > s.peak.Load() {
		s.peak.Store(v)
	}
}

// finish stops sampling, takes a last sample and returns the peak in
// bytes (0 for a nil sampler).
func (s *privateRSS) finish() int64 {
	if s == nil {
		return 0
	}
	close(s.stop)
	s.wg.Wait()
	s.sample()
	return s.peak.Load()
}

// readPrivateRSS returns resident minus shared pages (file-backed and
// shared memory) from /proc/self/statm, in bytes.
func readPrivateRSS() (int64, bool) {
	data, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0, false
	}
	f := bytes.Fields(data)
	if len(f) < 3 {
		return 0, false
	}
	resident, err1 := strconv.ParseInt(string(f[1]), 10, 64)
	shared, err2 := strconv.ParseInt(string(f[2]), 10, 64)
	if err1 != nil || err2 != nil || resident < shared {
		return 0, false
	}
	return (resident - shared) * int64(os.Getpagesize()), true
}
