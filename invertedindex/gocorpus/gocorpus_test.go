package gocorpus

import (
	"testing"
)

func TestLoadStrings(t *testing.T) {
	root := Root()
	if root == "" {
		t.Skip("no GOROOT source")
	}
	docs, err := Load(root, Options{Dirs: []string{"strings"}})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, d := range docs {
		if d.Name == "Builder" && d.Path == "src/strings/builder.go" {
			found = true
		}
		if d.Text == "" || d.ID == "" {
			t.Fatalf("empty doc %+v", d)
		}
	}
	if len(docs) < 50 || !found {
		t.Fatalf("%d docs; strings.Builder's comment found: %v", len(docs), found)
	}
}
