package corruption

import (
	"os"
	"testing"
)

// TestMatrix runs the corruption matrix. In normal `go test` it runs a few
// cases per engine, state, file kind and damage; with KVTEST_LONG=1 it runs
// many more on a larger store:
//
//	KVTEST_LONG=1 go test -v -run TestMatrix -timeout 2h ./internal/corruption/
//
// The counts table is printed with -v.
func TestMatrix(t *testing.T) {
	o := Options{Seed: 1, Cases: 2, Keys: 1500}
	if testing.Short() {
		o.Cases, o.Keys = 1, 800
	}
	if os.Getenv("KVTEST_LONG") != "" {
		o.Cases, o.Keys = 40, 3000
	}
	res, err := Run(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("corruption matrix (seed %d, %d cases per engine/state/kind/damage):\n%s", o.Seed, o.Cases, res.Table())
	for _, f := range res.Failures {
		t.Error(f)
	}
	if res.Total() == 0 {
		t.Fatal("no case ran")
	}
}
