package lsm

import (
	"errors"
	"maps"
	"math"
	"strings"
	"testing"

	"github.com/kvlab/kvlab/knob"
	"github.com/kvlab/kvlab/knob/knobtest"
	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/vfs"
)

// TestKnobs checks the knob table: documented, the defaults round-trip
// through their strings, random values in range through format and parse.
func TestKnobs(t *testing.T) { knobtest.Run(t, Knobs()) }

// TestKnobDefaults pins the documented defaults the CLI has always shown.
func TestKnobDefaults(t *testing.T) {
	want := map[string]string{
		"memtable-size": "64MiB", "max-immutable-memtables": "2", "l0-compaction-trigger": "4",
		"l0-slowdown-trigger": "8", "l0-stop-trigger": "12", "l1-target-size": "64MiB", "level-ratio": "10",
		"target-file-size": "8MiB", "block-size": "4KiB", "restart-interval": "16", "bloom-bits": "10",
		"compression": "snappy", "block-cache": "8MiB", "sync": "false", "max-manifest-size": "4MiB",
	}
	got := map[string]string{}
	for _, in := range Knobs().Describe() {
		got[in.Name] = in.Default
	}
	if !maps.Equal(got, want) {
		t.Fatalf("defaults %v, want %v", got, want)
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
		"max-manifest-size":     "1.5B",
		"restart-interval":      "1.5",
	}
	for name, v := range bad {
		if _, err := ParseSettings(map[string]string{name: v}); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("ParseSettings(%s=%s) = %v, want an error naming the option", name, v, err)
		}
	}
}

func TestParseSettingsErrors(t *testing.T) {
	_, err := ParseSettings(map[string]string{"memtable-size": "1KiB"})
	if !errors.Is(err, knob.ErrInvalid) || err.Error() != "lsm.memtable-size=1KiB: out of range 64KiB–1GiB" {
		t.Errorf("memtable-size=1KiB: %v", err)
	}
	_, err = ParseSettings(map[string]string{"level-ratio": "NaN"})
	if !errors.Is(err, knob.ErrInvalid) {
		t.Errorf("level-ratio=NaN: %v", err)
	}
	_, err = ParseSettings(map[string]string{"l0-stop-trigger": "2"})
	if !errors.Is(err, knob.ErrInvalid) || !strings.Contains(err.Error(), "l0-stop-trigger (2) is below l0-slowdown-trigger (8)") {
		t.Errorf("l0-stop-trigger=2: %v", err)
	}
	if _, err = ParseSettings(map[string]string{"memtable-szie": "1MiB"}); !errors.Is(err, knob.ErrUnknown) {
		t.Errorf("a misspelt option: %v", err)
	}
	o := DefaultOptions()
	o.LevelRatio = math.NaN()
	if err := o.Validate(); err == nil || !strings.Contains(err.Error(), "level-ratio") {
		t.Errorf("Validate with a NaN level ratio: %v", err)
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
