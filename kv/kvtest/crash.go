package kvtest

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/vfs"
)

// testCrash writes at random, crashes at a random point (a vfs.MemFS crash
// clone, with or without a random part of the unsynced data), reopens and
// checks that the store holds exactly the state after some prefix of the
// acknowledged writes, a prefix that includes every write acknowledged as
// synced. That one check says: synced writes survive, nothing deleted comes
// back, nothing is invented, and no batch is half applied. Each trial
// crashes several times in a row, so recovery is recovered from too.
func (s *suite) testCrash(t *testing.T) {
	for trial := 0; trial < budget(16); trial++ {
		r, seed := newRand(t)
		if !s.crashTrial(t, r, seed) {
			return
		}
	}
}

func (s *suite) crashTrial(t *testing.T, r *rand.Rand, seed uint64) bool {
	t.Helper()
	const dir = "/db"
	fs := vfs.NewMem()
	if err := fs.MkdirAll(dir); err != nil {
		t.Fatal(err)
	}
	db, err := s.open(fs, dir)
	if err != nil {
		t.Fatalf("seed %d: open: %v", seed, err)
	}
	g := keyGen{r: r, space: 80}
	base := model{}
	for round := 0; round < 3; round++ {
		ctx := fmt.Sprintf("seed %d round %d", seed, round)
		states := []model{base}
		durable := 0
		// A snapshot may be open across the crash (pinning what it sees
		// must not change what recovery finds), and one taken mid-round
		// must read its moment until the crash.
		var snap *liveSnapshot
		for i, n := 0, 1+r.IntN(budget(400)); i < n; i++ {
			b := s.randomBatch(g, 6, func() string { return fmt.Sprintf("r%d.i%d.%s", round, i, randValue(r)) })
			sync := r.IntN(10) == 0
			if err := db.Write(b, kv.WriteOptions{Sync: sync}); err != nil {
				t.Fatalf("%s op %d: Write: %v", ctx, i, err)
			}
			next := states[len(states)-1].clone()
			next.apply(b)
			if sn, ok := db.(kv.Snapshotter); ok && snap == nil && r.IntN(100) == 0 {
				ss, err := sn.NewSnapshot()
				if err != nil {
					t.Fatalf("%s op %d: NewSnapshot: %v", ctx, i, err)
				}
				snap = &liveSnapshot{ss, next.clone(), i}
			}
			states = append(states, next)
			if sync {
				durable = len(states) - 1
			}
			if r.IntN(50) == 0 {
				if err := db.Sync(); err != nil {
					t.Fatalf("%s op %d: Sync: %v", ctx, i, err)
				}
				durable = len(states) - 1
			}
		}
		if snap != nil {
			checkDB(t, snap.snap, snap.want, nil, fmt.Sprintf("%s: snapshot taken at op %d, before the crash", ctx, snap.at))
		}
		var o vfs.CrashOptions
		if r.IntN(2) == 0 {
			o.Rand = r
		}
		crashed := fs.CrashClone(o)
		db.Close() // the "dead" process's handle; its FS is abandoned
		fs = crashed
		if db, err = s.open(fs, dir); err != nil {
			t.Fatalf("%s: open after crash: %v", ctx, err)
		}
		got, err := readAll(db)
		if err != nil {
			t.Fatalf("%s: scan after crash: %v", ctx, err)
		}
		if err := matchPrefix(states, durable, got); err != nil {
			db.Close()
			t.Fatalf("%s: %v", ctx, err)
		}
		checkDB(t, db, got, states[len(states)-1].sorted(kv.IterOptions{}), ctx+" after crash")
		base = got
	}
	if err := db.Close(); err != nil {
		t.Fatalf("seed %d: Close: %v", seed, err)
	}
	return !t.Failed()
}

// matchPrefix returns an error unless got equals one of states[durable:]:
// the state after some prefix of the writes that includes every write
// acknowledged as durable.
func matchPrefix(states []model, durable int, got model) error {
	for j := len(states) - 1; j >= durable; j-- {
		if states[j].equal(got) {
			return nil
		}
	}
	return fmt.Errorf("after the crash the store matches no state between the last synced write (%d) and the last write (%d).\nvs last synced state: %s\nvs last state: %s",
		durable, len(states)-1, states[durable].diff(got), states[len(states)-1].diff(got))
}
