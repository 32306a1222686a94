package workload

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrConfig is matched (with errors.Is) by every error that reports a bad
// benchmark configuration: an unknown workload or distribution, a bad size
// or count, an impossible combination. The CLI maps it to a usage error.
var ErrConfig = errors.New("bench: bad configuration")

func configErrorf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrConfig}, args...)...)
}

// DistKind names a key distribution.
type DistKind string

// The key distributions, as YCSB names them.
const (
	// Uniform picks every existing key with the same probability.
	Uniform DistKind = "uniform"
	// Zipfian picks key ranks with P(i) ∝ 1/(i+1)^θ, the ranks scrambled
	// over the key space (YCSB's scrambled zipfian).
	Zipfian DistKind = "zipfian"
	// Latest is zipfian over recency: the most recently inserted key is
	// the most popular (YCSB workload D).
	Latest DistKind = "latest"
	// Sequential walks the keys in order, each client from its own start.
	Sequential DistKind = "sequential"
	// Hotspot sends a fraction of the operations to a fraction of the keys,
	// uniformly within each set.
	Hotspot DistKind = "hotspot"
)

// Distribution says how a workload chooses the existing keys it reads,
// updates and scans.
type Distribution struct {
	Kind DistKind
	// ZipfConstant is θ for Zipfian and Latest; 0 means
	// DefaultZipfConstant. It must be positive and not 1.
	ZipfConstant float64
	// HotSetFraction is the fraction of keys that are hot (Hotspot); 0
	// means 0.2.
	HotSetFraction float64
	// HotOpFraction is the fraction of operations on hot keys (Hotspot);
	// 0 means 0.8.
	HotOpFraction float64
}

// ParseDistribution parses "uniform", "zipfian", "zipfian:0.8" (θ),
// "latest", "latest:0.9", "sequential", "hotspot" or "hotspot:0.2:0.8" (hot
// set fraction, hot operation fraction).
func ParseDistribution(s string) (Distribution, error) {
	parts := strings.Split(strings.TrimSpace(s), ":")
	d := Distribution{Kind: DistKind(strings.ToLower(parts[0]))}
	nums := make([]float64, 0, 2)
	for _, p := range parts[1:] {
		v, err := strconv.ParseFloat(p, 64)
		if err != nil {
			return Distribution{}, configErrorf("distribution %q: %q is not a number", s, p)
		}
		nums = append(nums, v)
	}
	maxNums := 0
	switch d.Kind {
	case Uniform, Sequential:
	case Zipfian, Latest:
		maxNums = 1
		if len(nums) > 0 {
			d.ZipfConstant = nums[0]
		}
	case Hotspot:
		maxNums = 2
		if len(nums) > 0 {
			d.HotSetFraction = nums[0]
		}
		if len(nums) > 1 {
			d.HotOpFraction = nums[1]
		}
	default:
		return Distribution{}, configErrorf("unknown distribution %q (known: uniform, zipfian[:θ], latest[:θ], sequential, hotspot[:hotset:hotops])", s)
	}
	if len(nums) > maxNums {
		return Distribution{}, configErrorf("distribution %q: too many parameters", s)
	}
	return d, d.Validate()
}

// Validate reports a parameter out of range.
func (d Distribution) Validate() error {
	switch d.Kind {
	case Uniform, Sequential:
	case Zipfian, Latest:
		if t := d.zipfConstant(); t <= 0 || t == 1 || t > 100 {
			return configErrorf("zipfian constant %g: want 0 < θ < 1 (YCSB's generator) or θ > 1 (Go's)", t)
		}
	case Hotspot:
		hs, ho := d.hot()
		if hs <= 0 || hs > 1 || ho < 0 || ho > 1 {
			return configErrorf("hotspot fractions %g, %g: want 0 < hot set ≤ 1 and 0 ≤ hot ops ≤ 1", hs, ho)
		}
	default:
		return configErrorf("unknown distribution %q", d.Kind)
	}
	return nil
}

