package lsm

import (
	"errors"
	"strings"
	"testing"

	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/vfs"
)

// TestSettingsDefaults checks that the documented defaults are the ones
// DefaultOptions uses.
func TestSettingsDefaults(t *testing.T) {
	m := map[string]string{}
	for _, s := range Settings() {
		m[s.Name] = s.Default
		if s.Doc == "" {
			t.Errorf("setting %s has no doc", s.Name)
		}
	}
	o, err := ParseSettings(m)
	if err != nil {
		t.Fatal(err)
	}
	if o != DefaultOptions() {
		t.Fatalf("the documented defaults give %+v, DefaultOptions is %+v", o, DefaultOptions())
	}
}

func TestParseSettings(t *testing.T) {
	o, err := ParseSettings(map[string]string{"memtable-size": "1MiB", "bloom-bits": "0", "compression": "none", "level-ratio": "4", "sync": "true"})
	if err != nil {
		t.Fatal(err)
	}
	if o.MemtableSize != 1<<20 || o.BloomBitsPerKey != 0 || o.Compression || o.LevelRatio != 4 || !o.Sync {
		t.Fatalf("parsed %+v", o)
	}
	bad := map[string]string{
		"no-such-option":        "1",
		"memtable-size":         "1KiB",
		"bloom-bits":            "-1",
		"compression":           "zstd",
		"level-ratio":           "ten",
		"l0-stop-trigger":       "2",
		"block-cache":           "lots",
		"sync":                  "maybe",
		"l0-compaction-trigger": "0",
	}
	for name, v := range bad {
		if _, err := ParseSettings(map[string]string{name: v}); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("ParseSettings(%s=%s) = %v, want an error naming the option", name, v, err)
		}
	}
}

func TestOpenRejectsBadOptions(t *testing.T) {
	o := DefaultOptions()
	o.MemtableSize = 10
	if _, err := Open(vfs.NewMem(), "/db", o); err == nil || !strings.Contains(err.Error(), "memtable-size") {
		t.Fatalf("Open with a 10-byte memtable: %v", err)
	}
}

func TestOversizedInput(t *testing.T) {
	db := mustOpen(t, vfs.NewMem(), "/db", tinyOptions())
	defer db.Close()
	big := make([]byte, kv.MaxKeySize+1)
	if err := db.Put(big, nil); !errors.Is(err, kv.ErrKeyTooLarge) {
		t.Fatalf("Put with an oversized key: %v", err)
	}
	if err := db.Put([]byte("k"), []byte("v")); err != nil {
		t.Fatalf("the store is unusable after rejecting bad input: %v", err)
	}
}
