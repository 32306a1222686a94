package sstable

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"strings"
	"testing"

	"github.com/kvlab/kvlab/internal/base"
	"github.com/kvlab/kvlab/kv"
)

// smallTable returns a small table with several data blocks, some of them
// compressed, a filter, and its model.
func smallTable(t *testing.T) ([]byte, []kvEntry) {
	var es []kvEntry
	for i := range 24 {
		uk := []byte{'k', byte('a' + i%13), byte('0' + i)}
		v := bytes.Repeat([]byte{byte(i)}, i%3*10) // empty, or compressible runs
		if i >= 12 {                               // incompressible: these blocks are stored as is
			v = make([]byte, 40)
			for j := range v {
				v[j] = byte((i*131 + j*j*197 + j*61) % 251)
			}
		}
		kind := base.KindSet
		if i%7 == 3 {
			kind, v = base.KindDelete, nil
		}
		es = append(es, kvEntry{base.MakeInternalKey(uk, base.SeqNum(100+i), kind), v})
	}
	sortEntries(es)
	f, _ := buildTable(t, es, WriterOptions{BlockSize: 96, RestartInterval: 2, BloomBitsPerKey: 10})
	return f.data, es
}

// readAll opens data and reads everything a user can: a forward scan, a
// reverse scan and a Get of every user key. It returns the first error, or
// the scan and the Get results.
func readAll(data []byte, opts ReaderOptions, es []kvEntry) (fwd, rev, gets []kvEntry, err error) {
	rd, err := Open(&bytesFile{data: data}, "test.sst", 7, opts)
	if err != nil {
		return nil, nil, nil, err
	}
	defer rd.Close()
	it := rd.NewIter(nil, nil)
	fwd = scan(it)
	if err := it.Close(); err != nil {
		return nil, nil, nil, err
	}
	it = rd.NewIter(nil, nil)
	for ok := it.Last(); ok; ok = it.Prev() {
		rev = append(rev, kvEntry{bytes.Clone(it.Key()), bytes.Clone(it.Value())})
	}
	if err := it.Close(); err != nil {
		return nil, nil, nil, err
	}
	for _, e := range es {
		v, kind, found, err := rd.Get(base.UserKey(e.ikey), base.Seq(e.ikey))
		if err != nil {
			return nil, nil, nil, err
		}
		if found {
			gets = append(gets, kvEntry{base.MakeInternalKey(base.UserKey(e.ikey), base.Seq(e.ikey), kind), v})
		}
	}
	return fwd, rev, gets, nil
}

func sameEntries(a, b []kvEntry) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !equalEntry(a[i], b[i]) {
			return false
		}
	}
	return true
}

// TestEverySingleByteChange flips every byte of a small table, two ways,
// and checks that reading it either fails with ErrCorruption or returns
// exactly the original data — never other data, never a panic.
func TestEverySingleByteChange(t *testing.T) {
	data, es := smallTable(t)
	wantFwd, wantRev, wantGets, err := readAll(data, ReaderOptions{}, es)
	if err != nil || !sameEntries(wantFwd, es) || len(wantGets) != len(es) {
		t.Fatalf("intact table: %v", err)
	}
	compressed := 0
	rd := openBytes(t, data, ReaderOptions{})
	for _, ie := range rd.Index() {
		if compressionType(data[ie.Offset+ie.Length]) == snappyCompressionType {
			compressed++
		}
	}
	rd.Close()
	if compressed == 0 || compressed == len(rd.Index()) {
		t.Fatalf("%d of %d data blocks compressed; want a mix", compressed, len(rd.Index()))
	}
	detected, unchanged := 0, 0
	for i := range data {
		for _, mask := range []byte{0xff, 0x01} {
			bad := bytes.Clone(data)
			bad[i] ^= mask
			for _, cache := range []*Cache{nil, NewCache(1 << 20)} {
				fwd, rev, gets, err := readAll(bad, ReaderOptions{Cache: cache}, es)
				switch {
				case err != nil:
					if !errors.Is(err, kv.ErrCorruption) {
						t.Fatalf("byte %d ^ %#x: error %v does not match ErrCorruption", i, mask, err)
					}
					var ce *kv.CorruptionError
					if !errors.As(err, &ce) || ce.File != "test.sst" || ce.Offset < 0 || ce.Offset > int64(len(data)) {
						t.Fatalf("byte %d ^ %#x: error %v does not name the file and an offset", i, mask, err)
					}
					detected++
				case sameEntries(fwd, wantFwd) && sameEntries(rev, wantRev) && sameEntries(gets, wantGets):
					unchanged++
				default:
					t.Fatalf("byte %d of %d ^ %#x: wrong data without an error", i, len(data), mask)
				}
			}
		}
	}
	t.Logf("%d bytes: %d damaged reads detected, %d unchanged", len(data), detected, unchanged)
}

