package corruption

import (
	"os"
	"testing"
)

// TestMatrix runs the corruption matrix. In normal `go test` it runs two
// cases per engine, state, file kind and damage on one store (one with
// -short); with KVTEST_LONG=1 it runs 40 on larger stores built from three
// seeds:
//
//	KVTEST_LONG=1 go test -v -run TestMatrix -timeout 2h ./internal/corruption/
//
// The counts table is printed with -v.
func TestMatrix(t *testing.T) {
	o := Options{Cases: 2, Keys: 1500}
	seeds := []uint64{1}
	if testing.Short() {
		o.Cases, o.Keys = 1, 800
	}
	if os.Getenv("KVTEST_LONG") != "" {
		o.Cases, o.Keys = 40, 3000
		seeds = []uint64{1, 2, 3}
	}
	total, failures := 0, 0
	for _, seed := range seeds {
		o.Seed = seed
		res, err := Run(o)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("corruption matrix (seed %d, %d cases per engine/state/kind/damage):\n%s", o.Seed, o.Cases, res.Table())
		for _, f := range res.Failures {
			t.Error(f)
		}
		total += res.Total()
		failures += len(res.Failures)
	}
	if total == 0 {
		t.Fatal("no case ran")
	}
	t.Logf("%d cases, %d failures", total, failures)
}
