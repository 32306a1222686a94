package peers

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"sort"
	"strconv"
	"testing"

	"github.com/kvlab/kvlab/kv"
)

// smallSettings make each engine flush and compact within a test's few
// megabytes, so that the model test reads from tables and not only from
// memtables; bbolt's odd group size splits groups at awkward places.
var smallSettings = map[string]map[string]string{
	Pebble:    {"memtable-size": "1MiB", "block-size": "1KiB", "block-cache": "256KiB"},
	GoLevelDB: {"memtable-size": "1MiB", "block-size": "1KiB", "block-cache": "256KiB"},
	Badger:    {"memtable-size": "1MiB", "block-size": "1KiB", "block-cache": "256KiB", "value-threshold": "256"},
	Bbolt:     {"batch-size": "7", "page-size": "1KiB"},
}

// testRand returns a generator and its seed; PEERS_SEED replays a seed.
func testRand(t *testing.T) (*rand.Rand, uint64) {
	t.Helper()
	seed := rand.Uint64()
	if s := os.Getenv("PEERS_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("PEERS_SEED=%q: %v", s, err)
		}
		seed = v
	}
	return rand.New(rand.NewPCG(seed, seed^0x5851f42d4c957f2d)), seed
}

// sortedModel is the reference: a map, sorted when iterated.
type sortedModel map[string]string

func (m sortedModel) keys(o kv.IterOptions) []string {
	var ks []string
	for k := range m {
		if o.Contains([]byte(k)) {
			ks = append(ks, k)
		}
	}
	sort.Strings(ks)
	return ks
}

// TestModel drives each adapter with random puts, deletes, batches, gets,
// iterations in both directions within random bounds, syncs and reopens,
// and checks every answer against a sorted map.
func TestModel(t *testing.T) {
	for _, pc := range peerCases {
		t.Run(pc.name, func(t *testing.T) {
			t.Parallel()
			r, seed := testRand(t)
			ops := 12000
			if testing.Short() {
				ops = 3000
			}
			runModel(t, pc.name, r, seed, ops)
		})
	}
}

func runModel(t *testing.T, name string, r *rand.Rand, seed uint64, ops int) {
	dir := t.TempDir()
	open := func() kv.Engine {
		db, err := openPeer(name, dir, smallSettings[name])
		if err != nil {
			t.Fatalf("seed %d: open: %v", seed, err)
		}
		return db
	}
	db := open()
	defer func() { db.Close() }()
	m := sortedModel{}
	key := func() string {
		switch r.IntN(20) {
		case 0:
			return "" // the empty key
		case 1:
			return fmt.Sprintf("key/%06d\x00\xff", r.IntN(3000))
		}
		return fmt.Sprintf("key/%06d", r.IntN(3000))
	}
	value := func() string {
		if r.IntN(10) == 0 {
			return ""
		}
		return string(bytes.Repeat([]byte{byte('a' + r.IntN(26))}, r.IntN(600)))
	}
	for i := 0; i < ops; i++ {
		ctx := fmt.Sprintf("%s seed %d op %d", name, seed, i)
		switch op := r.IntN(100); {
		case op < 40:
			k, v := key(), value()
			if err := db.Put([]byte(k), []byte(v)); err != nil {
				t.Fatalf("%s: Put: %v", ctx, err)
			}
			m[k] = v
		case op < 50:
			k := key()
			if err := db.Delete([]byte(k)); err != nil {
				t.Fatalf("%s: Delete: %v", ctx, err)
			}
			delete(m, k)
		case op < 60:
			var b kv.Batch
			for n := r.IntN(40); n >= 0; n-- {
				if k := key(); r.IntN(4) == 0 {
					b.Delete([]byte(k))
				} else {
					b.Put([]byte(k), []byte(value()))
				}
			}
			if err := db.Write(&b, kv.WriteOptions{Sync: r.IntN(20) == 0}); err != nil {
				t.Fatalf("%s: Write: %v", ctx, err)
			}
			for rd := b.Reader(); ; {
				kind, k, v, ok := rd.Next()
				if !ok {
					break
				}
				if kind == kv.OpSet {
					m[string(k)] = string(v)
				} else {
					delete(m, string(k))
				}
			}
		case op < 85:
			k := key()
			got, err := db.Get([]byte(k))
			want, ok := m[k]
			if !ok {
				if !errors.Is(err, kv.ErrNotFound) {
					t.Fatalf("%s: Get(%q) = %.20q, %v; want ErrNotFound", ctx, k, got, err)
				}
			} else if err != nil || got == nil || string(got) != want {
				t.Fatalf("%s: Get(%q) = %.20q (nil %v), %v; want %.20q", ctx, k, got, got == nil, err, want)
			}
		case op < 97:
			checkIterator(t, db, m, r, ctx)
		case op < 98:
			if err := db.Sync(); err != nil {
				t.Fatalf("%s: Sync: %v", ctx, err)
			}
		default:
			if err := db.Close(); err != nil {
				t.Fatalf("%s: Close: %v", ctx, err)
			}
			db = open()
		}
	}
	checkAll(t, db, m, fmt.Sprintf("%s seed %d at the end", name, seed))
}

