package main

import (
	"os"
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
	os.Exit(m.Run())
}
