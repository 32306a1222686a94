package peers

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/kvlab/kvlab/bench"
)

// TestUnreportedStats checks that each peer names, as bench.PartialStats,
// real fields of kv.LSMStats or kv.BTreeStats, and that those fields are
// indeed zero after writes, reads and a sync: the report shows "-" for
// them instead of a zero that would look like the best figure.
func TestUnreportedStats(t *testing.T) {
	for _, name := range []string{"pebble", "goleveldb", "badger", "bbolt"} {
		t.Run(name, func(t *testing.T) {
			db := mustOpen(t, name, t.TempDir(), nil)
			defer db.Close()
			ps, ok := db.(bench.PartialStats)
			if !ok {
				t.Fatalf("%T does not implement bench.PartialStats", db)
			}
			for i := range 2000 {
				put(t, db, fmt.Sprintf("key%06d", i), "value")
			}
			if err := db.Sync(); err != nil {
				t.Fatal(err)
			}
			for i := range 2000 {
				wantGet(t, db, fmt.Sprintf("key%06d", i*7%2000), "value")
				wantMiss(t, db, fmt.Sprintf("nokey%06d", i))
			}
			st := db.Stats()
			fields := ps.UnreportedStats()
			if len(fields) == 0 {
				t.Fatal("no unreported figures listed")
			}
			for _, f := range fields {
				group, field, _ := strings.Cut(f, ".")
				var v reflect.Value
				switch group {
				case "LSM":
					v = reflect.ValueOf(st.LSM)
				case "BTree":
					v = reflect.ValueOf(st.BTree)
				case "Phase": // a figure the bench derives: it must exist
					if _, ok := reflect.TypeFor[bench.Phase]().FieldByName(field); !ok {
						t.Fatalf("%q: no such field in bench.Phase", f)
					}
					continue
				default:
					t.Fatalf("%q: want LSM.Field, BTree.Field or Phase.Field", f)
				}
				if v.IsNil() {
					t.Fatalf("%q: the engine reports no %s figures at all", f, group)
				}
				fv := v.Elem().FieldByName(field)
				if !fv.IsValid() {
					t.Fatalf("%q: no such field in kv.%sStats", f, group)
				}
				if !fv.IsZero() {
					t.Errorf("%q is listed as unreported but is %v", f, fv.Interface())
				}
			}
		})
	}
}
