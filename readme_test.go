package kvlab

import (
	"os"
	"strings"
	"testing"
)

// TestREADMEQuotesExample keeps the README's embedding example the body of
// Example in example_test.go, which go test compiles and runs: the README
// shows it with `return err` for `log.Fatal(err)` and without the
// temporary directory's setup.
func TestREADMEQuotesExample(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("example_test.go")
	if err != nil {
		t.Fatal(err)
	}
	s := string(src)
	i, j := strings.Index(s, "\tdb, err := kvlab.Open"), strings.Index(s, "\t// Output:")
	if i < 0 || j < i {
		t.Fatal("example_test.go: Example's body not found")
	}
	var lines []string
	for _, l := range strings.Split(strings.TrimRight(s[i:j], "\n"), "\n") {
		lines = append(lines, strings.TrimPrefix(l, "\t"))
	}
	want := "```go\n" + strings.ReplaceAll(strings.Join(lines, "\n"), "log.Fatal(err)", "return err") + "\n```\n"
	if !strings.Contains(string(readme), want) {
		t.Fatalf("README.md does not quote Example; want the block\n%s", want)
	}
}
