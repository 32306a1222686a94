package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kvlab/kvlab/lsm/manifest"
)

// TestCheckAndStatsLSM fills an LSM store from the CLI, checks it, prints
// its figures, then damages a table and expects check to fail with exit
// status 1 and the file's name.
func TestCheckAndStatsLSM(t *testing.T) {
	dir := t.TempDir()
	// Every put opens the store, whose recovery writes the previous put's
	// log to an L0 table.
	set := []string{"--set", "lsm.memtable-size=64KiB"}
	for i := 0; i < 30; i++ {
		args := append([]string{"put", "--engine", "lsm", "--dir", dir}, set...)
		args = append(args, "k"+strings.Repeat("0", i%3)+string(rune('a'+i%26)), strings.Repeat("v", 5000))
		if code, _, stderr := runCLI(t, "", args...); code != 0 {
			t.Fatalf("put: exit %d: %s", code, stderr)
		}
	}
	code, out, stderr := runCLI(t, "", "check", "--engine", "lsm", "--dir", dir)
	if code != 0 || !strings.Contains(out, "ok") {
		t.Fatalf("check on a healthy store: exit %d\n%s%s", code, out, stderr)
	}
	code, out, stderr = runCLI(t, "", "stats", "--engine", "lsm", "--dir", dir)
	if code != 0 || !strings.Contains(out, "L0") || !strings.Contains(out, "write amp") {
		t.Fatalf("stats: exit %d\n%s%s", code, out, stderr)
	}
	code, out, _ = runCLI(t, "", "stats", "--engine", "lsm", "--dir", dir, "--format", "json")
	if code != 0 || !strings.Contains(out, `"lsm": {`) {
		t.Fatalf("stats --format json: exit %d\n%s", code, out)
	}

	// Damage the middle of a table.
	names, _ := os.ReadDir(dir)
	damaged := ""
	for _, n := range names {
		if typ, _, _ := manifest.ParseFileName(n.Name()); typ == manifest.TypeTable {
			p := filepath.Join(dir, n.Name())
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			data[len(data)/3] ^= 0xff
			if err := os.WriteFile(p, data, 0o644); err != nil {
				t.Fatal(err)
			}
			damaged = n.Name()
			break
		}
	}
	if damaged == "" {
		t.Fatal("no table was written")
	}
	code, out, stderr = runCLI(t, "", "check", "--engine", "lsm", "--dir", dir)
	if code != 1 || !strings.Contains(out+stderr, damaged) {
		t.Fatalf("check on a damaged store: exit %d, want 1 naming %s\n%s%s", code, damaged, out, stderr)
	}
	if code, _, _ := runCLI(t, "", "check", "--engine", "memory"); code != 2 {
		t.Fatalf("check on an engine without a check: exit %d, want 2", code)
	}
}
