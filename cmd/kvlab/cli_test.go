package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runCLI runs the command line in-process and returns status and output.
func runCLI(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func TestCLIBadUsageExitsTwo(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	os.WriteFile(file, []byte("x"), 0o644)
	for _, args := range [][]string{
		{"no-such-command"},
		{"get", "--no-such-flag", "k"},
		{"get"},
		{"get", "--engine", "no-such-engine", "--dir", dir, "k"},
		{"put", "--engine", "memory", "--set", "memory.bogus=1", "k", "v"},
		{"put", "--set", "malformed", "k", "v"},
		{"put", "--hex", "--engine", "memory", "zz", "v"},
		{"scan", "--engine", "memory", "--limit", "-1"},
		{"scan", "--engine", "memory", "--prefix", "a", "--from", "b"},
		{"version", "extra"},
		{"engines", "extra"},
	} {
		code, _, stderr := runCLI(t, "", args...)
		if code != 2 {
			t.Errorf("kvlab %v exited %d, want 2 (stderr %q)", args, code, stderr)
		}
		if lines := strings.Count(strings.TrimSpace(stderr), "\n"); !strings.HasPrefix(stderr, "kvlab: ") || lines > 0 {
			t.Errorf("kvlab %v: want one 'kvlab: ...' line on stderr, got %q", args, stderr)
		}
	}
}

func TestCLIMissingStoreExitsOne(t *testing.T) {
	if _, err := lookupPersistent(); err != nil {
		t.Skip(err)
	}
	missing := filepath.Join(t.TempDir(), "nope")
	code, _, stderr := runCLI(t, "", "get", "--dir", missing, "k")
	if code != 1 || !strings.Contains(stderr, "no store at") {
		t.Fatalf("get on a missing dir: exit %d, stderr %q", code, stderr)
	}
}

func TestCLIPutGetScanDel(t *testing.T) {
	name, err := lookupPersistent()
	if err != nil {
		t.Skip(err)
	}
	dir := t.TempDir()
	must := func(stdin string, args ...string) string {
		t.Helper()
		code, out, stderr := runCLI(t, stdin, append(args, "--engine", name, "--dir", dir)...)
		if code != 0 {
			t.Fatalf("kvlab %v: exit %d, stderr %q", args, code, stderr)
		}
		return out
	}
	must("", "put", "a", "1")
	must("two", "put", "b", "-")
	must("", "put", "--hex", "00ff", "0102")
	if out := must("", "get", "b"); out != "two\n" {
		t.Fatalf("get b = %q", out)
	}
	if out := must("", "scan", "--from", "a", "--to", "c"); out != "a\t1\nb\ttwo\n" {
		t.Fatalf("scan = %q", out)
	}
	if out := must("", "scan", "--reverse", "--keys-only", "--limit", "2"); out != "b\na\n" {
		t.Fatalf("reverse scan = %q", out)
	}
	if out := must("", "scan", "--hex", "--prefix", "00"); out != "00ff\t0102\n" {
		t.Fatalf("hex prefix scan = %q", out)
	}
	must("", "del", "a", "never")
	code, _, _ := runCLI(t, "", "get", "--engine", name, "--dir", dir, "a")
	if code != 1 {
		t.Fatalf("get of a deleted key exited %d, want 1", code)
	}
}

func TestCLIVersionAndEngines(t *testing.T) {
	code, out, _ := runCLI(t, "", "version")
	if code != 0 || !strings.HasPrefix(out, "kvlab ") {
		t.Fatalf("version: %d %q", code, out)
	}
	code, out, _ = runCLI(t, "", "engines", "--options")
	if code != 0 || !strings.Contains(out, "memory") {
		t.Fatalf("engines: %d %q", code, out)
	}
}

func TestPrefixEnd(t *testing.T) {
	for p, want := range map[string]string{"a": "b", "a\xff": "b", "\xff\xff": "", "ab": "ac"} {
		if got := string(prefixEnd([]byte(p))); got != want {
			t.Errorf("prefixEnd(%q) = %q, want %q", p, got, want)
		}
	}
}

// TestCLIBenchRunsWithNoArguments keeps the README's first command working.
func TestCLIBenchRunsWithNoArguments(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the default benchmark")
	}
	code, out, stderr := runCLI(t, "", "bench")
	if code != 0 || !strings.Contains(out, "memory") {
		t.Fatalf("kvlab bench: exit %d, stdout %q, stderr %q", code, out, stderr)
	}
}

// TestBadSettingMessages: a bad --set value is a usage error that names the
// option as --set takes it and its range in the knob's unit, before any
// directory is made.
func TestBadSettingMessages(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"bench", "--engines", "memory,lsm", "--set", "lsm.memtable-size=1KiB", "--dir", filepath.Join(dir, "b")},
			"kvlab: lsm.memtable-size=1KiB: out of range 64KiB–1GiB\n"},
		{[]string{"bench", "--engines", "lsm", "--set", "lsm.level-ratio=NaN", "--dir", filepath.Join(dir, "b")},
			"kvlab: lsm.level-ratio=NaN: not a finite number\n"},
		{[]string{"bench", "--engines", "btree", "--set", "btree.pool-size=64M", "--dir", filepath.Join(dir, "b")},
			`kvlab: btree.pool-size=64M: size "64M" is ambiguous: write 64MiB (powers of 1024) or 64MB (powers of 1000)` + "\n"},
		{[]string{"sweep", "--engine", "lsm", "--set", "lsm.bloom-bits=1,2.5", "--dir", filepath.Join(dir, "b")},
			`kvlab: lsm.bloom-bits=2.5: count "2.5" is not a whole number` + "\n"},
		{[]string{"put", "--engine", "lsm", "--dir", filepath.Join(dir, "p"), "--set", "lsm.bloom-bits=65", "k", "v"},
			"kvlab: lsm.bloom-bits=65: out of range 0–64\n"},
		{[]string{"put", "--engine", "lsm", "--dir", filepath.Join(dir, "p"), "--set", "lsm.bloom-bit=6", "k", "v"},
			"kvlab: unknown option lsm.bloom-bit (known: memtable-size,"},
	} {
		code, _, stderr := runCLI(t, "", c.args...)
		if code != 2 || !strings.HasPrefix(stderr, c.want) {
			t.Errorf("kvlab %v: exit %d, stderr %q; want 2 and %q", c.args, code, stderr, c.want)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("refused settings left %v behind", entries)
	}
}

func TestEnginesOptionsListsKnobs(t *testing.T) {
	code, out, _ := runCLI(t, "", "engines", "--options")
	for _, want := range []string{
		"--set lsm.memtable-size=64MiB", "size   64KiB–1GiB", "--set lsm.compression=snappy", "enum   snappy, none",
		"--set btree.page-size=4KiB", "1KiB–64KiB", "memory (kvlab)", "no options", "powers of 1024", "1M",
	} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("engines --options: exit %d, no %q in\n%s", code, want, out)
		}
	}
}
