package vfs

import (
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// meterSet hands out Meters and charges the time of an access to the
// Meter of the goroutine that made it: the simulated Device's modelled
// service time, or the measured time of a Direct file system's system
// calls.
type meterSet struct {
	mu      sync.RWMutex
	meters  map[uint64]*Meter
	n       atomic.Int32
	metered atomic.Int64 // ns charged to some Meter
}

// Meter collects the device time charged to one goroutine.
type Meter struct {
	set *meterSet
	gid uint64
	ns  atomic.Int64
}

func (s *meterSet) meter() *Meter {
	m := &Meter{set: s, gid: goroutineID()}
	s.mu.Lock()
	if s.meters == nil {
		s.meters = map[uint64]*Meter{}
	}
	s.meters[m.gid] = m
	s.mu.Unlock()
	s.n.Add(1)
	return m
}

// charge adds d to the calling goroutine's Meter, if it holds one.
func (s *meterSet) charge(d time.Duration) {
	if d <= 0 || s.n.Load() == 0 {
		return
	}
	gid := goroutineID()
	s.mu.RLock()
	m := s.meters[gid]
	s.mu.RUnlock()
	if m != nil {
		m.ns.Add(int64(d))
		s.metered.Add(int64(d))
	}
}

// Take returns the device time charged to the meter since the last Take.
func (m *Meter) Take() time.Duration { return time.Duration(m.ns.Swap(0)) }

// Release stops the meter.
func (m *Meter) Release() {
	s := m.set
	s.mu.Lock()
	if s.meters[m.gid] == m {
		delete(s.meters, m.gid)
		s.n.Add(-1)
	}
	s.mu.Unlock()
}

// goroutineID returns the calling goroutine's number, from the first line
// of its stack trace ("goroutine 42 [running]:"). Go offers no other way
// to tell goroutines apart; it is needed only while a Meter exists.
func goroutineID() uint64 {
	var buf [40]byte
	s := string(buf[:runtime.Stack(buf[:], false)])
	s = strings.TrimPrefix(s, "goroutine ")
	var id uint64
	for i := 0; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		id = id*10 + uint64(s[i]-'0')
	}
	return id
}
