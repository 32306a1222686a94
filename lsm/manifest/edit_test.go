package manifest

import (
	"encoding/binary"
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/kvlab/kvlab/kv"
)

func TestEditRoundTrip(t *testing.T) {
	r, seed := newRand(t)
	cases := []*VersionEdit{
		{},
		{Comparator: Comparator, LogNum: 0, HasLogNum: true, NextFileNum: 2, HasNextFileNum: true, LastSeq: 0, HasLastSeq: true},
		{Deleted: []DeletedTable{{Level: 6, FileNum: 1 << 63}}},
		{Added: []NewTable{{Level: 0, Meta: table(7, "", "", 0, 0)}}},
	}
	for range 2000 {
		cases = append(cases, randomEdit(r))
	}
	for i, e := range cases {
		enc := e.Encode(nil)
		var got VersionEdit
		if err := got.Decode(enc); err != nil {
			t.Fatalf("seed %d case %d: decode: %v", seed, i, err)
		}
		if !reflect.DeepEqual(&got, e) {
			t.Fatalf("seed %d case %d: round trip\n got %+v\nwant %+v", seed, i, &got, e)
		}
		// Encode appends.
		if pre := e.Encode([]byte("xy")); string(pre[:2]) != "xy" || string(pre[2:]) != string(enc) {
			t.Fatalf("seed %d case %d: Encode does not append", seed, i)
		}
	}
}

func TestEditDecodeTruncatedIsCorruption(t *testing.T) {
	r, seed := newRand(t)
	for range 200 {
		e := randomEdit(r)
		enc := e.Encode(nil)
		for n := range len(enc) {
			var got VersionEdit
			err := got.Decode(enc[:n])
			if err == nil {
				// A cut at a field boundary is a valid shorter edit, which
				// must then be a prefix of the original's fields.
				if !reflect.DeepEqual(got.Encode(nil), enc[:n]) {
					t.Fatalf("seed %d: prefix %d decoded to a different edit", seed, n)
				}
				continue
			}
			if !errors.Is(err, kv.ErrCorruption) {
				t.Fatalf("seed %d: prefix %d: error %v does not wrap ErrCorruption", seed, n, err)
			}
		}
	}
}

func TestEditDecodeRejects(t *testing.T) {
	uv := func(vs ...uint64) []byte {
		var b []byte
		for _, v := range vs {
			b = binary.AppendUvarint(b, v)
		}
		return b
	}
	hdr := uv(tagFormatVersion, FormatVersion)
	good := (&VersionEdit{Added: []NewTable{{Level: 1, Meta: table(9, "a", "b", 1, 2)}}}).Encode(nil)
	cases := map[string][]byte{
		"empty":              nil,
		"no version first":   uv(tagLogNum, 1),
		"unknown tag":        append(append([]byte{}, hdr...), uv(99, 1)...),
		"tag zero":           append(append([]byte{}, hdr...), 0),
		"repeated log num":   append(append([]byte{}, hdr...), uv(tagLogNum, 1, tagLogNum, 2)...),
		"repeated version":   append(append([]byte{}, hdr...), uv(tagFormatVersion, 1)...),
		"level out of range": append(append([]byte{}, hdr...), uv(tagDeletedTable, NumLevels, 5)...),
		"huge key length":    append(append([]byte{}, hdr...), uv(tagNewTable, 1, 5, 100, 1<<40)...),
		"empty comparator":   append(append([]byte{}, hdr...), uv(tagComparator, 0)...),
		"seq over 56 bits":   append(append([]byte{}, hdr...), uv(tagLastSeq, 1<<56)...),
		"varint overflow":    append(append([]byte{}, hdr...), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01),
		"short internal key": append(append([]byte{}, hdr...), uv(tagNewTable, 1, 5, 100, 3, 'a', 'b', 'c', 3, 'a', 'b', 'c', 0, 0, 0)...),
	}
	// A table whose smallest key sorts after its largest.
	bad := table(9, "b", "a", 1, 2)
	cases["inverted table"] = (&VersionEdit{Added: []NewTable{{Level: 1, Meta: bad}}}).Encode(nil)
	// Seq bounds inverted.
	bad = table(9, "a", "b", 1, 2)
	bad.SmallestSeq, bad.LargestSeq = 5, 4
	cases["inverted seqs"] = (&VersionEdit{Added: []NewTable{{Level: 1, Meta: bad}}}).Encode(nil)
	// An unknown kind in a boundary key.
	bad = table(9, "a", "b", 1, 2)
	bad.Largest[len(bad.Largest)-8] = 0x7f
	cases["unknown kind"] = (&VersionEdit{Added: []NewTable{{Level: 1, Meta: bad}}}).Encode(nil)
	cases["trailing garbage"] = append(append([]byte{}, good...), 0x80)

	for name, src := range cases {
		e := VersionEdit{LogNum: 5, HasLogNum: true}
		err := e.Decode(src)
		if !errors.Is(err, kv.ErrCorruption) {
			t.Errorf("%s: got %v, want corruption", name, err)
		}
		if !reflect.DeepEqual(e, VersionEdit{}) {
			t.Errorf("%s: failed Decode left %+v", name, e)
		}
	}
}

func TestEditDecodeOtherVersionIsIncompatible(t *testing.T) {
	for _, v := range []uint64{0, FormatVersion + 1, 1 << 40} {
		src := binary.AppendUvarint(binary.AppendUvarint(nil, tagFormatVersion), v)
		var e VersionEdit
		err := e.Decode(src)
		if !errors.Is(err, ErrIncompatible) || errors.Is(err, kv.ErrCorruption) {
			t.Errorf("version %d: got %v, want ErrIncompatible only", v, err)
		}
	}
}

func TestEditDecodeDoesNotAlias(t *testing.T) {
	e := &VersionEdit{Added: []NewTable{{Level: 2, Meta: table(3, "a", "z", 1, 9)}}}
	enc := e.Encode(nil)
	var got VersionEdit
	if err := got.Decode(enc); err != nil {
		t.Fatal(err)
	}
	for i := range enc {
		enc[i] = 0xee
	}
	if !reflect.DeepEqual(&got, e) {
		t.Fatal("decoded edit changed with its source buffer")
	}
}

// TestSpecExample checks the example in docs/format/manifest.md.
func TestSpecExample(t *testing.T) {
	e := &VersionEdit{Comparator: Comparator, LogNum: 2, HasLogNum: true, NextFileNum: 3, HasNextFileNum: true, HasLastSeq: true}
	want := "0101" + "020e6b766c61622e6279746577697365" + "0302" + "0403" + "0500"
	if got := fmt.Sprintf("%x", e.Encode(nil)); got != want {
		t.Fatalf("encoding %s, spec says %s", got, want)
	}
}
