package stress

import (
	"os"
	"path/filepath"
	"testing"
)

func TestKeysAndValues(t *testing.T) {
	for _, i := range []int{0, 1, 4, 5, 99, 12345678} {
		if j, ok := indexOf(keyOf(i)); !ok || j != i {
			t.Errorf("indexOf(keyOf(%d)) = %d, %v", i, j, ok)
		}
		if i > 0 && string(keyOf(i-1)) >= string(keyOf(i)) {
			t.Errorf("keyOf(%d) >= keyOf(%d)", i-1, i)
		}
	}
	for _, k := range []string{"", "k1", "k0000000a", "k00000001", "x00000001", "k00000001xx"} {
		if _, ok := indexOf([]byte(k)); ok {
			t.Errorf("indexOf(%q) accepted", k)
		}
	}
	v := encodeValue(42, 7, 99, 100)
	st, err := decodeValue(42, v)
	if err != nil || st != (stamp{42, 7, 99}) {
		t.Fatalf("decode = %+v, %v", st, err)
	}
	if _, err := decodeValue(43, v); err == nil {
		t.Error("value of key 42 accepted for key 43")
	}
	for i := range v {
		w := append([]byte(nil), v...)
		w[i] ^= 1
		if _, err := decodeValue(42, w); err == nil {
			t.Fatalf("flipped byte %d accepted", i)
		}
	}
	if _, err := decodeValue(42, v[:len(v)-1]); err == nil {
		t.Error("truncated value accepted")
	}
}

func TestExpectedStateFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), stateFile)
	e, err := createExpected(path, 10, 3)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := e.begin(4, false, 1); err != nil || v != 1 {
		t.Fatalf("begin = %d, %v", v, err)
	}
	e.ack(4, false)
	e.begin(4, true, 2)
	e.ack(4, true)
	e.begin(7, false, 1)
	if err := e.syncedThrough(1, 2); err != nil {
		t.Fatal(err)
	}
	e.close()
	f, err := openExpected(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.close()
	if got, want := f.ks[4], (keyState{pending: 2, pendingSeq: 2, pendingDel: true, acked: 2, ackedSeq: 2, lastDel: 2, synced: 2}); got != want {
		t.Errorf("key 4: %+v, want %+v", got, want)
	}
	if got, want := f.ks[7], (keyState{pending: 1, pendingSeq: 1}); got != want {
		t.Errorf("key 7: %+v, want %+v", got, want)
	}
	if got, want := f.ts[1], (threadState{synced: 2, seqBase: 1}); got != want {
		t.Errorf("thread 1: %+v, want %+v", got, want)
	}

	data, _ := os.ReadFile(path)
	data[int(f.keyOffset(4))+3] ^= 0xff
	os.WriteFile(path, data, 0o644)
	if _, err := openExpected(path); err == nil {
		t.Error("a damaged record was accepted")
	}
}
