package workload

import "math/bits"

// RNG is a small, fast, seeded random number generator (splitmix64). Each
// client goroutine owns one, so drawing numbers takes no lock and a run is
// repeatable for a given seed.
type RNG struct{ s uint64 }

// NewRNG returns a generator for seed and stream; different streams of one
// seed give independent sequences.
func NewRNG(seed, stream uint64) *RNG {
	r := &RNG{s: mix64(seed ^ mix64(stream+0x9e3779b97f4a7c15))}
	return r
}

// Uint64 returns a uniformly distributed 64-bit number.
func (r *RNG) Uint64() uint64 {
	r.s += 0x9e3779b97f4a7c15
	return mix64(r.s)
}

// Uint64n returns a uniform number in [0, n); n must be > 0.
func (r *RNG) Uint64n(n uint64) uint64 {
	// Lemire's multiply-shift; the bias for n far below 2^64 is negligible
	// but is removed anyway by rejection.
	hi, lo := bits.Mul64(r.Uint64(), n)
	if lo < n {
		thresh := -n % n
		for lo < thresh {
			hi, lo = bits.Mul64(r.Uint64(), n)
		}
	}
	return hi
}

// Float64 returns a uniform number in [0, 1).
func (r *RNG) Float64() float64 {
	return float64(r.Uint64()>>11) / (1 << 53)
}

// mix64 is the splitmix64 finalizer: a bijection on uint64 that scatters
// nearby inputs across the whole range.
func mix64(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// unmix64 inverts mix64.
func unmix64(z uint64) uint64 {
	z = unxorshift(z, 31) * 0x319642b2d24d8ec3 // inverse of 0x94d049bb133111eb
	z = unxorshift(z, 27) * 0x96de1b173f119089 // inverse of 0xbf58476d1ce4e5b9
	return unxorshift(z, 30)
}

// unxorshift inverts z ^ (z >> s).
func unxorshift(z uint64, s uint) uint64 {
	x := z
	for i := s; i < 64; i += s {
		x = z ^ x>>s
	}
	return x
}
