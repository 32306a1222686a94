package stress

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"strconv"
)

// Keys are "k" and a zero-padded eight-digit index, followed by 0-4 'x'
// bytes (index % 5) so that key lengths vary. The fixed-width index comes
// first, so byte order is index order.
const keyDigits = 8

// keyOf returns the key of index i.
func keyOf(i int) []byte {
	b := make([]byte, 0, 1+keyDigits+4)
	b = append(b, 'k')
	b = fmt.Appendf(b, "%0*d", keyDigits, i)
	for j := 0; j < i%5; j++ {
		b = append(b, 'x')
	}
	return b
}

// indexOf returns the index a key encodes, or false for a key the tool
// never writes.
func indexOf(key []byte) (int, bool) {
	if len(key) < 1+keyDigits || key[0] != 'k' {
		return 0, false
	}
	i, err := strconv.Atoi(string(key[1 : 1+keyDigits]))
	if err != nil || i < 0 || string(keyOf(i)) != string(key) {
		return 0, false
	}
	return i, true
}

// A value encodes who wrote it, so that every read can be checked:
//
//	magic 'V' | key index u32 | version u64 | seq u64 | pad length u32 | pad | crc32c of all before
//
// The version is the key's write counter (1, 2, ...; 0 is "never written"),
// seq the writer thread's operation number. The pad bytes are a function
// of key and version, so a value is reproducible from the two.
const (
	valueMagic   = 'V'
	valueHeader  = 1 + 4 + 8 + 8 + 4
	valueTrailer = 4
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// stamp is what a value says about itself.
type stamp struct {
	key     int
	version uint64
	seq     uint64
}

// encodeValue returns the value of version v of key k written by the
// operation numbered seq, padded by pad bytes.
func encodeValue(k int, v, seq uint64, pad int) []byte {
	b := make([]byte, valueHeader+pad+valueTrailer)
	b[0] = valueMagic
	binary.LittleEndian.PutUint32(b[1:], uint32(k))
	binary.LittleEndian.PutUint64(b[5:], v)
	binary.LittleEndian.PutUint64(b[13:], seq)
	binary.LittleEndian.PutUint32(b[21:], uint32(pad))
	x := uint64(k)<<40 ^ v*0x9E3779B97F4A7C15
	for i := range pad {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		b[valueHeader+i] = byte(x)
	}
	binary.LittleEndian.PutUint32(b[valueHeader+pad:], crc32.Checksum(b[:valueHeader+pad], castagnoli))
	return b
}

// errBadValue is wrapped by decodeValue's errors.
var errBadValue = errors.New("not a value this tool wrote")

// decodeValue checks a value's checksum and that it belongs to key k, and
// returns its stamp.
func decodeValue(k int, b []byte) (stamp, error) {
	if len(b) < valueHeader+valueTrailer || b[0] != valueMagic {
		return stamp{}, fmt.Errorf("%w: %d bytes, bad header", errBadValue, len(b))
	}
	pad := int(binary.LittleEndian.Uint32(b[21:]))
	if pad != len(b)-valueHeader-valueTrailer {
		return stamp{}, fmt.Errorf("%w: %d bytes, header says %d bytes of padding", errBadValue, len(b), pad)
	}
	if got, want := binary.LittleEndian.Uint32(b[valueHeader+pad:]), crc32.Checksum(b[:valueHeader+pad], castagnoli); got != want {
		return stamp{}, fmt.Errorf("%w: checksum %08x, want %08x", errBadValue, got, want)
	}
	s := stamp{
		key:     int(binary.LittleEndian.Uint32(b[1:])),
		version: binary.LittleEndian.Uint64(b[5:]),
		seq:     binary.LittleEndian.Uint64(b[13:]),
	}
	if s.key != k {
		return s, fmt.Errorf("%w: the value of key %s (version %d) under key %s", errBadValue, keyOf(s.key), s.version, keyOf(k))
	}
	if s.version == 0 {
		return s, fmt.Errorf("%w: version 0", errBadValue)
	}
	return s, nil
}
