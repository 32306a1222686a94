package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kvlab/kvlab/bench/report"
)

// TestBenchInputChecks: a zero value size, a missing --dir, an existing
// sweep output and a fractional count where no count is meant are
// refused with status 2 and a message that says what to do, leaving
// nothing behind.
func TestBenchInputChecks(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing", "deeper")
	existing := filepath.Join(dir, "sweep.jsonl")
	os.WriteFile(existing, []byte("keep me\n"), 0o644)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"bench", "--engines", "memory", "--value-size", "0"}, "--value-size 0: values must be at least 1 byte"},
		{[]string{"bench", "--engines", "memory", "--value-size", "0B"}, "at least 1 byte"},
		{[]string{"bench", "--engines", "memory", "--dir", missing}, "does not exist (create it, or add --mkdir)"},
		{[]string{"sweep", "--engine", "lsm", "--set", "lsm.bloom-bits=1,2", "--dir", missing, "--out", filepath.Join(dir, "s.jsonl")}, "does not exist"},
		{[]string{"sweep", "--engine", "lsm", "--set", "lsm.bloom-bits=0,10", "--num", "1000", "--out", existing}, "exists: add --force"},
		{[]string{"bench", "--engines", "memory", "--value-size", "1.5M"}, "MiB"},
		{[]string{"bench", "--engines", "memory", "--threads", "1.5M"}, "--threads"},
		{[]string{"bench", "--engines", "memory", "--key-size", "1k"}, "--key-size"},
		{[]string{"bench", "--engines", "memory", "--num", "1.5MiB"}, "--num"},
		{[]string{"bench", "--engines", "memory", "--key-format", "hex"}, "want binary or ycsb"},
		{[]string{"bench", "--engines", "memory", "--key-format", "ycsb", "--key-size", "12"}, "at least 14 bytes"},
	} {
		code, _, stderr := runCLI(t, "", c.args...)
		if code != 2 || !strings.HasPrefix(stderr, "kvlab: ") || !strings.Contains(stderr, c.want) {
			t.Errorf("kvlab %v: exit %d, %q; want 2 and %q", c.args, code, stderr, c.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "missing")); err == nil {
		t.Error("a missing --dir was created")
	}
	if b, _ := os.ReadFile(existing); string(b) != "keep me\n" {
		t.Errorf("a refused sweep overwrote its --out: %q", b)
	}
	// --mkdir makes the directory and removes it afterwards.
	code, _, stderr := runCLI(t, "", "bench", "--engines", "memory", "--workloads", "fillseq", "--num", "1000", "--dir", missing, "--mkdir")
	if code != 0 {
		t.Fatalf("--mkdir: exit %d, %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "missing")); err == nil {
		t.Error("--mkdir left the directory it made")
	}
	// --mkdir --keep leaves it, with the stores.
	code, _, stderr = runCLI(t, "", "bench", "--engines", "lsm", "--workloads", "fillseq", "--num", "1000", "--dir", missing, "--mkdir", "--keep")
	if kept, _ := filepath.Glob(filepath.Join(missing, "kvlab-bench-*")); code != 0 || len(kept) != 1 {
		t.Fatalf("--mkdir --keep: exit %d, kept %v, %s", code, kept, stderr)
	}
	// --force overwrites.
	code, _, stderr = runCLI(t, "", "sweep", "--engine", "lsm", "--set", "lsm.bloom-bits=0,10", "--num", "1000", "--out", existing, "--force", "--dir", dir)
	if code != 0 {
		t.Fatalf("sweep --force: exit %d, %s", code, stderr)
	}
	if f, err := os.Open(existing); err != nil {
		t.Fatal(err)
	} else if rs, err := report.ReadJSON(f); err != nil || len(rs) != 2 {
		t.Errorf("sweep --force wrote %d results, %v", len(rs), err)
	}
	// Counts take k and M with fractions: 1.5k is 1500 records.
	code, out, stderr := runCLI(t, "", "bench", "--engines", "memory", "--workloads", "fillseq", "--num", "1.5k", "--format", "json")
	if rs, err := report.ReadJSON(strings.NewReader(out)); code != 0 || err != nil || rs[0].Params.Num != 1500 || rs[0].Run.Ops != 1500 {
		t.Fatalf("--num 1.5k: exit %d, %v, %s", code, err, stderr)
	}
	code, out, _ = runCLI(t, "", "bench", "--help")
	for _, want := range []string{"k and M are 10^3 and 10^6", "KiB and MiB"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("bench --help lacks %q", want)
		}
	}
}
