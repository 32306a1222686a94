package memtable

import (
	"fmt"
	"testing"
)

// TestFilter checks that the filter never rules out a key it was given,
// and that its false-positive rate at the sizing it is built for (about 18
// bits per key) stays well under 1 %.
func TestFilter(t *testing.T) {
	const n = 100000
	f := newFilter(n * 150) // a memtable of n entries of 150 bytes
	for i := 0; i < n; i++ {
		f.add([]byte(fmt.Sprintf("key%08d", i)))
	}
	for i := 0; i < n; i++ {
		if !f.mayContain([]byte(fmt.Sprintf("key%08d", i))) {
			t.Fatalf("key %d was added but is ruled out", i)
		}
	}
	fp := 0
	for i := 0; i < n; i++ {
		if f.mayContain([]byte(fmt.Sprintf("absent%08d", i))) {
			fp++
		}
	}
	if rate := float64(fp) / n; rate > 0.01 {
		t.Fatalf("false-positive rate %.4f, want < 0.01", rate)
	} else {
		t.Logf("false-positive rate %.4f", rate)
	}
}
