package kvtest

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/vfs"
)

const absent = "\x00<absent>"

// outcomes tracks, per key, every value a correct engine may return: the
// acknowledged one, plus those of failed writes, which may or may not have
// taken effect.
type outcomes map[string][]string

// acknowledged records a write that succeeded: its values are now the only ones.
func (o outcomes) acknowledged(b *kv.Batch) {
	r := b.Reader()
	for kind, k, v, ok := r.Next(); ok; kind, k, v, ok = r.Next() {
		switch kind {
		case kv.OpSet:
			o[string(k)] = []string{string(v)}
		case kv.OpDelete:
			o[string(k)] = []string{absent}
		case kv.OpDeleteRange:
			for key := range o {
				if key >= string(k) && key < string(v) {
					o[key] = []string{absent}
				}
			}
		}
	}
}

// failed records a write that returned an error: its values become possible.
func (o outcomes) failed(b *kv.Batch) {
	r := b.Reader()
	possible := func(key, val string) {
		if len(o[key]) == 0 {
			o[key] = []string{absent}
		}
		if !slices.Contains(o[key], val) {
			o[key] = append(o[key], val)
		}
	}
	for kind, k, v, ok := r.Next(); ok; kind, k, v, ok = r.Next() {
		switch kind {
		case kv.OpSet:
			possible(string(k), string(v))
		case kv.OpDelete:
			possible(string(k), absent)
		case kv.OpDeleteRange:
			for key := range o {
				if key >= string(k) && key < string(v) {
					possible(key, absent)
				}
			}
		}
	}
}

func (o outcomes) check(db kv.Engine, ctx string) error {
	for k, allowed := range o {
		v, err := db.Get([]byte(k))
		got := string(v)
		if errors.Is(err, kv.ErrNotFound) {
			got = absent
		} else if err != nil {
			return fmt.Errorf("%s: Get(%q): %v", ctx, k, err)
		}
		if !slices.Contains(allowed, got) {
			return fmt.Errorf("%s: Get(%q) = %.30q, want one of %.30q", ctx, k, got, allowed)
		}
	}
	return nil
}

// testFault injects I/O errors and short writes while writing with Sync: a
// write the engine could not make durable must return an error, no later
// read may return wrong data, and after the fault clears and the machine
// crashes, every acknowledged write is still there.
func (s *suite) testFault(t *testing.T) {
	cases := []struct {
		name  string
		fault vfs.Fault
	}{
		{"write-error", vfs.Fault{Ops: vfs.OpWrite, Persist: true}},
		{"short-write", vfs.Fault{Ops: vfs.OpWrite, Partial: true, Persist: true}},
		{"sync-error", vfs.Fault{Ops: vfs.OpSync, Persist: true}},
		{"create-error", vfs.Fault{Ops: vfs.OpCreate | vfs.OpRename | vfs.OpSyncDir, Persist: true}},
		{"one-write-error", vfs.Fault{Ops: vfs.OpWrite}},
		{"one-sync-error", vfs.Fault{Ops: vfs.OpSync}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for trial := 0; trial < budget(8); trial++ {
				r, seed := newRand(t)
				s.faultTrial(t, r, fmt.Sprintf("%s seed %d", c.name, seed), c.fault)
			}
		})
	}
}

func (s *suite) faultTrial(t *testing.T, r *rand.Rand, ctx string, fault vfs.Fault) {
	t.Helper()
	const dir = "/db"
	mem := vfs.NewMem()
	if err := mem.MkdirAll(dir); err != nil {
		t.Fatal(err)
	}
	ffs := vfs.NewFaultFS(mem)
	db, err := s.open(ffs, dir)
	if err != nil {
		t.Fatalf("%s: open: %v", ctx, err)
	}
	defer func() { db.Close() }()
	g := keyGen{r: r, space: 60}
	o := outcomes{}
	write := func(i int) error {
		var b kv.Batch
		for j := r.IntN(3); j >= 0; j-- {
			if r.IntN(6) == 0 {
				b.Delete([]byte(g.key()))
			} else {
				b.Put([]byte(g.key()), []byte(fmt.Sprintf("i%d.%s", i, randValue(r))))
			}
		}
		err := db.Write(&b, kv.WriteOptions{Sync: true})
		if err == nil {
			o.acknowledged(&b)
		} else {
			o.failed(&b)
		}
		return err
	}
	for i := 0; i < 20+r.IntN(200); i++ {
		if err := write(i); err != nil {
			t.Fatalf("%s: write %d before any fault: %v", ctx, i, err)
		}
	}
	fault.After = r.IntN(20)
	ffs.Inject(fault)
	failedAt := -1
	for i := 0; i < 300; i++ {
		err := write(1000 + i)
		if err != nil && failedAt < 0 {
			failedAt = i
		}
		if err == nil && failedAt >= 0 && fault.Persist && fault.Ops&(vfs.OpWrite|vfs.OpSync) != 0 {
			t.Fatalf("%s: a synced write was acknowledged after a persistent %v fault made an earlier one fail", ctx, fault.Ops)
		}
		if i%50 == 0 {
			if err := o.check(db, ctx+" during faults"); err != nil {
				t.Fatal(err)
			}
		}
	}
	if fault.Persist && fault.Ops&(vfs.OpWrite|vfs.OpSync) != 0 && ffs.Fired() > 0 && failedAt < 0 {
		t.Fatalf("%s: %d injected faults fired but no synced write returned an error", ctx, ffs.Fired())
	}
	if err := o.check(db, ctx+" after faults"); err != nil {
		t.Fatal(err)
	}
	ffs.Clear()
	db.Close()
	crashed := mem.CrashClone(vfs.CrashOptions{})
	if db, err = s.open(crashed, dir); err != nil {
		t.Fatalf("%s: reopen after faults and a crash: %v", ctx, err)
	}
	if err := o.check(db, ctx+" after reopen"); err != nil {
		t.Fatal(err)
	}
	// The store is writable again.
	if err := write(5000); err != nil {
		t.Fatalf("%s: write after reopen: %v", ctx, err)
	}
	if err := o.check(db, ctx+" after a new write"); err != nil {
		t.Fatal(err)
	}
}
