package kvtest

import (
	"errors"
	"testing"

	"github.com/kvlab/kvlab/kv"
)

// ExactErrors declares that the engine speaks the contract's error
// vocabulary exactly (kv's package documentation, "Errors"): an absent
// key's error and every error after Close are the sentinels themselves,
// reading "kv: not found" and "kv: closed" from every engine, never with a
// package prefix glued on ("lsm: kv: not found").
func ExactErrors() Option { return func(c *config) { c.exactErrors = true } }

func (s *suite) testErrorVocabulary(t *testing.T) {
	db, _, _ := s.fresh(t)
	exact := func(op string, err, want error) {
		t.Helper()
		if !errors.Is(err, want) || err.Error() != want.Error() {
			t.Fatalf("%s: error %q, want exactly %q", op, err, want)
		}
	}
	_, err := db.Get([]byte("absent"))
	exact("Get of an absent key", err, kv.ErrNotFound)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	_, err = db.Get([]byte("a"))
	exact("Get after Close", err, kv.ErrClosed)
	exact("Put after Close", db.Put([]byte("a"), nil), kv.ErrClosed)
	exact("Delete after Close", db.Delete([]byte("a")), kv.ErrClosed)
	_, err = db.NewIterator(kv.IterOptions{})
	exact("NewIterator after Close", err, kv.ErrClosed)
	exact("Sync after Close", db.Sync(), kv.ErrClosed)
	exact("second Close", db.Close(), kv.ErrClosed)
}
