package stress

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/kv/memory"
)

// staleEngine returns, for one Get in ten, the first value ever Put under
// the key instead of the current one.
type staleEngine struct {
	kv.Engine
	mu    sync.Mutex
	first map[string][]byte
	rng   *rand.Rand
}

func (e *staleEngine) Put(key, value []byte) error {
	e.mu.Lock()
	if _, ok := e.first[string(key)]; !ok {
		e.first[string(key)] = slices.Clone(value)
	}
	e.mu.Unlock()
	return e.Engine.Put(key, value)
}

func (e *staleEngine) Get(key []byte) ([]byte, error) {
	e.mu.Lock()
	old, ok := e.first[string(key)]
	stale := ok && e.rng.IntN(10) == 0
	e.mu.Unlock()
	if stale {
		return old, nil
	}
	return e.Engine.Get(key)
}

// dropSyncEngine acknowledges one synced Write in five without applying it.
type dropSyncEngine struct {
	kv.Engine
	mu sync.Mutex
	n  int
}

func (e *dropSyncEngine) Write(b *kv.Batch, o kv.WriteOptions) error {
	if o.Sync {
		e.mu.Lock()
		e.n++
		drop := e.n%5 == 0
		e.mu.Unlock()
		if drop {
			return nil
		}
	}
	return e.Engine.Write(b, o)
}

// TestVerifierCatchesInjectedFaults runs the workload on engines that lie:
// the run must report violations naming a key, what was expected and what
// was found.
func TestVerifierCatchesInjectedFaults(t *testing.T) {
	for name, wrap := range map[string]func(kv.Engine) kv.Engine{
		"stale value": func(e kv.Engine) kv.Engine {
			return &staleEngine{Engine: e, first: map[string][]byte{}, rng: rand.New(rand.NewPCG(1, 2))}
		},
		"dropped synced write": func(e kv.Engine) kv.Engine { return &dropSyncEngine{Engine: e} },
	} {
		t.Run(name, func(t *testing.T) {
			cfg := testConfig(t, "btree", 7)
			cfg.Keys = 200 // few keys: they are read soon after being written
			cfg.Duration = 500e6
			cfg.wrap = wrap
			rep, err := Run(cfg)
			if err != nil {
				t.Fatal(err)
			}
			if rep.OK() {
				t.Fatalf("no violation found\n%s", cfg.Out)
			}
			v := rep.Violations[0]
			if v.Key == "" || v.Expected == "" || v.Found == "" {
				t.Fatalf("incomplete violation %+v", v)
			}
			if !bytes.Contains(cfg.Out.(*bytes.Buffer).Bytes(), []byte("violation: ")) {
				t.Fatalf("violations not printed:\n%s", cfg.Out)
			}
			t.Logf("%d violations, first: %s", len(rep.Violations), v)
		})
	}
}

// TestCrashWindow checks the verifier's rules after a crash on a store
// built by hand: each of ten writer threads owns keys t and t+10, set up
// as one scenario; the violations must fall on exactly the keys that
// break durability, the per-thread prefix or batch atomicity, or hold a
// value that no write could have left.
func TestCrashWindow(t *testing.T) {
	const threads = 10
	e := newExpected(2*threads, threads)
	db := memory.New()
	put := func(k int, version, seq uint64) {
		if err := db.Put(keyOf(k), encodeValue(k, version, seq, 10)); err != nil {
			t.Fatal(err)
		}
	}
	a := func(t int) int { return t }
	b := func(t int) int { return t + threads }

	// 0: an acknowledged, unsynced write lost: allowed.
	e.ks[a(0)] = keyState{pending: 2, acked: 2, ackedSeq: 5, synced: 1}
	put(a(0), 1, 3)
	// 1: a write acknowledged with Sync lost.
	e.ks[a(1)] = keyState{pending: 2, acked: 2, ackedSeq: 5, synced: 2}
	put(a(1), 1, 3)
	// 2: a write covered by a later Sync lost.
	e.ks[a(2)] = keyState{pending: 2, acked: 2, ackedSeq: 5, synced: 1}
	e.ts[2].synced = 5
	put(a(2), 1, 3)
	// 3: a later write of the thread survived, an earlier one did not.
	e.ks[a(3)] = keyState{pending: 2, acked: 2, ackedSeq: 5, synced: 1}
	e.ks[b(3)] = keyState{pending: 1, acked: 1, ackedSeq: 6}
	put(a(3), 1, 3)
	put(b(3), 1, 6)
	// 4: half of a batch in flight survived (its delete of b did not).
	e.ks[a(4)] = keyState{pending: 1, pendingSeq: 7}
	e.ks[b(4)] = keyState{pending: 1, pendingSeq: 7, pendingDel: true}
	put(a(4), 1, 7)
	put(b(4), 1, 2)
	// 5: a write in flight survived; a synced delete held: allowed.
	e.ks[a(5)] = keyState{pending: 3, pendingSeq: 9, acked: 2, ackedSeq: 8, synced: 2}
	e.ks[b(5)] = keyState{pending: 1, acked: 1, ackedSeq: 4, lastDel: 1, synced: 1}
	put(a(5), 3, 9)
	// 6: a version never issued; an undecodable value.
	e.ks[a(6)] = keyState{pending: 2, acked: 2, ackedSeq: 5}
	put(a(6), 3, 5)
	e.ks[b(6)] = keyState{pending: 1, acked: 1, ackedSeq: 4}
	db.Put(keyOf(b(6)), []byte("garbage"))
	// 7: the acknowledged version from the wrong operation; another key's value.
	e.ks[a(7)] = keyState{pending: 2, acked: 2, ackedSeq: 5}
	put(a(7), 2, 4)
	e.ks[b(7)] = keyState{pending: 1, acked: 1, ackedSeq: 6}
	db.Put(keyOf(b(7)), encodeValue(a(7), 1, 6, 0))
	// 8: a synced deletion undone.
	e.ks[a(8)] = keyState{pending: 2, acked: 2, ackedSeq: 5, lastDel: 2, synced: 2}
	put(a(8), 1, 3)
	// 9: never written, absent: allowed.

	s := &sink{}
	_, err := verifyStore(db, e, false, 1, s)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, vi := range s.list() {
		got = append(got, vi.Key)
	}
	want := []string{string(keyOf(a(1))), string(keyOf(a(2))), string(keyOf(a(3))), string(keyOf(b(4))),
		string(keyOf(a(6))), string(keyOf(b(6))), string(keyOf(a(7))), string(keyOf(b(7))), string(keyOf(a(8)))}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		for _, vi := range s.list() {
			t.Log(vi)
		}
		t.Fatalf("violations on keys\n%v\nwant\n%v", got, want)
	}

	// A clean reopen allows exactly the acknowledged versions: key 0's lost
	// unsynced write is now a violation.
	s = &sink{}
	if _, err := verifyStore(db, e, true, 0, s); err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(s.list(), func(vi Violation) bool { return vi.Key == string(keyOf(a(0))) }) {
		t.Fatalf("clean verification missed key %s", keyOf(a(0)))
	}
}
