package report

import (
	"bufio"
	"fmt"
	"github.com/kvlab/kvlab/bench"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
)

// specPath is the results format's specification, relative to this
// package.
const specPath = "../../docs/format/results.md"

// specRow is one field row of a table in the specification.
type specRow struct {
	jsonType, unit, omitted string
	line                    int
}

// TestResultsSpecMatchesCode keeps docs/format/results.md in step with the
// code: every struct type a results line holds has a section "### `pkg.Type`"
// whose table lists exactly the type's JSON names, in the order the writer
// writes them, each with the JSON type
// the Go type encodes as and an "omitted" column that says "never" exactly
// when the field has no omitempty.
func TestResultsSpecMatchesCode(t *testing.T) {
	spec := readSpec(t)
	seen := map[string]bool{}
	for _, st := range resultStructs(reflect.TypeFor[bench.Result]()) {
		name := st.String()
		seen[name] = true
		rows, ok := spec[name]
		if !ok {
			t.Errorf("%s: no section \"### `%s`\"", specPath, name)
			continue
		}
		fields := map[string]bool{}
		prev := 0 // the line of the previous field's row: rows are in field order
		for i := range st.NumField() {
			f := st.Field(i)
			jname, omitempty, ok := jsonName(f)
			if !ok {
				continue
			}
			if f.Anonymous {
				t.Fatalf("%s.%s: embedded fields are not handled by this test", name, f.Name)
			}
			fields[jname] = true
			row, ok := rows[jname]
			if !ok {
				t.Errorf("%s: section %s has no row for field %q (%s.%s)", specPath, name, jname, name, f.Name)
				continue
			}
			if row.line < prev {
				t.Errorf("%s:%d: %s field %q is listed before the field that precedes it in the code", specPath, row.line, name, jname)
			}
			prev = row.line
			if want := jsonTypeOf(f.Type, omitempty); row.jsonType != want {
				t.Errorf("%s:%d: %s field %q has JSON type %q, want %q", specPath, row.line, name, jname, row.jsonType, want)
			}
			if row.unit == "" {
				t.Errorf("%s:%d: %s field %q has no unit (write — for none)", specPath, row.line, name, jname)
			}
			if omitempty != !strings.HasPrefix(row.omitted, "never") || omitempty && !strings.HasPrefix(row.omitted, "when") {
				t.Errorf("%s:%d: %s field %q: omitted %q, but omitempty is %v (want \"never…\" or \"when…\")",
					specPath, row.line, name, jname, row.omitted, omitempty)
			}
		}
		for jname, row := range rows {
			if !fields[jname] {
				t.Errorf("%s:%d: section %s names field %q, which %s does not have", specPath, row.line, name, jname, name)
			}
		}
	}
	for name := range spec {
		if !seen[name] {
			t.Errorf("%s: section %s is not a type a results line holds", specPath, name)
		}
	}
}

// TestResultsSpecVersion checks that the specification's title and its
// example line carry the version WriteJSON writes, and that the example
// reads.
func TestResultsSpecVersion(t *testing.T) {
	data, err := os.ReadFile(specPath)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	if want := fmt.Sprintf("# Results file format, version %d\n", ResultsFormat); !strings.HasPrefix(text, want) {
		t.Fatalf("%s does not begin %q for version %d", specPath, want, ResultsFormat)
	}
	var example string
	for l := range strings.Lines(text) {
		if strings.HasPrefix(l, `{"format":`) {
			example = l
			break
		}
	}
	rs, err := ReadJSON(strings.NewReader(example))
	if err != nil || len(rs) != 1 || rs[0].Format != ResultsFormat || rs[0].Run == nil {
		t.Fatalf("%s: the example line reads as %v, %v", specPath, rs, err)
	}
}

// readSpec returns the field rows of the specification by section: the
// sections are "### `pkg.Type`", the rows "| `name` | type | unit |
// meaning | omitted |".
func readSpec(t *testing.T) map[string]map[string]specRow {
	t.Helper()
	f, err := os.Open(specPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	spec := map[string]map[string]specRow{}
	var section string
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		l := sc.Text()
		if strings.HasPrefix(l, "#") {
			section = ""
			if name, ok := strings.CutPrefix(l, "### `"); ok && strings.HasSuffix(name, "`") {
				section = strings.TrimSuffix(name, "`")
				if spec[section] != nil {
					t.Fatalf("%s:%d: a second section %s", specPath, n, section)
				}
				spec[section] = map[string]specRow{}
			}
			continue
		}
		if section == "" || !strings.HasPrefix(l, "| `") {
			continue
		}
		cells := strings.Split(strings.Trim(l, "|"), "|")
		if len(cells) != 5 {
			t.Fatalf("%s:%d: %d cells, want 5 (field, JSON type, unit, meaning, omitted)", specPath, n, len(cells))
		}
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		name := strings.Trim(cells[0], "`")
		if _, dup := spec[section][name]; dup {
			t.Fatalf("%s:%d: field %q listed twice in %s", specPath, n, name, section)
		}
		spec[section][name] = specRow{jsonType: cells[1], unit: cells[2], omitted: cells[4], line: n}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(spec) == 0 {
		t.Fatalf("%s: no sections", specPath)
	}
	return spec
}

// resultStructs returns root and every struct type below it that
// encoding/json encodes field by field, in the order first reached.
func resultStructs(root reflect.Type) []reflect.Type {
	var out []reflect.Type
	seen := map[reflect.Type]bool{}
	var walk func(reflect.Type)
	walk = func(t reflect.Type) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || t == reflect.TypeFor[time.Time]() || seen[t] {
			return
		}
		seen[t] = true
		out = append(out, t)
		for i := range t.NumField() {
			if _, _, ok := jsonName(t.Field(i)); ok {
				walk(t.Field(i).Type)
			}
		}
	}
	walk(root)
	return out
}

// jsonName returns the name encoding/json gives the field and whether it
// is omitted when empty; ok is false for a field JSON leaves out.
func jsonName(f reflect.StructField) (name string, omitempty, ok bool) {
	if !f.IsExported() {
		return "", false, false
	}
	tag := f.Tag.Get("json")
	if tag == "-" {
		return "", false, false
	}
	name, opts, _ := strings.Cut(tag, ",")
	if name == "" {
		name = f.Name
	}
	for o := range strings.SplitSeq(opts, ",") {
		omitempty = omitempty || o == "omitempty"
	}
	return name, omitempty, true
}

// jsonTypeOf is the JSON type a value of t encodes as, in the words of the
// specification's tables: "integer", "number", "string", "boolean",
// "object", "array of X", with " or null" for a nil pointer, map or slice
// that is written rather than omitted.
func jsonTypeOf(t reflect.Type, omitempty bool) string {
	base, nullable := "", false
	switch {
	case t == reflect.TypeFor[time.Time]():
		base = "string"
	case t.Kind() == reflect.Pointer:
		base, nullable = jsonTypeOf(t.Elem(), true), true
	case t.Kind() == reflect.Map:
		base, nullable = "object", true
	case t.Kind() == reflect.Slice:
		base, nullable = "array of "+jsonTypeOf(t.Elem(), true), true
	case t.Kind() == reflect.Struct:
		base = "object"
	case t.Kind() == reflect.String:
		base = "string"
	case t.Kind() == reflect.Bool:
		base = "boolean"
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Uint64:
		base = "integer"
	case t.Kind() == reflect.Float32 || t.Kind() == reflect.Float64:
		base = "number"
	default:
		return "unknown " + t.String()
	}
	if nullable && !omitempty {
		return base + " or null"
	}
	return base
}
