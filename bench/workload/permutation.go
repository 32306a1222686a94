package workload

import "math/bits"

// Permutation is a seeded random bijection on [0, n), computed on demand
// (no table): a four-round Feistel network over the smallest even power of
// two covering n, with cycle-walking to stay inside [0, n). It lets
// fillrandom write every key exactly once in random order, and scrambles
// the zipfian distribution's ranks over the key space, in O(1) memory.
type Permutation struct {
	n         uint64
	halfBits  uint
	halfMask  uint64
	roundKeys [4]uint64
}

// NewPermutation returns the bijection on [0, n) that seed picks.
func NewPermutation(n, seed uint64) *Permutation {
	p := &Permutation{n: n}
	b := uint(bits.Len64(n - 1))
	if n <= 1 {
		b = 0
	}
	if b%2 == 1 {
		b++
	}
	if b < 2 {
		b = 2
	}
	p.halfBits = b / 2
	p.halfMask = 1<<p.halfBits - 1
	for i := range p.roundKeys {
		p.roundKeys[i] = mix64(seed + uint64(i)*0x632be59bd9b4e019)
	}
	return p
}

// At returns the image of i, which must be in [0, n).
func (p *Permutation) At(i uint64) uint64 {
	if p.n <= 1 {
		return 0
	}
	x := i
	for {
		x = p.round(x)
		if x < p.n {
			return x
		}
	}
}

func (p *Permutation) round(x uint64) uint64 {
	l, r := x>>p.halfBits, x&p.halfMask
	for _, k := range p.roundKeys {
		l, r = r, l^(mix64(r^k)&p.halfMask)
	}
	return l<<p.halfBits | r
}

// Inverse returns the i for which At(i) is y, which must be in [0, n).
func (p *Permutation) Inverse(y uint64) uint64 {
	if p.n <= 1 {
		return 0
	}
	x := y
	for {
		x = p.unround(x)
		if x < p.n {
			return x
		}
	}
}

// unround inverts round.
func (p *Permutation) unround(x uint64) uint64 {
	l, r := x>>p.halfBits, x&p.halfMask
	for i := len(p.roundKeys) - 1; i >= 0; i-- {
		l, r = r^(mix64(l^p.roundKeys[i])&p.halfMask), l
	}
	return l<<p.halfBits | r
}