// checkIterator opens an iterator with random bounds and walks it at random
// (seeks, steps both ways, runs off the ends) beside the model.
func checkIterator(t *testing.T, db kv.Engine, m sortedModel, r *rand.Rand, ctx string) {
	t.Helper()
	all := m.keys(kv.IterOptions{})
	bound := func() []byte {
		switch r.IntN(4) {
		case 0:
			return nil
		case 1:
			return []byte(fmt.Sprintf("key/%06d", r.IntN(3000)))
		}
		if len(all) == 0 {
			return nil
		}
		return []byte(all[r.IntN(len(all))])
	}
	o := kv.IterOptions{LowerBound: bound(), UpperBound: bound()}
	keys := m.keys(o)
	it, err := db.NewIterator(o)
	if err != nil {
		t.Fatalf("%s: NewIterator: %v", ctx, err)
	}
	defer it.Close()
	ctx = fmt.Sprintf("%s bounds [%q, %q)", ctx, o.LowerBound, o.UpperBound)
	pos := -1
	exhausted := true // unpositioned or off an end
	check := func(op string, ok bool) {
		t.Helper()
		want := pos >= 0 && pos < len(keys)
		if err := it.Err(); err != nil {
			t.Fatalf("%s: %s: %v", ctx, op, err)
		}
		if ok != want || it.Valid() != want {
			t.Fatalf("%s: %s = %v (Valid %v, key %q), want valid %v (pos %d of %d)", ctx, op, ok, it.Valid(), it.Key(), want, pos, len(keys))
		}
		exhausted = !want
		if !want {
			return
		}
		if k := string(it.Key()); k != keys[pos] {
			t.Fatalf("%s: %s at %q, want %q", ctx, op, k, keys[pos])
		}
		if v := it.Value(); v == nil || string(v) != m[keys[pos]] {
			t.Fatalf("%s: %s: value of %q = %.20q (nil %v), want %.20q", ctx, op, keys[pos], v, v == nil, m[keys[pos]])
		}
	}
	target := func() string {
		if len(all) > 0 && r.IntN(2) == 0 {
			k := all[r.IntN(len(all))]
			if r.IntN(3) == 0 {
				k += "\x00"
			}
			return k
		}
		return fmt.Sprintf("key/%06d", r.IntN(3100))
	}
	for step := 0; step < 30; step++ {
		switch op := r.IntN(12); {
		case op == 0:
			pos = 0
			check("First", it.First())
		case op == 1:
			pos = len(keys) - 1
			check("Last", it.Last())
		case op < 4:
			k := target()
			pos = sort.SearchStrings(keys, k)
			check(fmt.Sprintf("SeekGE(%q)", k), it.SeekGE([]byte(k)))
		case op < 6:
			k := target()
			pos = sort.SearchStrings(keys, k) - 1
			check(fmt.Sprintf("SeekLT(%q)", k), it.SeekLT([]byte(k)))
		case op < 9:
			if exhausted {
				if it.Next() || it.Valid() {
					t.Fatalf("%s: Next moved an exhausted iterator", ctx)
				}
				continue
			}
			pos++
			check("Next", it.Next())
		default:
			if exhausted {
				if it.Prev() || it.Valid() {
					t.Fatalf("%s: Prev moved an exhausted iterator", ctx)
				}
				continue
			}
			pos--
			check("Prev", it.Prev())
		}
	}
	if err := it.Close(); err != nil {
		t.Fatalf("%s: Close: %v", ctx, err)
	}
}

// checkAll compares a full scan, both ways, and a Get of every key with
// the model.
func checkAll(t *testing.T, db kv.Engine, m sortedModel, ctx string) {
	t.Helper()
	want := m.keys(kv.IterOptions{})
	it, err := db.NewIterator(kv.IterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	var fwd, rev []string
	for ok := it.First(); ok; ok = it.Next() {
		fwd = append(fwd, string(it.Key()))
		if string(it.Value()) != m[string(it.Key())] {
			t.Fatalf("%s: scan: value of %q = %.20q, want %.20q", ctx, it.Key(), it.Value(), m[string(it.Key())])
		}
	}
	for ok := it.Last(); ok; ok = it.Prev() {
		rev = append(rev, string(it.Key()))
	}
	slices.Reverse(rev)
	if !slices.Equal(fwd, want) || !slices.Equal(rev, want) {
		t.Fatalf("%s: scan found %d keys forward, %d backward; the model has %d", ctx, len(fwd), len(rev), len(want))
	}
	for _, k := range want {
		got, err := db.Get([]byte(k))
		if err != nil || string(got) != m[k] {
			t.Fatalf("%s: Get(%q) = %.20q, %v; want %.20q", ctx, k, got, err, m[k])
		}
	}
}
