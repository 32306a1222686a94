package workload

import (
	"errors"
	"math"
	"strconv"
	"testing"
)

// within5Sigma reports whether an observed count fits a binomial
// expectation within five standard deviations.
func within5Sigma(t *testing.T, what string, got, draws int, p float64) {
	t.Helper()
	want := float64(draws) * p
	sigma := math.Sqrt(float64(draws) * p * (1 - p))
	if math.Abs(float64(got)-want) > 5*sigma+1 {
		t.Errorf("%s: %d of %d draws, want %.0f ± %.0f (p=%.5f)", what, got, draws, want, 5*sigma, p)
	}
}

func TestZetaEulerMaclaurin(t *testing.T) {
	for _, theta := range []float64{0.5, 0.99, 1.2} {
		for _, n := range []uint64{10, 5000, 300_000} {
			exact := 0.0
			for i := uint64(1); i <= n; i++ {
				exact += math.Pow(float64(i), -theta)
			}
			if got := zetaRange(1, n, theta); math.Abs(got-exact) > 1e-9*exact {
				t.Errorf("zeta(%d, %g) = %.12f, want %.12f", n, theta, got, exact)
			}
			// Extending incrementally gives the same sum.
			if got := zetaRange(1, n/3, theta) + zetaRange(n/3+1, n, theta); math.Abs(got-exact) > 1e-9*exact {
				t.Errorf("split zeta(%d, %g) = %.12f, want %.12f", n, theta, got, exact)
			}
		}
	}
}

// TestZipfianTopKeyFrequency checks the scrambled zipfian's most popular
// keys against theory: rank r has probability (r+1)^-θ / zeta(n, θ). The
// generator (Gray et al., as YCSB's) is exact for ranks 0 and 1 and an
// approximation beyond, so the mass of the top 10 and 100 ranks is held to
// 10 %.
func TestZipfianTopKeyFrequency(t *testing.T) {
	const n, draws = 1000, 200_000
	for _, theta := range []float64{0.99, 0.6, 1.3} {
		d := Distribution{Kind: Zipfian, ZipfConstant: theta}
		c := d.NewChooser(n, 42, 0, 1).(*scrambledZipfian)
		counts := make([]int, n)
		for range draws {
			counts[c.Next(n)]++
		}
		zeta := zetaRange(1, n, theta)
		for rank := range 2 {
			key := c.perm.At(uint64(rank))
			p := math.Pow(float64(rank+1), -theta) / zeta
			within5Sigma(t, "zipfian θ="+ftoa(theta)+" rank "+itoa(rank), counts[key], draws, p)
		}
		for _, top := range []int{10, 100} {
			got := 0
			for rank := range top {
				got += counts[c.perm.At(uint64(rank))]
			}
			want := zetaRange(1, uint64(top), theta) / zeta * draws
			t.Logf("θ=%g: top %d ranks drew %d, theory %.0f", theta, top, got, want)
			if math.Abs(float64(got)-want) > 0.1*want {
				t.Errorf("θ=%g: top %d ranks drew %d of %d, want %.0f ± 10%%", theta, top, got, draws, want)
			}
		}
		// The hottest key is not key 0: ranks are scrambled.
		hottest := 0
		for k := range counts {
			if counts[k] > counts[hottest] {
				hottest = k
			}
		}
		if hottest != int(c.perm.At(0)) {
			t.Errorf("θ=%g: hottest key %d, want the image of rank 0, %d", theta, hottest, c.perm.At(0))
		}
	}
}

func TestUniformCoverage(t *testing.T) {
	const n, draws = 1000, 100_000
	c := Distribution{Kind: Uniform}.NewChooser(n, 7, 0, 1)
	counts := make([]int, n)
	for range draws {
		counts[c.Next(n)]++
	}
	chi2 := 0.0
	exp := float64(draws) / n
	for k, got := range counts {
		if got == 0 {
			t.Fatalf("key %d never drawn", k)
		}
		chi2 += (float64(got) - exp) * (float64(got) - exp) / exp
	}
	// 999 degrees of freedom: mean 999, sd ~45; 1250 is > 5 sd out.
	if chi2 > 1250 {
		t.Errorf("chi-square %.0f for %d uniform keys: not uniform", chi2, n)
	}
}

