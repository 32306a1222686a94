package workload

import (
	"math"
	"math/rand/v2"
	"sync"
)

// DefaultZipfConstant is YCSB's zipfian constant (theta).
const DefaultZipfConstant = 0.99

// ZipfGen draws ranks in [0, items) with P(rank i) proportional to
// 1/(i+1)^theta. For 0 < theta < 1 it is YCSB's ZipfianGenerator: the method
// of Gray et al., "Quickly Generating Billion-Record Synthetic Databases"
// (SIGMOD 1994), which costs one pow per draw and allows the item count to
// grow between draws (zeta is extended incrementally), as YCSB's "latest"
// distribution needs. Go's math/rand Zipf only covers exponents above 1; for
// theta > 1 the generator uses it (rebuilt when the item count changes).
//
// A ZipfGen is owned by one goroutine.
type ZipfGen struct {
	r            *RNG
	theta        float64
	alpha        float64 // 1/(1-theta)
	zeta2        float64 // zeta(2, theta)
	halfPowTheta float64 // 0.5^theta
	items        uint64  // item count zetan and eta are computed for
	zetan        float64
	eta          float64

	goZipf  *rand.Zipf // theta > 1
	goItems uint64
}

// NewZipfGen returns a generator of ranks in [0, items) with exponent
// theta, drawing from r.
func NewZipfGen(r *RNG, items uint64, theta float64) *ZipfGen {
	z := &ZipfGen{r: r, theta: theta}
	if theta > 1 {
		return z
	}
	z.alpha = 1 / (1 - theta)
	z.zeta2 = zetaStatic(2, theta)
	z.halfPowTheta = math.Pow(0.5, theta)
	z.setItems(items)
	return z
}

// setItems recomputes zetan and eta for n items, extending zeta
// incrementally when n grew.
func (z *ZipfGen) setItems(n uint64) {
	switch {
	case z.items == 0 || n < z.items:
		z.zetan = zetaStatic(n, z.theta)
	case n > z.items:
		z.zetan += zetaRange(z.items+1, n, z.theta)
	}
	z.items = n
	z.eta = (1 - math.Pow(2/float64(n), 1-z.theta)) / (1 - z.zeta2/z.zetan)
}

// Next returns a rank in [0, n); rank 0 is the most popular.
func (z *ZipfGen) Next(n uint64) uint64 {
	if n <= 1 {
		return 0
	}
	if z.theta > 1 {
		if z.goZipf == nil || z.goItems != n {
			z.goZipf = rand.NewZipf(rand.New(z.r), z.theta, 1, n-1)
			z.goItems = n
		}
		return z.goZipf.Uint64()
	}
	if n != z.items {
		z.setItems(n)
	}
	u := z.r.Float64()
	uz := u * z.zetan
	if uz < 1 {
		return 0
	}
	if uz < 1+z.halfPowTheta {
		return 1
	}
	ret := uint64(float64(n) * math.Exp(z.alpha*math.Log(z.eta*u-z.eta+1))) // = Pow, without its special cases
	if ret >= n {
		ret = n - 1
	}
	return ret
}

var (
	zetaMu    sync.Mutex
	zetaCache = map[[2]float64]float64{}
)

// zetaStatic returns zeta(n, theta) = sum over i in [1, n] of 1/i^theta,
// cached because every client of every run asks for the same few.
func zetaStatic(n uint64, theta float64) float64 {
	key := [2]float64{float64(n), theta}
	zetaMu.Lock()
	v, ok := zetaCache[key]
	zetaMu.Unlock()
	if ok {
		return v
	}
	v = zetaRange(1, n, theta)
	zetaMu.Lock()
	zetaCache[key] = v
	zetaMu.Unlock()
	return v
}

// zetaRange returns the sum over i in [a, b] of 1/i^theta. Terms are added
// exactly up to a few thousand; a longer tail is summed with the
// Euler-Maclaurin formula, exact to about 1e-15 relative, so that zeta of
// billions of items costs microseconds instead of minutes (YCSB's cost).
func zetaRange(a, b uint64, theta float64) float64 {
	const exact = 4096
	sum := 0.0
	i := a
	for ; i <= b && i < a+exact; i++ {
		sum += math.Pow(float64(i), -theta)
	}
	if i > b {
		return sum
	}
	x0, x1 := float64(i), float64(b)
	f := func(x float64) float64 { return math.Pow(x, -theta) }
	d1 := func(x float64) float64 { return -theta * math.Pow(x, -theta-1) }
	d3 := func(x float64) float64 { return -theta * (theta + 1) * (theta + 2) * math.Pow(x, -theta-3) }
	var integral float64
	if theta == 1 {
		integral = math.Log(x1 / x0)
	} else {
		integral = (math.Pow(x1, 1-theta) - math.Pow(x0, 1-theta)) / (1 - theta)
	}
	return sum + integral + (f(x0)+f(x1))/2 + (d1(x1)-d1(x0))/12 - (d3(x1)-d3(x0))/720
}
