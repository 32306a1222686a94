package triebench

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
)

// Word is one key of a word list with its weight: how often it occurs.
type Word struct {
	Key    string
	Weight uint64
}

// WordsInfo says where a word list came from.
type WordsInfo struct {
	Files       int // Go files read
	Identifiers int // distinct identifiers (weight: occurrences)
	Selectors   int // distinct x.y selector expressions not already counted
	Qualified   int // synthesized "dir.identifier" keys taken to reach the target
}

// String says where the words came from, in one line.
func (i WordsInfo) String() string {
	s := fmt.Sprintf("%d identifiers and %d selectors (x.y) from %d Go files under GOROOT/src",
		i.Identifiers, i.Selectors, i.Files)
	if i.Qualified > 0 {
		s += fmt.Sprintf(", plus %d synthesized package-qualified keys (dir.identifier, e.g. net/http.Client)", i.Qualified)
	}
	return s
}

// ErrNoGoroot is returned by GoWords when the Go distribution's sources
// are not on this machine.
var ErrNoGoroot = errors.New("triebench: no Go sources under runtime.GOROOT()")

// GoWords returns a real word list: the distinct identifiers of the Go
// sources under runtime.GOROOT()/src, weighted by how often they occur,
// then the distinct selector expressions ("fmt.Println"), then — only
// when want is larger than those — keys qualified by the package
// directory that uses the identifier ("net/http.Client"), each weighted by
// its uses there, taken in a fixed pseudo-random order until there are
// want keys. maxFiles > 0 reads only that many files (tests use it to
// stay fast). want <= 0 means no synthesized keys. The list is sorted by
// key.
func GoWords(want, maxFiles int) ([]Word, WordsInfo, error) {
	var info WordsInfo
	root := filepath.Join(runtime.GOROOT(), "src")
	if fi, err := os.Stat(root); err != nil || !fi.IsDir() {
		return nil, info, ErrNoGoroot
	}
	ident := map[string]uint64{}
	sel := map[string]uint64{}
	qual := map[string]uint64{}
	errStop := errors.New("stop")
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // unreadable parts of GOROOT are skipped
		}
		if d.IsDir() {
			if n := d.Name(); n == "testdata" && p != root {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") {
			return nil
		}
		if maxFiles > 0 && info.Files >= maxFiles {
			return errStop
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return nil
		}
		info.Files++
		dir, _ := filepath.Rel(root, filepath.Dir(p))
		dir = filepath.ToSlash(dir)
		scanIdents(b, func(id, selector []byte) {
			ident[string(id)]++
			if selector != nil {
				sel[string(selector)]++
			}
			if want > 0 {
				qual[dir+"."+string(id)]++
			}
		})
		return nil
	})
	if err != nil && err != errStop {
		return nil, info, fmt.Errorf("triebench: walk %s: %w", root, err)
	}
	words := make([]Word, 0, max(want, len(ident)+len(sel)))
	for k, w := range ident {
		words = append(words, Word{k, w})
	}
	info.Identifiers = len(ident)
	for k, w := range sel {
		if _, dup := ident[k]; !dup {
			words = append(words, Word{k, w})
			info.Selectors++
		}
	}
	if extra := want - len(words); extra > 0 {
		q := make([]Word, 0, len(qual))
		for k, w := range qual {
			if _, dup := sel[k]; !dup {
				q = append(q, Word{k, w})
			}
		}
		// A fixed order independent of map iteration: by a hash of the key.
		slices.SortFunc(q, func(a, b Word) int {
			ha, hb := fnv(a.Key), fnv(b.Key)
			if ha != hb {
				if ha < hb {
					return -1
				}
				return 1
			}
			return strings.Compare(a.Key, b.Key)
		})
		q = q[:min(extra, len(q))]
		words = append(words, q...)
		info.Qualified = len(q)
	}
	slices.SortFunc(words, func(a, b Word) int { return strings.Compare(a.Key, b.Key) })
	return words, info, nil
}

// fnv is FNV-1a, a fixed hash for a fixed order.
func fnv(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

func isIdentStart(c byte) bool { return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isIdentByte(c byte) bool  { return isIdentStart(c) || c >= '0' && c <= '9' }

// scanIdents calls fn for every identifier-like word in src (code and
// comments alike), with the selector expression "word.next" when a dot
// and another word follow.
func scanIdents(src []byte, fn func(id, selector []byte)) {
	for i := 0; i < len(src); {
		if !isIdentStart(src[i]) {
			if src[i] >= '0' && src[i] <= '9' { // skip numbers such as 0x1f
				for i < len(src) && isIdentByte(src[i]) {
					i++
				}
				continue
			}
			i++
			continue
		}
		j := i + 1
		for j < len(src) && isIdentByte(src[j]) {
			j++
		}
		var selector []byte
		if j+1 < len(src) && src[j] == '.' && isIdentStart(src[j+1]) {
			k := j + 2
			for k < len(src) && isIdentByte(src[k]) {
				k++
			}
			selector = src[i:k]
		}
		fn(src[i:j], selector)
		i = j
	}
}

// Keys returns the words' keys.
func Keys(words []Word) []string {
	ks := make([]string, len(words))
	for i, w := range words {
		ks[i] = w.Key
	}
	return ks
}
