package bench

import (
	"fmt"

	"github.com/kvlab/kvlab/bench/workload"
	"github.com/kvlab/kvlab/kv"
)

// prepare chooses the operation's key (into c.key), value (c.val) and
// scan length (c.n), so that the timed part, exec, is the engine's work
// only: the harness's key and value generation stays out of the latencies.
func (c *client) prepare(op workload.Op) {
	s, cfg := c.s, c.s.cfg
	switch op {
	case workload.OpRead:
		cfg.keys.Encode(c.key, c.chooser.Next(s.existing()))
	case workload.OpReadMissing:
		cfg.keys.EncodeMissing(c.key, c.chooser.Next(s.existing()))
	case workload.OpUpdate, workload.OpReadModifyWrite:
		cfg.keys.Encode(c.key, c.chooser.Next(s.existing()))
		c.val = c.vals.Next()
	case workload.OpInsert:
		i := s.inserted.Add(1) - 1
		n := i
		if cfg.Workload.InsertOrder == workload.OrderRandom {
			n = s.perm.At(i % uint64(cfg.Num))
		}
		if cfg.Workload.InsertOrder != workload.OrderRandom || i < uint64(cfg.Num) {
			s.live.Add(1)
		}
		cfg.keys.Encode(c.key, n)
		c.val = c.vals.Next()
	case workload.OpDelete:
		var n uint64
		if cfg.Workload.DeleteEach {
			i := s.deleted.Add(1) - 1
			n = s.perm.At(i % uint64(cfg.Num))
			if i < uint64(cfg.Num) {
				s.live.Add(-1)
			}
		} else {
			n = c.chooser.Next(s.existing())
		}
		cfg.keys.Encode(c.key, n)
	case workload.OpScan:
		cfg.keys.Encode(c.key, c.chooser.Next(s.existing()))
		c.n = c.scanLength()
	}
}

// exec performs the prepared operation. miss reports a read that found no
// value (not an error: a read of a deleted or not-yet-inserted key, or
// readmissing).
func (c *client) exec(op workload.Op) (miss bool, err error) {
	switch op {
	case workload.OpRead, workload.OpReadMissing:
		return c.get()
	case workload.OpUpdate, workload.OpInsert:
		return false, c.put()
	case workload.OpDelete:
		return false, c.del()
	case workload.OpScan:
		return c.scan()
	case workload.OpReadModifyWrite:
		if miss, err = c.get(); err != nil {
			return miss, err
		}
		return miss, c.put()
	case workload.OpNext, workload.OpPrev:
		return c.step(op == workload.OpNext)
	}
	return false, fmt.Errorf("bench: operation %v cannot run in the run phase", op)
}

func (c *client) get() (bool, error) {
	v, err := c.s.eng.Get(c.key)
	if err != nil {
		if isNotFound(err) {
			return true, nil
		}
		return false, fmt.Errorf("get: %w", err)
	}
	c.userR += int64(len(v))
	return false, nil
}

func (c *client) put() error {
	v := c.val
	c.userW += int64(len(c.key) + len(v))
	if c.s.cfg.Sync {
		c.batch.Reset()
		c.batch.Put(c.key, v)
		if err := c.s.eng.Write(&c.batch, kv.WriteOptions{Sync: true}); err != nil {
			return fmt.Errorf("write: %w", err)
		}
		return nil
	}
	if err := c.s.eng.Put(c.key, v); err != nil {
		return fmt.Errorf("put: %w", err)
	}
	return nil
}

func (c *client) del() error {
	c.userW += int64(len(c.key))
	if c.s.cfg.Sync {
		c.batch.Reset()
		c.batch.Delete(c.key)
		if err := c.s.eng.Write(&c.batch, kv.WriteOptions{Sync: true}); err != nil {
			return fmt.Errorf("write: %w", err)
		}
		return nil
	}
	if err := c.s.eng.Delete(c.key); err != nil {
		return fmt.Errorf("delete: %w", err)
	}
	return nil
}

// scanLength draws the length of the next scan.
func (c *client) scanLength() int {
	sl := c.s.cfg.scan
	switch {
	case sl.Max <= sl.Min:
		return sl.Min
	case c.scanLen != nil:
		return sl.Min + int(c.scanLen.Next(uint64(sl.Max-sl.Min+1)))
	default:
		return sl.Min + int(c.r.Uint64n(uint64(sl.Max-sl.Min+1)))
	}
}

// scan seeks to the key and reads up to a scan length of keys. A scan that
// finds no key at or after its start counts as a miss.
func (c *client) scan() (bool, error) {
	it, err := c.s.eng.NewIterator(kv.IterOptions{})
	if err != nil {
		return false, fmt.Errorf("new iterator: %w", err)
	}
	found := 0
	for ok := it.SeekGE(c.key); ok && found < c.n; ok = it.Next() {
		c.userR += int64(len(it.Key()) + len(it.Value()))
		found++
	}
	if err := it.Close(); err != nil {
		return false, fmt.Errorf("scan: %w", err)
	}
	return found == 0, nil
}

// step moves the client's long-lived iterator one key forward (or back),
// wrapping around at the end. The first step positions it at the client's
// share of the key space.
func (c *client) step(forward bool) (bool, error) {
	s := c.s
	it := c.iter
	var ok bool
	if it == nil {
		var err error
		if it, err = s.eng.NewIterator(kv.IterOptions{}); err != nil {
			return false, fmt.Errorf("new iterator: %w", err)
		}
		c.iter = it
		start := uint64(s.cfg.Num) / uint64(s.cfg.Threads) * uint64(c.id)
		s.cfg.keys.Encode(c.key, start)
		if forward {
			ok = it.SeekGE(c.key)
		} else {
			ok = it.SeekLT(c.key)
		}
	} else if forward {
		ok = it.Next()
	} else {
		ok = it.Prev()
	}
	if !ok {
		if err := it.Err(); err != nil {
			return false, fmt.Errorf("iterate: %w", err)
		}
		if forward {
			ok = it.First()
		} else {
			ok = it.Last()
		}
		if !ok {
			if err := it.Err(); err != nil {
				return false, fmt.Errorf("iterate: %w", err)
			}
			return true, nil
		}
	}
	c.userR += int64(len(it.Key()) + len(it.Value()))
	return false, nil
}
