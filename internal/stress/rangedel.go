package stress

import (
	"errors"

	"github.com/kvlab/kvlab/kv"
)

// rangeDeletesOf reports whether the engine applies range deletes: it
// writes a batch holding one empty range, which deletes nothing, and
// checks that it is not refused with kv.ErrNotSupported.
func rangeDeletesOf(db kv.Engine) bool {
	var b kv.Batch
	b.DeleteRange(keyOf(0), keyOf(0))
	return !errors.Is(db.Write(&b, kv.WriteOptions{}), kv.ErrNotSupported)
}

// rangeDelete deletes, with one DeleteRange, a run of consecutive keys the
// worker owns: [keyOf(k), keyOf(k+n)). Each key keeps one writer, so the
// run is a single key when several workers share the key space (its
// neighbours belong to others) and up to 8 keys with one worker. The
// expected state records it as one deletion per key, like a batch of
// Deletes; one in ten is synced.
func (w *worker) rangeDelete() error {
	k := w.ownedKey()
	n := 1
	if w.r.cfg.Threads == 1 {
		n = min(1+w.rng.IntN(8), w.r.cfg.Keys-k)
	}
	keys := make([]int, n)
	dels := make([]bool, n)
	for i := range keys {
		keys[i], dels[i] = k+i, true
	}
	return w.writeOp(keys, dels, w.rng.IntN(10) == 0, false, true)
}
