package lsm

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/vfs"
)

// TestSnapshotRepeatableReads takes snapshots between rounds of overwrites
// and deletes that flushes and compactions push down the levels, and
// checks that each snapshot keeps returning exactly the state it saw.
func TestSnapshotRepeatableReads(t *testing.T) {
	seed := testSeed(t)
	rng := rand.New(rand.NewPCG(seed, 1))
	db := mustOpen(t, vfs.NewMem(), "/db", tinyOptions())
	defer db.Close()
	type snap struct {
		s *Snapshot
		m model
	}
	var snaps []snap
	m := model{}
	for round := 0; round < 8; round++ {
		for i := 0; i < 400; i++ {
			k := fmt.Sprintf("k%04d", rng.IntN(500))
			if rng.IntN(4) == 0 {
				if err := db.Delete([]byte(k)); err != nil {
					t.Fatal(err)
				}
				delete(m, k)
			} else {
				v := fmt.Sprintf("%s-r%d-%s", k, round, value(rng, 100))
				if err := db.Put([]byte(k), []byte(v)); err != nil {
					t.Fatal(err)
				}
				m[k] = v
			}
		}
		s, err := db.Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		c := model{}
		for k, v := range m {
			c[k] = v
		}
		snaps = append(snaps, snap{s, c})
	}
	waitIdle(t, db)
	if db.Stats().LSM.Compactions == 0 {
		t.Fatalf("seed %d: no compaction ran", seed)
	}
	for i, sn := range snaps {
		verify(t, seed, snapshotEngine{sn.s}, sn.m)
		if i%2 == 0 {
			sn.s.Close()
		}
	}
	// Compact again with half the snapshots gone; the rest still hold.
	for i := 0; i < 2000; i++ {
		k := fmt.Sprintf("k%04d", rng.IntN(500))
		if err := db.Put([]byte(k), value(rng, 100)); err != nil {
			t.Fatal(err)
		}
	}
	waitIdle(t, db)
	for i, sn := range snaps {
		if i%2 == 1 {
			verify(t, seed, snapshotEngine{sn.s}, sn.m)
			sn.s.Close()
		}
	}
	if err := snaps[0].s.Close(); !errors.Is(err, kv.ErrClosed) {
		t.Fatalf("second Close of a snapshot: %v, want ErrClosed", err)
	}
	if _, err := snaps[0].s.Get([]byte("k0001")); !errors.Is(err, kv.ErrClosed) {
		t.Fatalf("Get on a closed snapshot: %v, want ErrClosed", err)
	}
	check(t, seed, db)
}

// snapshotEngine lets verify read through a Snapshot.
type snapshotEngine struct{ s *Snapshot }

func (e snapshotEngine) Get(k []byte) ([]byte, error) { return e.s.Get(k) }
func (e snapshotEngine) NewIterator(o kv.IterOptions) (kv.Iterator, error) {
	return e.s.NewIterator(o)
}
func (snapshotEngine) Put(k, v []byte) error                  { return errors.ErrUnsupported }
func (snapshotEngine) Delete(k []byte) error                  { return errors.ErrUnsupported }
func (snapshotEngine) Write(*kv.Batch, kv.WriteOptions) error { return errors.ErrUnsupported }
func (snapshotEngine) Sync() error                            { return nil }
func (snapshotEngine) Stats() kv.Stats                        { return kv.Stats{} }
func (snapshotEngine) Close() error                           { return nil }