// String renders d in the syntax ParseDistribution reads.
func (d Distribution) String() string {
	switch d.Kind {
	case Zipfian, Latest:
		if d.ZipfConstant != 0 && d.ZipfConstant != DefaultZipfConstant {
			return fmt.Sprintf("%s:%g", d.Kind, d.ZipfConstant)
		}
	case Hotspot:
		hs, ho := d.hot()
		return fmt.Sprintf("hotspot:%g:%g", hs, ho)
	}
	return string(d.Kind)
}

func (d Distribution) zipfConstant() float64 {
	if d.ZipfConstant == 0 {
		return DefaultZipfConstant
	}
	return d.ZipfConstant
}

func (d Distribution) hot() (set, ops float64) {
	set, ops = d.HotSetFraction, d.HotOpFraction
	if set == 0 {
		set = 0.2
	}
	if ops == 0 {
		ops = 0.8
	}
	return set, ops
}

// KeyChooser draws key numbers for one client goroutine. It is not safe
// for concurrent use.
type KeyChooser interface {
	// Next returns a key number in [0, n), n being the number of keys that
	// exist now (it may grow between calls); n must be positive.
	Next(n uint64) uint64
}

// NewChooser returns a chooser for client number client of clients.
// space is the largest key count the run expects (records plus expected
// inserts): the scrambled zipfian spreads its ranks over [0, space) and
// redraws numbers that do not exist yet, as YCSB does. Choosers made with
// the same seed and client draw the same sequence.
func (d Distribution) NewChooser(space, seed uint64, client, clients int) KeyChooser {
	r := NewRNG(seed, uint64(client)+1)
	if space == 0 {
		space = 1
	}
	switch d.Kind {
	case Zipfian:
		return &scrambledZipfian{z: NewZipfGen(r, space, d.zipfConstant()), perm: NewPermutation(space, seed^0x5eed), space: space}
	case Latest:
		return &latestChooser{z: NewZipfGen(r, space, d.zipfConstant())}
	case Sequential:
		if clients < 1 {
			clients = 1
		}
		return &sequentialChooser{next: space / uint64(clients) * uint64(client)}
	case Hotspot:
		hs, ho := d.hot()
		return &hotspotChooser{r: r, set: hs, ops: ho}
	default:
		return uniformChooser{r}
	}
}

type uniformChooser struct{ r *RNG }

func (c uniformChooser) Next(n uint64) uint64 { return c.r.Uint64n(n) }

// scrambledZipfian is YCSB's ScrambledZipfianGenerator with one change:
// YCSB scatters ranks with fnvhash64(rank) mod items, which folds some
// ranks together and flattens the head of the distribution; here a
// bijective permutation scatters them, so each key's frequency is exactly
// its rank's zipfian probability.
type scrambledZipfian struct {
	z     *ZipfGen
	perm  *Permutation
	space uint64
}

func (c *scrambledZipfian) Next(n uint64) uint64 {
	for tries := 0; ; tries++ {
		k := c.perm.At(c.z.Next(c.space))
		if k < n {
			return k
		}
		if tries > 64 {
			// Far fewer keys exist than the space expects: fall back to
			// folding, rather than spinning.
			return k % n
		}
	}
}

// latestChooser is YCSB's SkewedLatestGenerator: the newest key is rank 0.
type latestChooser struct{ z *ZipfGen }

func (c *latestChooser) Next(n uint64) uint64 { return n - 1 - c.z.Next(n) }

type sequentialChooser struct{ next uint64 }

func (c *sequentialChooser) Next(n uint64) uint64 {
	if c.next >= n {
		c.next %= n
	}
	k := c.next
	c.next++
	return k
}

// hotspotChooser is YCSB's HotspotIntegerGenerator: the hot set is the
// lowest key numbers.
type hotspotChooser struct {
	r        *RNG
	set, ops float64
}

func (c *hotspotChooser) Next(n uint64) uint64 {
	hot := uint64(c.set * float64(n))
	if hot == 0 {
		hot = 1
	}
	if hot >= n {
		return c.r.Uint64n(n)
	}
	if c.r.Float64() < c.ops {
		return c.r.Uint64n(hot)
	}
	return hot + c.r.Uint64n(n-hot)
}
