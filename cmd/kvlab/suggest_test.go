package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCLISuggest(t *testing.T) {
	dir := t.TempDir()
	words := filepath.Join(dir, "words.txt")
	bin := filepath.Join(dir, "words.trie")
	os.WriteFile(words, []byte("apple\t10\napply\t40\napple\t5\napricot\nbanana\t7\napp\t2\n"), 0o644)
	must := func(stdin string, args ...string) string {
		t.Helper()
		code, out, stderr := runCLI(t, stdin, args...)
		if code != 0 {
			t.Fatalf("kvlab %v: exit %d, stderr %q", args, code, stderr)
		}
		return out
	}
	if out := must("", "suggest", "build", "--from", words, "-o", bin); !strings.HasPrefix(out, "5 keys from 6 lines") {
		t.Fatalf("build: %q", out)
	}
	// Repeats add up: apple is 10+5.
	if out := must("", "suggest", "query", "--trie", bin, "ap"); out != "apply\t40\napple\t15\napp\t2\napricot\t1\n" {
		t.Fatalf("query ap = %q", out)
	}
	if out := must("", "suggest", "query", "--trie", bin, "ap", "-k", "1"); out != "apply\t40\n" {
		t.Fatalf("query -k 1 = %q", out)
	}
	if out := must("", "suggest", "query", "--trie", bin, "zzz"); out != "" {
		t.Fatalf("query zzz = %q", out)
	}
	// One typo: "apx" is a substitution away from "app"/"apr"; "bx" from "b" and "a".
	if out := must("", "suggest", "query", "--trie", bin, "--fuzzy", "appla", "-k", "2"); out != "apply\t40\napple\t15\n" {
		t.Fatalf("fuzzy appla = %q", out)
	}
	out := must("", "suggest", "stats", "--trie", bin)
	for _, want := range []string{"keys", "5", "nodes", "bytes/key", "depth"} {
		if !strings.Contains(out, want) {
			t.Fatalf("stats lacks %q: %q", want, out)
		}
	}
	// Standard input works too.
	must("kiwi\nkiwi\n", "suggest", "build", "--from", "-", "-o", bin)
	if out := must("", "suggest", "query", "--trie", bin, "k"); out != "kiwi\t2\n" {
		t.Fatalf("stdin build: %q", out)
	}

	// Damage is exit 1 naming corruption; usage errors exit 2.
	b, _ := os.ReadFile(bin)
	b[len(b)-1] ^= 0xff
	os.WriteFile(bin, b, 0o644)
	if code, _, stderr := runCLI(t, "", "suggest", "query", "--trie", bin, "k"); code != 1 || !strings.Contains(stderr, "corruption") {
		t.Fatalf("corrupt trie: exit %d, %q", code, stderr)
	}
	for _, args := range [][]string{
		{"suggest", "build", "-o", bin},
		{"suggest", "query", "--trie", bin},
		{"suggest", "query", "--trie", bin, "a", "-k", "0"},
		{"suggest", "query", "a"},
		{"suggest", "bench", "--keys", "zero"},
	} {
		if code, _, stderr := runCLI(t, "", args...); code != 2 {
			t.Errorf("kvlab %v: exit %d, want 2 (%q)", args, code, stderr)
		}
	}
	os.WriteFile(words, []byte("bad\tweight\n"), 0o644)
	if code, _, stderr := runCLI(t, "", "suggest", "build", "--from", words, "-o", bin); code != 1 || !strings.Contains(stderr, "line 1") {
		t.Fatalf("bad weight: exit %d, %q", code, stderr)
	}
}

func TestCLISuggestBench(t *testing.T) {
	if testing.Short() {
		t.Skip("reads Go sources")
	}
	code, out, stderr := runCLI(t, "", "suggest", "bench", "--keys", "5k", "--max-files", "60", "--queries", "50", "--rounds", "1")
	if code != 0 {
		if strings.Contains(stderr, "Go distribution's sources") {
			t.Skip(stderr)
		}
		t.Fatalf("suggest bench: exit %d, %q", code, stderr)
	}
	for _, want := range []string{"go-radix", "iradix", "heap bytes/key", "TopK(10) p50, 1-byte prefix", "load from serialized form"} {
		if !strings.Contains(out, want) {
			t.Fatalf("bench output lacks %q:\n%s", want, out)
		}
	}
}
