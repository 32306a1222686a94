package kvtest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/vfs"
)

// TestSuiteOnLogEngine runs the whole suite, crash and fault parts
// included, on a minimal correct persistent engine.
func TestSuiteOnLogEngine(t *testing.T) {
	Run(t, func(fs vfs.FS, dir string) (kv.Engine, error) {
		return openLogEngine(fs, dir, false)
	}, SnapshotIterators())
}

// TestCrashCheckCatchesLostSyncedWrites shows the crash test's check can
// fail: an engine that acknowledges synced writes without syncing loses
// them in a crash, and matchPrefix says so.
func TestCrashCheckCatchesLostSyncedWrites(t *testing.T) {
	fs := vfs.NewMem()
	fs.MkdirAll("/db")
	db, err := openLogEngine(fs, "/db", true)
	if err != nil {
		t.Fatal(err)
	}
	states := []model{{}}
	var b kv.Batch
	b.Put([]byte("k"), []byte("v"))
	if err := db.Write(&b, kv.WriteOptions{Sync: true}); err != nil {
		t.Fatal(err)
	}
	next := model{}
	next.apply(&b)
	states = append(states, next)
	crashed := fs.CrashClone(vfs.CrashOptions{})
	db.Close()
	db2, err := openLogEngine(crashed, "/db", false)
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	got, err := readAll(db2)
	if err != nil {
		t.Fatal(err)
	}
	if err := matchPrefix(states, 1, got); err == nil || !strings.Contains(err.Error(), `missing "k"`) {
		t.Fatalf("matchPrefix accepted a store that lost a synced write: %v", err)
	}
}

// TestMatchPrefixRejectsHalfBatchesAndResurrection checks the crash
// oracle on hand-made states.
func TestMatchPrefixRejectsHalfBatchesAndResurrection(t *testing.T) {
	s0 := model{"a": "1"}
	s1 := model{"a": "1", "b": "2", "c": "3"} // one batch wrote b and c
	s2 := model{"b": "2", "c": "3"}           // then a was deleted
	states := []model{s0, s1, s2}
	for _, tc := range []struct {
		got     model
		durable int
		ok      bool
	}{
		{model{"a": "1"}, 0, true},
		{s1.clone(), 0, true},
		{s2.clone(), 2, true},
		{model{"a": "1", "b": "2"}, 0, false},           // half a batch
		{model{"a": "1", "b": "2", "c": "3"}, 2, false}, // a deleted under sync, came back
		{model{"z": "9"}, 0, false},                     // invented
	} {
		err := matchPrefix(states, tc.durable, tc.got)
		if (err == nil) != tc.ok {
			t.Errorf("matchPrefix(%v, durable %d) = %v, want ok=%v", tc.got, tc.durable, err, tc.ok)
		}
	}
	_ = fmt.Sprint
}
