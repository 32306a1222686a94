package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// dirFiles lists the files under dir with their sizes and mtimes.
func dirFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err == nil {
			b, _ := os.ReadFile(p)
			out[p] = fi.ModTime().Format(time.RFC3339Nano) + string(b)
		}
		return nil
	})
	return out
}

func sameFiles(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestCLIRefusesNonStoreDirectory(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module x\n"), 0o644)
	before := dirFiles(t, dir)
	for _, args := range [][]string{
		{"check", "--dir", dir},
		{"check", "--engine", "lsm", "--dir", dir},
		{"get", "--engine", "btree", "--dir", dir, "k"},
		{"stats", "--dir", dir},
		{"put", "--engine", "lsm", "--dir", dir, "k", "v"},
	} {
		code, _, stderr := runCLI(t, "", args...)
		if code != 1 || !strings.Contains(stderr, "go.mod") {
			t.Errorf("kvlab %v: exit %d, stderr %q; want 1 naming go.mod", args, code, stderr)
		}
	}
	if !sameFiles(before, dirFiles(t, dir)) {
		t.Fatalf("the commands changed the directory")
	}
}

func TestCLIDetectsEngine(t *testing.T) {
	for _, engine := range []string{"lsm", "btree"} {
		dir := filepath.Join(t.TempDir(), "db")
		if code, _, stderr := runCLI(t, "", "put", "--engine", engine, "--dir", dir, "k", "v"); code != 0 {
			t.Fatalf("put: %s", stderr)
		}
		before := dirFiles(t, dir)
		if code, out, stderr := runCLI(t, "", "get", "--dir", dir, "k"); code != 0 || strings.TrimSpace(out) != "v" {
			t.Fatalf("%s: get without --engine: exit %d %q %q", engine, code, out, stderr)
		}
		other := map[string]string{"lsm": "btree", "btree": "lsm"}[engine]
		for _, cmd := range []string{"get", "scan", "check", "stats", "del", "put"} {
			args := []string{cmd, "--engine", other, "--dir", dir}
			switch cmd {
			case "get", "del":
				args = append(args, "k")
			case "put":
				args = append(args, "k", "w")
			}
			if code, _, stderr := runCLI(t, "", args...); code != 1 || !strings.Contains(stderr, "holds "+article(engine)+" store") {
				t.Errorf("%s: kvlab %v: exit %d, stderr %q", engine, args, code, stderr)
			}
		}
		for _, cmd := range []string{"get", "scan", "check", "stats"} {
			args := []string{cmd, "--dir", dir}
			if cmd == "get" {
				args = append(args, "k")
			}
			if code, _, stderr := runCLI(t, "", args...); code != 0 {
				t.Errorf("%s: kvlab %v: exit %d, stderr %q", engine, args, code, stderr)
			}
		}
		if !sameFiles(before, dirFiles(t, dir)) {
			t.Fatalf("%s: get, scan, check, stats or a refused command changed the store", engine)
		}
	}
}

func TestCLIBackup(t *testing.T) {
	for _, engine := range []string{"lsm", "btree"} {
		dir := filepath.Join(t.TempDir(), "db")
		to := filepath.Join(t.TempDir(), "copy")
		for i := range 50 {
			if code, _, stderr := runCLI(t, "", "put", "--engine", engine, "--dir", dir, "k"+string(rune('a'+i%26))+string(rune('0'+i/26)), "v"); code != 0 {
				t.Fatalf("put: %s", stderr)
			}
		}
		if code, out, stderr := runCLI(t, "", "backup", "--dir", dir, "--to", to); code != 0 || !strings.Contains(out, "backed up the "+engine) {
			t.Fatalf("%s: backup: exit %d, %q %q", engine, code, out, stderr)
		}
		if code, out, stderr := runCLI(t, "", "check", "--dir", to); code != 0 || !strings.Contains(out, "ok") {
			t.Fatalf("%s: check of the backup: exit %d, %q %q", engine, code, out, stderr)
		}
		if code, out, _ := runCLI(t, "", "scan", "--dir", to, "--keys-only"); code != 0 || len(strings.Fields(out)) != 50 {
			t.Fatalf("%s: scan of the backup: exit %d, %d keys", engine, code, len(strings.Fields(out)))
		}
		if code, _, _ := runCLI(t, "", "backup", "--dir", dir, "--to", to); code == 0 {
			t.Fatalf("%s: backup onto a non-empty directory succeeded", engine)
		}
	}
}
