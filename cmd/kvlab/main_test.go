package main

import (
	"os"
	"strings"
	"testing"
)

// envRunMain makes the test binary run kvlab's main instead of the tests:
// tests that need a real process (signals, exit statuses) re-execute
// themselves with it set (see kvlabProcess).
const envRunMain = "KVLAB_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(envRunMain) == "1" {
		main()
		return
	}
	// A stress run re-executes this binary as its child ("stress --child
	// DIR ..."), which the kill -9 cycles then kill.
	if len(os.Args) > 2 && os.Args[1] == "stress" && strings.HasPrefix(os.Args[2], "--child") {
		os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}
