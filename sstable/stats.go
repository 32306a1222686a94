package sstable

import "sync/atomic"

// Stats are a Reader's counters since Open. Take the difference of two
// snapshots with Sub to measure a phase.
type Stats struct {
	// BlocksRead and BytesRead count the blocks read from the file and
	// their bytes (trailers included), the footer and the meta blocks
	// read by Open among them: the physical reads.
	BlocksRead, BytesRead int64
	// CacheHits counts data blocks found in the block cache; CacheMisses
	// those that had to be read from the file, including every data block
	// read when the reader has no cache.
	CacheHits, CacheMisses int64
	// Gets counts Get calls.
	Gets int64
	// BlocksTouched counts the data blocks Gets consulted, cache hits
	// included: the numerator of logical read amplification.
	BlocksTouched int64
	// BloomChecks counts Gets that consulted the filter; BloomNegatives
	// those the filter answered "absent" (no data block read); and
	// BloomFalsePositives those the filter let through for a user key the
	// table does not hold.
	BloomChecks, BloomNegatives, BloomFalsePositives int64
}

// Sub returns s - o.
func (s Stats) Sub(o Stats) Stats {
	return Stats{
		BlocksRead:          s.BlocksRead - o.BlocksRead,
		BytesRead:           s.BytesRead - o.BytesRead,
		CacheHits:           s.CacheHits - o.CacheHits,
		CacheMisses:         s.CacheMisses - o.CacheMisses,
		Gets:                s.Gets - o.Gets,
		BlocksTouched:       s.BlocksTouched - o.BlocksTouched,
		BloomChecks:         s.BloomChecks - o.BloomChecks,
		BloomNegatives:      s.BloomNegatives - o.BloomNegatives,
		BloomFalsePositives: s.BloomFalsePositives - o.BloomFalsePositives,
	}
}

// Add returns s + o, to sum the stats of several tables.
func (s Stats) Add(o Stats) Stats {
	return Stats{
		BlocksRead:          s.BlocksRead + o.BlocksRead,
		BytesRead:           s.BytesRead + o.BytesRead,
		CacheHits:           s.CacheHits + o.CacheHits,
		CacheMisses:         s.CacheMisses + o.CacheMisses,
		Gets:                s.Gets + o.Gets,
		BlocksTouched:       s.BlocksTouched + o.BlocksTouched,
		BloomChecks:         s.BloomChecks + o.BloomChecks,
		BloomNegatives:      s.BloomNegatives + o.BloomNegatives,
		BloomFalsePositives: s.BloomFalsePositives + o.BloomFalsePositives,
	}
}

// BlocksPerGet returns data blocks touched per Get (logical read
// amplification of this table), 0 before the first Get.
func (s Stats) BlocksPerGet() float64 {
	if s.Gets == 0 {
		return 0
	}
	return float64(s.BlocksTouched) / float64(s.Gets)
}

// BloomFalsePositiveRate returns false positives over the checks of absent
// keys (false positives plus negatives), 0 when there were none.
func (s Stats) BloomFalsePositiveRate() float64 {
	n := s.BloomFalsePositives + s.BloomNegatives
	if n == 0 {
		return 0
	}
	return float64(s.BloomFalsePositives) / float64(n)
}

// counters are the live, atomically updated form of Stats.
type counters struct {
	blocksRead, bytesRead                            atomic.Int64
	cacheHits, cacheMisses                           atomic.Int64
	gets, blocksTouched                              atomic.Int64
	bloomChecks, bloomNegatives, bloomFalsePositives atomic.Int64
}

func (c *counters) snapshot() Stats {
	return Stats{
		BlocksRead:          c.blocksRead.Load(),
		BytesRead:           c.bytesRead.Load(),
		CacheHits:           c.cacheHits.Load(),
		CacheMisses:         c.cacheMisses.Load(),
		Gets:                c.gets.Load(),
		BlocksTouched:       c.blocksTouched.Load(),
		BloomChecks:         c.bloomChecks.Load(),
		BloomNegatives:      c.bloomNegatives.Load(),
		BloomFalsePositives: c.bloomFalsePositives.Load(),
	}
}
