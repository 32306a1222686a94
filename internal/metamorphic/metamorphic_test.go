package metamorphic

import (
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
)

// TestMetamorphic runs one seeded sequence against the memory model and the
// LSM and B+tree engines under randomized option sets. METAMORPHIC_SEED
// replays a seed; the long run is
//
//	KVTEST_LONG=1 go test -v -run TestMetamorphic -timeout 2h ./internal/metamorphic/
func TestMetamorphic(t *testing.T) {
	seeds := []uint64{rand.Uint64()}
	ops, sets := 3000, 3
	if testing.Short() {
		ops = 1500
	}
	if os.Getenv("KVTEST_LONG") != "" {
		seeds = append(seeds, rand.Uint64(), rand.Uint64(), rand.Uint64())
		ops, sets = 50000, 4
	}
	if s := os.Getenv("METAMORPHIC_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		seeds = []uint64{v}
	}
	total := 0
	for _, seed := range seeds {
		res, err := Run(Options{Seed: seed, Ops: ops, OptionSets: sets})
		if res != nil {
			t.Logf("seed %d: %d targets, ops %v, %d results compared, %d reopens, %d crashes", seed, len(res.Targets), res.Ops, res.Compared, res.Reopens, res.Crashes)
			for _, n := range res.Targets {
				t.Logf("  %s", n)
			}
			total += res.Compared
		}
		if err != nil {
			t.Fatalf("seed %d (rerun with METAMORPHIC_SEED=%d): %v", seed, seed, err)
		}
	}
	t.Logf("%d operations compared across all targets", total)
}

// TestMetamorphicRangeDeletes is TestMetamorphic with range deletes in the
// batches; engines that refuse them are skipped (and logged).
func TestMetamorphicRangeDeletes(t *testing.T) {
	seed := rand.Uint64()
	if s := os.Getenv("METAMORPHIC_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		seed = v
	}
	ops := 3000
	if testing.Short() {
		ops = 1500
	}
	res, err := Run(Options{Seed: seed, Ops: ops, OptionSets: 2, RangeDeletes: true})
	if res != nil {
		t.Logf("seed %d: targets %v, skipped %v, ops %v, %d results compared", seed, res.Targets, res.Skipped, res.Ops, res.Compared)
		if res.Ops["deleterange"] == 0 {
			t.Fatalf("seed %d: no range delete issued", seed)
		}
	}
	if err != nil {
		t.Fatalf("seed %d (rerun with METAMORPHIC_SEED=%d): %v", seed, seed, err)
	}
}
