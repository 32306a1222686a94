package lsm

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/lsm/manifest"
	"github.com/kvlab/kvlab/vfs"
)

// TestCheckFindsDamage flips bytes in tables and checks that Check reports
// kv.ErrCorruption, and that reads return the right value or
// kv.ErrCorruption — never a wrong value.
func TestCheckFindsDamage(t *testing.T) {
	seed := testSeed(t)
	rng := rand.New(rand.NewPCG(seed, 3))
	mem := vfs.NewMem()
	o := tinyOptions()
	o.BlockCacheSize = 0 // read every block from the damaged file
	db := mustOpen(t, mem, "/db", o)
	m := model{}
	for i := 0; i < 3000; i++ {
		k := fmt.Sprintf("k%05d", i)
		v := fmt.Sprintf("v%05d-%s", i, value(rng, 40))
		if err := db.Put([]byte(k), []byte(v)); err != nil {
			t.Fatal(err)
		}
		m[k] = v
	}
	waitIdle(t, db)
	check(t, seed, db)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	names, _ := mem.List("/db")
	var tables []string
	for _, n := range names {
		if typ, _, _ := manifest.ParseFileName(n); typ == manifest.TypeTable {
			tables = append(tables, n)
		}
	}
	if len(tables) == 0 {
		t.Fatal("no tables were written")
	}
	for trial := 0; trial < 10; trial++ {
		fs := mem.Clone()
		name := "/db/" + tables[rng.IntN(len(tables))]
		data, err := vfs.ReadFile(fs, name, vfs.KindSSTable)
		if err != nil {
			t.Fatal(err)
		}
		off := rng.IntN(len(data))
		data[off] ^= byte(1 + rng.IntN(255))
		if err := vfs.WriteFileAtomic(fs, name, data, vfs.KindSSTable); err != nil {
			t.Fatal(err)
		}
		db, err := Open(fs, "/db", o)
		if err != nil {
			if !errors.Is(err, kv.ErrCorruption) {
				t.Fatalf("seed %d: Open with %s damaged at %d: %v, want ErrCorruption", seed, name, off, err)
			}
			continue
		}
		var buf bytes.Buffer
		if err := db.Check(&buf); !errors.Is(err, kv.ErrCorruption) {
			t.Fatalf("seed %d: Check with %s damaged at %d: %v, want ErrCorruption", seed, name, off, err)
		}
		for _, k := range m.keys() {
			v, err := db.Get([]byte(k))
			if err != nil && !errors.Is(err, kv.ErrCorruption) {
				t.Fatalf("seed %d: Get(%q) with %s damaged: %v", seed, k, name, err)
			}
			if err == nil && string(v) != m[k] {
				t.Fatalf("seed %d: Get(%q) with %s damaged returned %q, want %q", seed, k, name, v, m[k])
			}
		}
		db.Close()
	}
}