// TestTruncatedFiles checks that every proper prefix of a table fails to
// open with ErrCorruption.
func TestTruncatedFiles(t *testing.T) {
	data, _ := smallTable(t)
	for n := range len(data) {
		_, err := Open(&bytesFile{data: data[:n]}, "test.sst", 1, ReaderOptions{})
		if !errors.Is(err, kv.ErrCorruption) {
			t.Fatalf("prefix of %d of %d bytes: %v", n, len(data), err)
		}
	}
}

func TestUnknownVersionIsRefused(t *testing.T) {
	data, _ := smallTable(t)
	bad := bytes.Clone(data)
	ft := bad[len(bad)-footerLen:]
	binary.LittleEndian.PutUint32(ft[footerVersionOff:], FormatVersion+1)
	binary.LittleEndian.PutUint32(ft[footerCRCOff:], crc32.Checksum(ft[:footerCRCOff], crcTable))
	_, err := Open(&bytesFile{data: bad}, "new.sst", 1, ReaderOptions{})
	if !errors.Is(err, ErrUnsupportedVersion) || !errors.Is(err, kv.ErrCorruption) || !strings.Contains(err.Error(), "version 3") {
		t.Fatalf("version 3: %v", err)
	}
	copy(bad[len(bad)-8:], "notatabl")
	if _, err := Open(&bytesFile{data: bad}, "x", 1, ReaderOptions{}); !errors.Is(err, kv.ErrCorruption) || errors.Is(err, ErrUnsupportedVersion) {
		t.Fatalf("bad magic: %v", err)
	}
}

// TestStructuralDamageBehindValidChecksums damages every byte of every
// uncompressed block and then recomputes the block's checksum, so that
// only the structural checks stand between the damage and the caller.
// Read as a table without checksums (the data blocks are then validated in
// full), reads must fail with ErrCorruption or return well-ordered entries;
// the data may legitimately differ (a changed value byte is a valid table).
// Read normally (the checksums vouch for the blocks, whose entries are then
// only bounds-checked as they are decoded), reads must never panic and may
// fail only with ErrCorruption.
func TestStructuralDamageBehindValidChecksums(t *testing.T) {
	data, es := smallTable(t)
	rd := openBytes(t, data, ReaderOptions{})
	var handles []blockHandle
	for _, ie := range rd.Index() {
		handles = append(handles, blockHandle{ie.Offset, ie.Length})
	}
	ft, ferr := decodeFooter(data[len(data)-footerLen:], true)
	if ferr != nil {
		t.Fatal(ferr.reason)
	}
	handles = append(handles, ft.index, ft.filter, ft.props)
	rd.Close()
	structural := 0
	for _, h := range handles {
		if compressionType(data[h.offset+h.length]) != noCompressionType {
			continue
		}
		for i := h.offset; i < h.offset+h.length; i++ {
			for _, mask := range []byte{0xff, 0x01, 0x80} {
				bad := bytes.Clone(data)
				bad[i] ^= mask
				crc := crc32.Checksum(bad[h.offset:h.offset+h.length+1], crcTable)
				binary.LittleEndian.PutUint32(bad[h.offset+h.length+1:], crc)
				if _, _, _, err := readAll(bad, ReaderOptions{}, es); err != nil && !errors.Is(err, kv.ErrCorruption) {
					t.Fatalf("block at %d, byte %d ^ %#x, checksums verified: %v", h.offset, i, mask, err)
				}
				fwd, rev, _, err := readAll(bad, ReaderOptions{skipChecksums: true}, es)
				if err != nil {
					if !errors.Is(err, kv.ErrCorruption) {
						t.Fatalf("block at %d, byte %d ^ %#x: %v", h.offset, i, mask, err)
					}
					structural++
					continue
				}
				checkWellOrdered(t, fwd, rev)
			}
		}
	}
	t.Logf("%d structural errors detected", structural)
}

func checkWellOrdered(t testing.TB, fwd, rev []kvEntry) {
	t.Helper()
	for i := range fwd {
		if !base.Valid(fwd[i].ikey) || (i > 0 && base.Compare(fwd[i-1].ikey, fwd[i].ikey) >= 0) {
			t.Fatalf("forward scan out of order at %d", i)
		}
	}
	if len(rev) != len(fwd) {
		t.Fatalf("reverse scan has %d entries, forward %d", len(rev), len(fwd))
	}
	for i := range rev {
		if !equalEntry(rev[i], fwd[len(fwd)-1-i]) {
			t.Fatalf("reverse scan differs from forward at %d", i)
		}
	}
}
