package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kvlab/kvlab/lsm/manifest"
)

// TestInspectLSMFiles writes an LSM store from the CLI and dumps its
// manifest, a WAL and a table; a damaged manifest is an error (exit 1).
func TestInspectLSMFiles(t *testing.T) {
	dir := t.TempDir()
	for i := 0; i < 3; i++ {
		if code, _, stderr := runCLI(t, "", "put", "--engine", "lsm", "--dir", dir, "key"+string(rune('a'+i)), "value"); code != 0 {
			t.Fatalf("put: exit %d: %s", code, stderr)
		}
	}
	var man, log, table string
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		switch typ, _, _ := manifest.ParseFileName(e.Name()); typ {
		case manifest.TypeManifest:
			man = filepath.Join(dir, e.Name())
		case manifest.TypeLog:
			log = filepath.Join(dir, e.Name())
		case manifest.TypeTable:
			table = filepath.Join(dir, e.Name())
		}
	}
	if man == "" || log == "" || table == "" {
		t.Fatalf("expected a manifest, a log and a table in %v", entries)
	}
	code, out, stderr := runCLI(t, "", "inspect", "manifest", man)
	if code != 0 || !strings.Contains(out, "edit 0") || !strings.Contains(out, "+ L0") || !strings.Contains(out, "L0:") {
		t.Fatalf("inspect manifest: exit %d\n%s%s", code, out, stderr)
	}
	if code, out, stderr := runCLI(t, "", "inspect", "wal", log); code != 0 || !strings.Contains(out, "log number") {
		t.Fatalf("inspect wal: exit %d\n%s%s", code, out, stderr)
	}
	if code, out, stderr := runCLI(t, "", "inspect", "sstable", table); code != 0 || !strings.Contains(out, "key") {
		t.Fatalf("inspect sstable: exit %d\n%s%s", code, out, stderr)
	}
	data, err := os.ReadFile(man)
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)/2] ^= 0xff
	bad := filepath.Join(t.TempDir(), filepath.Base(man))
	os.WriteFile(bad, data, 0o644)
	if code, _, stderr := runCLI(t, "", "inspect", "manifest", bad); code != 1 || stderr == "" {
		t.Fatalf("inspect of a damaged manifest: exit %d, want 1 (%s)", code, stderr)
	}
	if code, _, _ := runCLI(t, "", "inspect", "manifest", log); code != 2 {
		t.Fatalf("inspect manifest of a log: exit %d, want 2", code)
	}
}

// TestInspectBTree dumps a B+tree store written from the CLI.
func TestInspectBTree(t *testing.T) {
	dir := t.TempDir()
	for i := 0; i < 3; i++ {
		if code, _, stderr := runCLI(t, "", "put", "--engine", "btree", "--dir", dir, "key"+string(rune('a'+i)), "value"); code != 0 {
			t.Fatalf("put: exit %d: %s", code, stderr)
		}
	}
	code, out, stderr := runCLI(t, "", "inspect", "btree", dir)
	if code != 0 || !strings.Contains(out, "meta slot") || !strings.Contains(out, "3 keys") || !strings.Contains(out, "leaf") {
		t.Fatalf("inspect btree: exit %d\n%s%s", code, out, stderr)
	}
	if code, _, _ := runCLI(t, "", "inspect", "btree", t.TempDir()); code != 1 {
		t.Fatalf("inspect btree of an empty directory: exit %d, want 1", code)
	}
}
