package btree

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"
)

// fillPage is a pool read function writing pg's number into every byte.
func fillPage(pg pgid) func([]byte) error {
	return func(b []byte) error {
		for i := range b {
			b[i] = byte(pg)
		}
		return nil
	}
}

// TestPoolPinsAndEviction drives a small pool at random against a model of
// pinned pages: a pinned page's bytes never change (however many loads,
// evictions and removals happen meanwhile), the pool never holds more
// frames than its capacity, and a load with every frame pinned is served
// from a private buffer.
func TestPoolPinsAndEviction(t *testing.T) {
	const ps, capacity = 64, 8
	seed := rand.Uint64()
	r := rand.New(rand.NewPCG(seed, 1))
	p, err := newPool(capacity, ps)
	if err != nil {
		t.Fatal(err)
	}
	defer p.close()
	var held []struct {
		pg pgid
		pp page
	}
	for op := 0; op < 20000; op++ {
		ctx := fmt.Sprintf("seed %d op %d", seed, op)
		pg := pgid(1 + r.IntN(20))
		switch r.IntN(4) {
		case 0, 1: // read, keeping it pinned for a while
			pp, ok := p.get(pg)
			if !ok {
				if pp, err = p.load(pg, fillPage(pg)); err != nil {
					t.Fatal(err)
				}
			}
			if pp.n == nil && !bytes.Equal(pp.v, bytes.Repeat([]byte{byte(pg)}, ps)) {
				t.Fatalf("%s: page %d reads wrong bytes", ctx, pg)
			}
			held = append(held, struct {
				pg pgid
				pp page
			}{pg, pp})
		case 2: // release one
			if len(held) > 0 {
				i := r.IntN(len(held))
				h := held[i]
				if h.pp.n == nil && !bytes.Equal(h.pp.v, bytes.Repeat([]byte{byte(h.pg)}, ps)) {
					t.Fatalf("%s: pinned page %d changed under its reader", ctx, h.pg)
				}
				p.release(h.pp)
				held = append(held[:i], held[i+1:]...)
			}
		case 3: // the writer replaces or frees a page
			if r.IntN(2) == 0 {
				p.remove(pg)
			} else {
				n := &node{pgno: pg, leaf: true, size: pageHeaderSize}
				p.addDirty(n)
				img := make([]byte, ps)
				_ = fillPage(pg)(img)
				p.markClean(n, img)
			}
		}
		frames := 0
		for _, s := range p.table {
			if s.n == nil {
				frames++
			}
		}
		if frames > capacity {
			t.Fatalf("%s: %d frames cached, capacity %d", ctx, frames, capacity)
		}
	}
	if p.spills.Load() == 0 {
		t.Fatalf("seed %d: no load found every frame pinned; the test lost its point", seed)
	}
	for _, h := range held {
		p.release(h.pp)
	}
	for i := range p.frames {
		if n := p.frames[i].pins.Load(); n != 0 {
			t.Fatalf("seed %d: frame %d left with %d pins", seed, i, n)
		}
	}
}
