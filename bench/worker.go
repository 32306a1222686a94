package bench

import (
	"time"

	"github.com/kvlab/kvlab/bench/workload"
	"github.com/kvlab/kvlab/kv"
)

// progressEvery is how many operations a client does between updates of
// the shared progress counter.
const progressEvery = 256

// client is one goroutine issuing operations. It owns its generators,
// buffers and histograms, so the hot path takes no lock and allocates
// nothing of its own.
type client struct {
	s       *runState
	id      int
	r       *workload.RNG
	chooser workload.KeyChooser
	scanLen *workload.ZipfGen // zipfian scan lengths
	key     []byte
	val     []byte // the prepared value
	n       int    // the prepared scan length
	vals    workload.ValueGen
	batch   kv.Batch
	iter    kv.Iterator // readseq / readreverse
	opCum   []float64   // cumulative shares of opList
	opList  []workload.Op

	hists  [workload.NumOps]*Histogram
	counts [workload.NumOps]int64
	misses [workload.NumOps]int64
	ops    int64 // measured operations (keys, in the load phase)
	userW  int64
	userR  int64
	dev    *deviceClient // nil without a simulated device
	end    time.Duration // when the last measured operation ended, since runState.base
}

func newClient(s *runState, id int, phase string) *client {
	cfg := s.cfg
	stream := uint64(id) << 8
	if phase == "run" {
		stream |= 1
	}
	c := &client{
		s:       s,
		id:      id,
		r:       workload.NewRNG(cfg.Seed, stream),
		chooser: cfg.dist.NewChooser(s.space, cfg.Seed, id, cfg.Threads),
		key:     make([]byte, cfg.KeySize),
	}
	c.vals = workload.NewValueGen(s.values, cfg.Seed, stream, cfg.values)
	if cfg.scan.Zipfian && cfg.scan.Max > cfg.scan.Min {
		c.scanLen = workload.NewZipfGen(workload.NewRNG(cfg.Seed, stream|4), uint64(cfg.scan.Max-cfg.scan.Min+1), workload.DefaultZipfConstant)
	}
	sum := 0.0
	for _, op := range cfg.mix.Ops() {
		sum += cfg.mix[op]
		c.opList = append(c.opList, op)
		c.opCum = append(c.opCum, sum)
	}
	return c
}

// pick draws the next operation from the mix.
func (c *client) pick() workload.Op {
	if len(c.opList) == 1 {
		return c.opList[0]
	}
	u := c.r.Float64()
	for i, p := range c.opCum {
		if u < p {
			return c.opList[i]
		}
	}
	return c.opList[len(c.opList)-1]
}

func (c *client) record(op workload.Op, d time.Duration) {
	h := c.hists[op]
	if h == nil {
		h = NewHistogram()
		c.hists[op] = h
	}
	h.Record(d)
	c.counts[op]++
}

// load writes the records in batches until every key index is claimed.
func (c *client) load() {
	s, cfg := c.s, c.s.cfg
	batch := int64(cfg.LoadBatch)
	num := cfg.Num
	wo := kv.WriteOptions{Sync: cfg.Sync}
	c.deviceStart()
	defer c.deviceStop()
	for !s.stop.Load() {
		first := s.loadNext.Add(batch) - batch
		if first >= num {
			return
		}
		last := min(first+batch, num)
		c.batch.Reset()
		for i := first; i < last; i++ {
			n := uint64(i)
			if cfg.Workload.Load == workload.OrderRandom {
				n = s.perm.At(n)
			}
			cfg.keys.Encode(c.key, n)
			c.batch.Put(c.key, c.vals.Next())
		}
		t0 := time.Since(s.base)
		err := s.eng.Write(&c.batch, wo)
		t1 := time.Since(s.base)
		if err != nil {
			s.fail(err)
			return
		}
		c.record(workload.OpBatch, t1-t0)
		c.deviceRecord(workload.OpBatch, t1-t0, true)
		c.end = t1
		c.ops += last - first
		c.userW += c.batch.UserBytes()
		s.progress.Add(last - first)
	}
}

// run issues operations until the client's quota of measured operations
// is done (quota -1: no quota), the deadline passes or the run stops.
func (c *client) run(quota int64) {
	s := c.s
	var sinceProgress int64
	c.deviceStart()
	defer c.deviceStop()
	for quota != 0 && !s.stop.Load() {
		op := c.pick()
		w0, r0 := c.userW, c.userR
		c.prepare(op)
		t0 := time.Since(s.base) // monotonic clock only: time.Now also reads the wall clock
		miss, err := c.exec(op)
		t1 := time.Since(s.base)
		if err != nil {
			s.fail(err)
			return
		}
		c.deviceRecord(op, t1-t0, s.measuring.Load())
		if !s.measuring.Load() {
			c.userW, c.userR = w0, r0 // warm-up: not measured
			continue
		}
		c.record(op, t1-t0)
		if miss {
			c.misses[op]++
		}
		c.ops++
		c.end = t1
		if sinceProgress++; sinceProgress == progressEvery {
			s.progress.Add(sinceProgress)
			sinceProgress = 0
		}
		if quota >= 0 && c.ops >= quota {
			break
		}
		if int64(t1) >= s.deadline.Load() {
			break
		}
	}
	s.progress.Add(sinceProgress)
}
