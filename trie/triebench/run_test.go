package triebench

import (
	"os"
	"testing"
)

func TestRunSmall(t *testing.T) {
	rep, err := Run(Config{Keys: 20000, MaxFiles: 200, Queries: 100, Rounds: 1})
	if err == ErrNoGoroot {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	if testing.Verbose() {
		rep.Write(os.Stdout)
	}
}

// TestRunFull is the full comparison at 1M keys; run it with
// TRIEBENCH_FULL=1 go test -run TestRunFull -v ./trie/triebench/
func TestRunFull(t *testing.T) {
	if os.Getenv("TRIEBENCH_FULL") == "" {
		t.Skip("set TRIEBENCH_FULL=1")
	}
	rep, err := Run(Config{Log: os.Stderr})
	if err == ErrNoGoroot {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	rep.Write(os.Stdout)
}
