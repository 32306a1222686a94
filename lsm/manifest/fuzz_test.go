package manifest

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/vfs"
)

// FuzzVersionEditDecode decodes arbitrary bytes as an edit. Decode must not
// panic, must fail only with corruption or ErrIncompatible, and an edit it
// accepts must re-encode to bytes that decode to the same edit
// (decode(encode(e)) == e). The seeds are encodings of random edits.
func FuzzVersionEditDecode(f *testing.F) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 16 {
		f.Add(randomEdit(r).Encode(nil))
	}
	f.Add([]byte{})
	f.Add([]byte{tagFormatVersion, FormatVersion, tagNewTable, 1, 2, 3})
	f.Fuzz(func(t *testing.T, data []byte) {
		var e VersionEdit
		err := e.Decode(data)
		if err != nil {
			if !errors.Is(err, kv.ErrCorruption) && !errors.Is(err, ErrIncompatible) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		enc := e.Encode(nil)
		var again VersionEdit
		if err := again.Decode(enc); err != nil {
			t.Fatalf("re-decode of %x: %v", enc, err)
		}
		if !reflect.DeepEqual(&again, &e) {
			t.Fatalf("round trip:\n got %+v\nwant %+v", &again, &e)
		}
		// Applying a decoded edit must not panic either.
		if _, err := (&Version{}).Apply(&e); err != nil && !errors.Is(err, kv.ErrCorruption) {
			t.Fatalf("Apply: unexpected error %v", err)
		}
	})
}

// FuzzLoad replays arbitrary edits: data is cut into records at 0xff 0xfe
// pairs, the records are written as a manifest after a valid snapshot, and
// Load must not panic, must fail only with corruption or ErrIncompatible,
// and any version it returns must pass CheckOrder.
func FuzzLoad(f *testing.F) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 8 {
		var seed []byte
		for range 3 {
			seed = append(seed, randomEdit(r).Encode(nil)...)
			seed = append(seed, 0xff, 0xfe)
		}
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fs := vfs.NewMem()
		fs.MkdirAll(testDir)
		recs := [][]byte{snapshotOf(&Version{}, 1, 2, 3).Encode(nil)}
		recs = append(recs, bytes.Split(data, []byte{0xff, 0xfe})...)
		writeRaw(t, fs, 1, recs...)
		st, err := Load(fs, testDir)
		if err != nil {
			if !errors.Is(err, kv.ErrCorruption) && !errors.Is(err, ErrIncompatible) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if err := st.Version.CheckOrder(); err != nil {
			t.Fatalf("loaded an invalid version: %v", err)
		}
	})
}
