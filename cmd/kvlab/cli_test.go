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
