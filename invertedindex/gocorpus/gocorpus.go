// Package gocorpus extracts a text corpus from the Go distribution: the
// doc comments of the Go source under GOROOT/src (tests included) and the documentation
// files under GOROOT/doc, one document per paragraph (a doc comment of
// several paragraphs gives several documents, with IDs "path:line#n"). It is the real corpus the inverted index is tested and
// benchmarked on; it is present wherever the project builds.
package gocorpus

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
)

// Doc is one document of the corpus.
type Doc struct {
	// ID is "path:line", the path relative to GOROOT.
	ID string
	// Path is the file, relative to GOROOT.
	Path string
	// Name is the declaration the comment documents ("" for paragraphs and
	// package comments).
	Name string
	// Text is the comment's text or the paragraph.
	Text string
}

// Options select part of the corpus.
type Options struct {
	// Dirs restricts the walk to these directories under GOROOT/src
	// (e.g. "strings", "net/http"); empty means all of src and doc.
	Dirs []string
	// Max stops after that many documents; 0 means no limit.
	Max int
}

// ErrNoGoroot is returned by Load when GOROOT/src is absent.
var ErrNoGoroot = errors.New("gocorpus: no Go source under GOROOT")

// Root returns runtime.GOROOT() if it holds src, else "".
func Root() string {
	r := runtime.GOROOT()
	if r == "" {
		return ""
	}
	if fi, err := os.Stat(filepath.Join(r, "src")); err != nil || !fi.IsDir() {
		return ""
	}
	return r
}

// Load reads the corpus under root (see Root), in a stable order.
func Load(root string, o Options) ([]Doc, error) {
	if root == "" {
		return nil, ErrNoGoroot
	}
	var goFiles, docFiles []string
	dirs := o.Dirs
	if len(dirs) == 0 {
		dirs = []string{""}
	}
	for _, d := range dirs {
		base := filepath.Join(root, "src", d)
		err := filepath.WalkDir(base, func(p string, e fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if e.IsDir() {
				if n := e.Name(); n == "testdata" || n == "vendor" || (strings.HasPrefix(n, ".") && p != base) {
					return filepath.SkipDir
				}
				return nil
			}
			if strings.HasSuffix(p, ".go") {
				goFiles = append(goFiles, p)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("gocorpus: %w", err)
		}
	}
	if len(o.Dirs) == 0 {
		_ = filepath.WalkDir(filepath.Join(root, "doc"), func(p string, e fs.DirEntry, err error) error {
			if err == nil && !e.IsDir() && (strings.HasSuffix(p, ".html") || strings.HasSuffix(p, ".md") || strings.HasSuffix(p, ".txt")) {
				docFiles = append(docFiles, p)
			}
			return nil
		})
	}
	sort.Strings(goFiles)
	sort.Strings(docFiles)
	perFile := make([][]Doc, len(goFiles)+len(docFiles))
	var wg sync.WaitGroup
	workers := runtime.GOMAXPROCS(0)
	next := make(chan int)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fset := token.NewFileSet()
			for i := range next {
				if i < len(goFiles) {
					perFile[i] = goDocs(fset, root, goFiles[i])
				} else {
					perFile[i] = paragraphs(root, docFiles[i-len(goFiles)])
				}
			}
		}()
	}
	for i := range perFile {
		next <- i
	}
	close(next)
	wg.Wait()
	var out []Doc
	for _, ds := range perFile {
		out = append(out, ds...)
		if o.Max > 0 && len(out) >= o.Max {
			return out[:o.Max], nil
		}
	}
	return out, nil
}

// goDocs returns the doc comments of one Go file (unparsable files give
// none).
func goDocs(fset *token.FileSet, root, path string) []Doc {
	f, err := parser.ParseFile(fset, path, nil, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		return nil
	}
	rel, _ := filepath.Rel(root, path)
	rel = filepath.ToSlash(rel)
	var out []Doc
	add := func(cg *ast.CommentGroup, name string) {
		if cg == nil {
			return
		}
		line := fset.Position(cg.Pos()).Line
		for i, para := range strings.Split(cg.Text(), "\n\n") {
			text := strings.TrimSpace(para)
			if text == "" {
				continue
			}
			id := fmt.Sprintf("%s:%d", rel, line)
			if i > 0 {
				id += fmt.Sprintf("#%d", i)
			}
			out = append(out, Doc{ID: id, Path: rel, Name: name, Text: text})
		}
	}
	add(f.Doc, "package "+f.Name.Name)
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncDecl:
			add(n.Doc, n.Name.Name)
			return false
		case *ast.GenDecl:
			name := ""
			if len(n.Specs) == 1 {
				switch s := n.Specs[0].(type) {
				case *ast.TypeSpec:
					name = s.Name.Name
				case *ast.ValueSpec:
					name = s.Names[0].Name
				}
			}
			add(n.Doc, name)
		case *ast.TypeSpec:
			add(n.Doc, n.Name.Name)
		case *ast.ValueSpec:
			if len(n.Names) > 0 {
				add(n.Doc, n.Names[0].Name)
			}
		case *ast.Field:
			if len(n.Names) > 0 {
				add(n.Doc, n.Names[0].Name)
			}
		}
		return true
	})
	return out
}

// paragraphs splits a documentation file into blank-line-separated
// paragraphs, dropping HTML tags crudely and paragraphs under 40 bytes.
func paragraphs(root, path string) []Doc {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	rel, _ := filepath.Rel(root, path)
	rel = filepath.ToSlash(rel)
	var out []Doc
	lines := strings.Split(string(data), "\n")
	start := 0
	flush := func(end int) {
		text := strings.TrimSpace(stripTags(strings.Join(lines[start:end], "\n")))
		if len(text) >= 40 {
			out = append(out, Doc{ID: fmt.Sprintf("%s:%d", rel, start+1), Path: rel, Text: text})
		}
	}
	for i, l := range lines {
		if strings.TrimSpace(l) == "" {
			flush(i)
			start = i + 1
		}
	}
	flush(len(lines))
	return out
}

func stripTags(s string) string {
	var b strings.Builder
	in := false
	for _, r := range s {
		switch {
		case r == '<':
			in = true
		case r == '>' && in:
			in = false
			b.WriteByte(' ')
		case !in:
			b.WriteRune(r)
		}
	}
	return b.String()
}
