package kvlab

import (
	"errors"
	"strings"
	"testing"

	"github.com/kvlab/kvlab/btree"
	"github.com/kvlab/kvlab/lsm"
	"github.com/kvlab/kvlab/vfs"
)

func TestOpenUnknownEngineAndOption(t *testing.T) {
	if _, err := Open("no-such-engine", t.TempDir(), Options{}); !errors.Is(err, ErrUnknownEngine) {
		t.Fatalf("Open(unknown) = %v, want ErrUnknownEngine", err)
	}
	if _, err := Open("memory", t.TempDir(), Options{Settings: map[string]string{"bogus": "1"}}); !errors.Is(err, ErrUnknownOption) {
		t.Fatalf("Open(memory, bogus option) = %v, want ErrUnknownOption", err)
	}
	db, err := Open("memory", "", Options{})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
}

func TestEnginesListsOwnEnginesFirst(t *testing.T) {
	seenPeer := false
	for _, e := range Engines() {
		if e.Peer {
			seenPeer = true
		} else if seenPeer {
			t.Fatalf("kvlab engine %s listed after a peer", e.Name)
		}
	}
	if _, err := Lookup("memory"); err != nil {
		t.Fatal(err)
	}
}

func TestParseChecksNamesAndValues(t *testing.T) {
	info, err := Lookup("lsm")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		settings map[string]string
		is       error
		want     string
	}{
		{map[string]string{"memtable-szie": "1MiB"}, ErrUnknownOption, "unknown option lsm.memtable-szie (known: memtable-size,"},
		{map[string]string{"memtable-size": "1KiB"}, ErrBadOption, "lsm.memtable-size=1KiB: out of range 64KiB–1GiB"},
		{map[string]string{"memtable-size": "64M"}, ErrBadOption, "ambiguous: write 64MiB (powers of 1024) or 64MB"},
		{map[string]string{"level-ratio": "NaN"}, ErrBadOption, "lsm.level-ratio=NaN: not a finite number"},
		{map[string]string{"bloom-bits": "2.5"}, ErrBadOption, "lsm.bloom-bits=2.5: count \"2.5\" is not a whole number"},
		{map[string]string{"l0-stop-trigger": "2"}, ErrBadOption, "l0-stop-trigger (2) is below l0-slowdown-trigger (8)"},
	} {
		_, err := info.Parse(c.settings)
		if !errors.Is(err, c.is) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Parse(%v) = %v; want %v saying %q", c.settings, err, c.is, c.want)
		}
	}
	mem, _ := Lookup("memory")
	if _, err := mem.Parse(map[string]string{"bogus": "1"}); !errors.Is(err, ErrUnknownOption) || !strings.Contains(err.Error(), "memory takes no options") {
		t.Errorf("memory.bogus: %v", err)
	}
	if o, err := mem.Parse(nil); o != nil || err != nil {
		t.Errorf("memory without settings: %v, %v", o, err)
	}
}

// TestTypedOptions opens engines with typed options, with settings on top.
func TestTypedOptions(t *testing.T) {
	info, _ := Lookup("lsm")
	v, err := info.Parse(map[string]string{"memtable-size": "1MiB"})
	if o, ok := v.(lsm.Options); err != nil || !ok || o.MemtableSize != 1<<20 || o.BloomBitsPerKey != 10 {
		t.Fatalf("Parse: %#v, %v", v, err)
	}
	base := lsm.DefaultOptions()
	base.MemtableSize, base.BloomBitsPerKey = 1<<20, 3
	fs := vfs.NewMem()
	db, err := Open("lsm", "/db", Options{FS: fs, Engine: base, Settings: map[string]string{"bloom-bits": "5"}})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	v, _ = info.resolve(base, map[string]string{"bloom-bits": "5"})
	if o := v.(lsm.Options); o.MemtableSize != 1<<20 || o.BloomBitsPerKey != 5 {
		t.Errorf("settings on typed options: %+v", o)
	}
	bad := base
	bad.MemtableSize = 10
	if _, err := Open("lsm", "/db2", Options{FS: fs, Engine: bad}); !errors.Is(err, ErrBadOption) || !strings.Contains(err.Error(), "lsm.memtable-size=10B: out of range") {
		t.Errorf("typed options out of range: %v", err)
	}
	if _, err := Open("btree", "/db3", Options{FS: fs, Engine: base}); !errors.Is(err, ErrBadOption) || !strings.Contains(err.Error(), "lsm.Options") {
		t.Errorf("lsm options for btree: %v", err)
	}
	if _, err := Open("memory", "", Options{Engine: base}); !errors.Is(err, ErrBadOption) {
		t.Errorf("options for memory: %v", err)
	}
	bo := btree.DefaultOptions()
	bo.PageSize = 8 << 10
	db, err = Open("btree", "/db4", Options{FS: fs, Engine: bo})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
}

func TestKnobsDocumented(t *testing.T) {
	for _, e := range Engines() {
		for _, k := range e.Knobs() {
			if k.Name == "" || k.Doc == "" || k.Default == "" || k.Kind.String() == "" {
				t.Errorf("%s: knob %+v is not documented", e.Name, k)
			}
		}
	}
}
