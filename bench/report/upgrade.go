package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"

	"github.com/kvlab/kvlab/bench"
	"github.com/kvlab/kvlab/kv"
)

// Version 1 of the results format wrote the engine's stats (kv.Stats and
// the types it holds, under each phase's "stats") with Go's field names;
// version 2 writes them in snake_case, from the types' json tags. This file
// upgrades a version 1 line to version 2 on reading.

// v1Names maps each Go field name of kv.Stats and the types below it to
// its version 2 JSON name ("BytesWritten" -> "bytes_written").
var v1Names = sync.OnceValue(func() map[string]string {
	names := map[string]string{}
	seen := map[reflect.Type]bool{}
	var walk func(reflect.Type)
	walk = func(t reflect.Type) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || seen[t] {
			return
		}
		seen[t] = true
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name != "" && name != "-" {
				names[f.Name] = name
			}
			walk(f.Type)
		}
	}
	walk(reflect.TypeFor[kv.Stats]())
	return names
})

// upgradeV1 rewrites a version 1 line with version 2's names for the
// phases' stats. Names it does not know are left as they are (a decoder
// that disallows unknown fields then refuses them).
func upgradeV1(b []byte) ([]byte, error) {
	var line map[string]json.RawMessage
	if err := json.Unmarshal(b, &line); err != nil {
		return nil, fmt.Errorf("upgrade version 1: %w", err)
	}
	for _, name := range []string{"load", "run"} {
		raw, ok := line[name]
		if !ok || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
			continue
		}
		var phase map[string]json.RawMessage
		if err := json.Unmarshal(raw, &phase); err != nil {
			return nil, fmt.Errorf("upgrade version 1 %s phase: %w", name, err)
		}
		st, ok := phase["stats"]
		if !ok {
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(st))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("upgrade version 1 %s stats: %w", name, err)
		}
		nb, err := json.Marshal(renameV1(v))
		if err != nil {
			return nil, fmt.Errorf("upgrade version 1 %s stats: %w", name, err)
		}
		phase["stats"] = nb
		if line[name], err = json.Marshal(phase); err != nil {
			return nil, fmt.Errorf("upgrade version 1 %s phase: %w", name, err)
		}
	}
	out, err := json.Marshal(line)
	if err != nil {
		return nil, fmt.Errorf("upgrade version 1: %w", err)
	}
	return out, nil
}

// renameV1 renames the struct fields of a decoded version 1 stats value.
// The keys of IO (file kinds) and Extra (figure names) are data, not
// field names, and are kept; IO's values are structs and are renamed.
func renameV1(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, c := range x {
			nk := k
			if n, ok := v1Names()[k]; ok {
				nk = n
			}
			switch k {
			case "IO":
				if m, ok := c.(map[string]any); ok {
					io := make(map[string]any, len(m))
					for kind, s := range m {
						io[kind] = renameV1(s)
					}
					c = io
				}
				out[nk] = c
			case "Extra":
				out[nk] = c
			default:
				out[nk] = renameV1(c)
			}
		}
		return out
	case []any:
		for i := range x {
			x[i] = renameV1(x[i])
		}
		return x
	}
	return v
}

// deriveV1 fills the figures version 1 did not record from those it did.
func deriveV1(r *bench.Result) {
	for _, ph := range []*bench.Phase{r.Load, r.Run} {
		if ph == nil || ph.Seconds <= 0 || ph.Ops <= 0 {
			continue
		}
		if ph.MicrosPerOp == 0 {
			ph.MicrosPerOp = ph.Seconds * 1e6 / float64(ph.Ops)
		}
		if ph.MiBPerSec == 0 {
			ph.MiBPerSec = float64(ph.UserBytesWritten+ph.UserBytesRead) / ph.Seconds / (1 << 20)
		}
	}
}
