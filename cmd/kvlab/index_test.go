package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCLIIndexAddSearchStats(t *testing.T) {
	for _, engine := range []string{"lsm", "btree"} {
		t.Run(engine, func(t *testing.T) {
			tmp := t.TempDir()
			docs := filepath.Join(tmp, "docs")
			os.MkdirAll(filepath.Join(docs, "sub"), 0o755)
			os.WriteFile(filepath.Join(docs, "a.txt"), []byte("The quick brown fox jumps over the lazy dog."), 0o644)
			os.WriteFile(filepath.Join(docs, "sub", "b.txt"), []byte("Foxes are quick. Readers read; writers write."), 0o644)
			os.WriteFile(filepath.Join(docs, ".hidden"), []byte("fox fox fox"), 0o644)
			jl := filepath.Join(tmp, "more.jsonl")
			os.WriteFile(jl, []byte(`{"id": "j1", "fields": {"title": "Buffered readers", "body": "A reader with a buffer"}, "stored": {"url": "https://x/1"}}
{"id": "j2", "body": "Writers and the quick fox", "stored": {"url": "https://x/2"}}
`), 0o644)
			idx := filepath.Join(tmp, "idx")
			code, out, stderr := runCLI(t, "", "index", "add", "--engine", engine, "--dir", idx, docs, jl)
			if code != 0 || !strings.Contains(out, "indexed 4 documents") {
				t.Fatalf("index add: exit %d, out %q, stderr %q", code, out, stderr)
			}
			// The directory remembers the engine: no --engine from here on.
			code, out, stderr = runCLI(t, "", "search", "--dir", idx, "fox")
			if code != 0 || !strings.HasPrefix(out, "3 hits") || !strings.Contains(out, "[fox]") {
				t.Fatalf("search: exit %d, out %q, stderr %q", code, out, stderr)
			}
			code, out, _ = runCLI(t, "", "search", "--dir", idx, "title:reader -fox", "-k", "1")
			if code != 0 || !strings.Contains(out, "1. j1") || !strings.Contains(out, "url: https://x/1") {
				t.Fatalf("field search: exit %d, out %q", code, out)
			}
			code, out, _ = runCLI(t, "", "search", "--dir", idx, `"quick brown" OR writ*`)
			if code != 0 || !strings.HasPrefix(out, "3 hits") {
				t.Fatalf("phrase/prefix search: exit %d, out %q", code, out)
			}
			// Replacing a document by ID.
			os.WriteFile(filepath.Join(docs, "a.txt"), []byte("Nothing left of the animal."), 0o644)
			if code, out, stderr = runCLI(t, "", "index", "add", "--dir", idx, filepath.Join(docs, "a.txt")); code != 0 {
				t.Fatalf("re-add: %d %q %q", code, out, stderr)
			}
			if _, out, _ = runCLI(t, "", "search", "--dir", idx, "fox"); !strings.HasPrefix(out, "2 hits") {
				t.Fatalf("after replacement: %q", out)
			}
			code, out, stderr = runCLI(t, "", "index", "stats", "--dir", idx)
			for _, want := range []string{"engine          " + engine, "documents       4 live", "bytes per posting", "write amp", "read amp", "space amp"} {
				if code != 0 || !strings.Contains(out, want) {
					t.Fatalf("stats lacks %q: exit %d, out:\n%s\nstderr %q", want, code, out, stderr)
				}
			}
		})
	}
}

func TestCLIIndexErrors(t *testing.T) {
	tmp := t.TempDir()
	idx := filepath.Join(tmp, "idx")
	// A malformed query names its position and is a usage error.
	code, _, stderr := runCLI(t, "", "search", "--dir", idx, `a "unclosed`)
	if code != 2 || !strings.Contains(stderr, "position 2") {
		t.Fatalf("bad query: exit %d, stderr %q", code, stderr)
	}
	if code, _, stderr = runCLI(t, "", "search", "--dir", idx, "x"); code != 1 || !strings.Contains(stderr, "no index") {
		t.Fatalf("missing index: exit %d, stderr %q", code, stderr)
	}
	if code, _, _ = runCLI(t, "", "index", "add", "--engine", "memory", "--dir", idx, tmp); code != 2 {
		t.Fatalf("--engine memory: exit %d", code)
	}
	bad := filepath.Join(tmp, "bad.jsonl")
	os.WriteFile(bad, []byte("{\"id\": \"1\"}\n{not json\n"), 0o644)
	if code, _, stderr = runCLI(t, "", "index", "add", "--dir", idx, bad); code != 1 || !strings.Contains(stderr, "bad.jsonl:2") {
		t.Fatalf("bad JSON line: exit %d, stderr %q", code, stderr)
	}
}

func TestCLIBenchIndexSmall(t *testing.T) {
	if testing.Short() {
		t.Skip("indexes a corpus three times")
	}
	code, out, stderr := runCLI(t, "", "bench-index", "--docs", "400", "--batch", "100", "--queries", "3", "--reps", "1")
	if code != 0 {
		if strings.Contains(stderr, "no Go source") {
			t.Skip(stderr)
		}
		t.Fatalf("bench-index: exit %d, stderr %q", code, stderr)
	}
	for _, want := range []string{"lsm", "btree", "bleve", "vs bleve", "phrase"} {
		if !strings.Contains(out, want) {
			t.Fatalf("output lacks %q:\n%s", want, out)
		}
	}
}