func TestLatestSkew(t *testing.T) {
	const n, draws = 10_000, 100_000
	c := Distribution{Kind: Latest}.NewChooser(n, 3, 0, 1)
	newest, recent := 0, 0
	for range draws {
		k := c.Next(n)
		if k >= n {
			t.Fatalf("key %d out of range", k)
		}
		if k == n-1 {
			newest++
		}
		if k >= n-n/100 {
			recent++
		}
	}
	within5Sigma(t, "latest: newest key", newest, draws, 1/zetaRange(1, n, DefaultZipfConstant))
	if recent < draws/2 {
		t.Errorf("latest: only %d of %d draws in the newest 1%% of keys", recent, draws)
	}
	// As keys are inserted, the newest key stays the hottest.
	grown := 0
	for range draws {
		if c.Next(2*n) == 2*n-1 {
			grown++
		}
	}
	within5Sigma(t, "latest after growth: newest key", grown, draws, 1/zetaRange(1, 2*n, DefaultZipfConstant))
}

func TestHotspot(t *testing.T) {
	const n, draws = 1000, 100_000
	c := Distribution{Kind: Hotspot, HotSetFraction: 0.1, HotOpFraction: 0.9}.NewChooser(n, 5, 0, 1)
	hot := 0
	for range draws {
		if c.Next(n) < 100 {
			hot++
		}
	}
	within5Sigma(t, "hotspot", hot, draws, 0.9)
}

func TestSequentialWraps(t *testing.T) {
	c := Distribution{Kind: Sequential}.NewChooser(10, 1, 1, 2)
	var got []uint64
	for range 7 {
		got = append(got, c.Next(10))
	}
	want := []uint64{5, 6, 7, 8, 9, 0, 1}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("sequential from client 1 of 2: %v, want %v", got, want)
		}
	}
}

func TestPermutationIsBijection(t *testing.T) {
	for _, n := range []uint64{1, 2, 3, 7, 1000, 4096, 5003} {
		p := NewPermutation(n, 99)
		seen := make([]bool, n)
		fixed := 0
		for i := range n {
			v := p.At(i)
			if v >= n || seen[v] {
				t.Fatalf("n=%d: At(%d)=%d repeats or is out of range", n, i, v)
			}
			seen[v] = true
			if v == i {
				fixed++
			}
		}
		if n >= 1000 && fixed > 20 {
			t.Errorf("n=%d: %d fixed points: not much of a shuffle", n, fixed)
		}
	}
}

func TestChoosersRepeatable(t *testing.T) {
	for _, d := range []Distribution{{Kind: Uniform}, {Kind: Zipfian}, {Kind: Latest}, {Kind: Hotspot}} {
		a, b := d.NewChooser(500, 11, 0, 1), d.NewChooser(500, 11, 0, 1)
		other := d.NewChooser(500, 12, 0, 1)
		same := true
		for range 1000 {
			x, y, z := a.Next(500), b.Next(500), other.Next(500)
			if x != y {
				t.Fatalf("%v: same seed drew %d and %d", d, x, y)
			}
			same = same && x == z
		}
		if same {
			t.Errorf("%v: seeds 11 and 12 drew the same sequence", d)
		}
	}
}

func TestParseDistribution(t *testing.T) {
	for in, want := range map[string]Distribution{
		"uniform":         {Kind: Uniform},
		"Zipfian":         {Kind: Zipfian},
		"zipfian:0.8":     {Kind: Zipfian, ZipfConstant: 0.8},
		"latest":          {Kind: Latest},
		"hotspot:0.1:0.7": {Kind: Hotspot, HotSetFraction: 0.1, HotOpFraction: 0.7},
		"sequential":      {Kind: Sequential},
	} {
		got, err := ParseDistribution(in)
		if err != nil || got != want {
			t.Errorf("ParseDistribution(%q) = %+v, %v; want %+v", in, got, err, want)
		}
		if back, err := ParseDistribution(got.String()); err != nil || back.String() != got.String() {
			t.Errorf("%q does not round-trip: %q, %v", in, got.String(), err)
		}
	}
	for _, bad := range []string{"", "gaussian", "zipfian:1", "zipfian:-2", "zipfian:x", "hotspot:2", "uniform:3", "latest:0.9:1"} {
		if _, err := ParseDistribution(bad); !errors.Is(err, ErrConfig) {
			t.Errorf("ParseDistribution(%q) = %v, want an ErrConfig error", bad, err)
		}
	}
}

func ftoa(f float64) string { return strconv.FormatFloat(f, 'g', 3, 64) }
func itoa(i int) string     { return strconv.Itoa(i) }
