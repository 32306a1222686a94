package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMain lets this test binary stand in for kvlab when a crash run
// re-executes it as its child ("kvlab stress --child DIR ...").
func TestCLIStress(t *testing.T) {
	for _, args := range [][]string{
		{"--engine", "btree", "--duration", "500ms", "--keys", "500", "--threads", "3"},
		{"--engine", "lsm", "--crash-every", "100ms", "--cycles", "2", "--keys", "500", "--threads", "3", "--set", "lsm.memtable-size=64KiB"},
	} {
		dir := filepath.Join(t.TempDir(), "work")
		code, out, stderr := runCLI(t, "", append([]string{"stress", "--seed", "5", "--dir", dir}, args...)...)
		if code != 0 {
			t.Fatalf("kvlab stress %v: exit %d\n%s%s", args, code, out, stderr)
		}
		for _, want := range []string{"options: ", "operations: ", "violations: 0"} {
			if !strings.Contains(out, want) {
				t.Errorf("kvlab stress %v: no %q in\n%s", args, want, out)
			}
		}
		if strings.Contains(strings.Join(args, " "), "crash-every") && !strings.Contains(out, "cycles: 2 kill -9") {
			t.Errorf("kvlab stress %v: no cycle count in\n%s", args, out)
		}
		if !strings.Contains(out, "lsm.memtable-size=64KiB") && args[1] == "lsm" {
			t.Errorf("--set was not applied:\n%s", out)
		}
		if _, err := os.Stat(dir); err == nil {
			t.Errorf("the working directory %s was not removed", dir)
		}
	}
	for _, args := range [][]string{
		{"stress", "--engine", "memory"},
		{"stress", "--threads", "0"},
		{"stress", "--engine", "lsm", "--set", "lsm.bogus=1"},
		{"stress", "extra"},
	} {
		if code, _, stderr := runCLI(t, "", args...); code != 2 {
			t.Errorf("kvlab %v: exit %d, want 2 (stderr %q)", args, code, stderr)
		}
	}
}
