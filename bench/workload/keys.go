package workload

import (
	"encoding/binary"
	"fmt"
	"strings"
)

// DefaultKeySize is the key size, in bytes, when a Config does not set one
// (db_bench's 16).
const DefaultKeySize = 16

// MinKeySize is the smallest key size: the key number takes 8 bytes.
const MinKeySize = 8

// YCSBKeySize is the key size of the YCSB key style when none is given:
// "user" and 19 digits, the length of YCSB's zero-padded keys of
// insertorder=hashed.
const YCSBKeySize = 23

// minYCSBKeySize is the smallest YCSB-style key: "user" and 10 digits.
const minYCSBKeySize = len(ycsbPrefix) + 10

// maxYCSBDigits is the most digits a YCSB-style key number takes: 10^19
// key numbers fit in 64 bits.
const maxYCSBDigits = 19

const (
	keyPad     = '.'
	ycsbPrefix = "user"
	// ycsbPermSeed seeds the bijection that hashes YCSB-style key
	// numbers: fixed, so that a store's keys depend only on the format.
	ycsbPermSeed = 0x5943_5342 // "YCSB"
)

// KeyStyle is how a KeyFormat spells a key number.
type KeyStyle int

const (
	// KeyBinary is the number as 8 big-endian bytes, then '.' padding:
	// db_bench's style, compact and order-preserving.
	KeyBinary KeyStyle = iota
	// KeyYCSB is "user" and the number in zero-padded decimal, as YCSB
	// names its records ("user0000000042"): readable in kvlab scan and
	// inspect, and order-preserving too.
	KeyYCSB
)

// String returns the style's name as --key-format takes it.
func (s KeyStyle) String() string {
	if s == KeyYCSB {
		return "ycsb"
	}
	return "binary"
}

// ParseKeyStyle parses "binary" or "ycsb". The error matches ErrConfig.
func ParseKeyStyle(s string) (KeyStyle, error) {
	switch strings.ToLower(s) {
	case "binary", "":
		return KeyBinary, nil
	case "ycsb":
		return KeyYCSB, nil
	}
	return 0, configErrorf("key format %q: want binary or ycsb", s)
}

// KeyFormat turns key numbers into fixed-size keys. In the binary style a
// key is the number (scrambled by a bijection when Hashed) as 8 big-endian
// bytes, then padding up to Size; in the YCSB style it is "user" and the
// number (scrambled by a bijection on the keys of that many digits when
// Hashed) in Size-4 zero-padded decimal digits (at most 19, then padding).
// Unhashed keys sort in key-number order, so sequential writes are
// sequential in key order; hashed keys scatter the key numbers over the
// key space, as YCSB's default insertorder=hashed does. Decode inverts
// Encode.
type KeyFormat struct {
	Size   int
	Hashed bool
	Style  KeyStyle
}

// Validate reports a size below MinKeySize (below 14 bytes, "user" and 10
// digits, in the YCSB style).
func (f KeyFormat) Validate() error {
	if f.Size < MinKeySize {
		return configErrorf("key size %d: want at least %d bytes", f.Size, MinKeySize)
	}
	if f.Style == KeyYCSB && f.Size < minYCSBKeySize {
		return configErrorf("key size %d: YCSB-style keys want at least %d bytes (user and 10 digits)", f.Size, minYCSBKeySize)
	}
	return nil
}

// Capacity returns how many distinct key numbers the format can spell
// (0 means 2^64).
func (f KeyFormat) Capacity() uint64 {
	if f.Style != KeyYCSB {
		return 0
	}
	c := uint64(1)
	for range f.digits() {
		c *= 10
	}
	return c
}

// digits is the number of decimal digits of a YCSB-style key.
func (f KeyFormat) digits() int { return min(f.Size-len(ycsbPrefix), maxYCSBDigits) }

// perm is the bijection that hashes YCSB-style key numbers.
func (f KeyFormat) perm() Permutation { return *NewPermutation(f.Capacity(), ycsbPermSeed) }

// Encode writes the key of number n into dst, which must be Size bytes.
// In the YCSB style n must be below Capacity.
func (f KeyFormat) Encode(dst []byte, n uint64) {
	if f.Style == KeyYCSB {
		if f.Hashed {
			p := f.perm()
			n = p.At(n)
		}
		copy(dst, ycsbPrefix)
		d := f.digits()
		for i := len(ycsbPrefix) + d - 1; i >= len(ycsbPrefix); i-- {
			dst[i] = byte('0' + n%10)
			n /= 10
		}
		for i := len(ycsbPrefix) + d; i < len(dst); i++ {
			dst[i] = keyPad
		}
		return
	}
	if f.Hashed {
		n = mix64(n)
	}
	binary.BigEndian.PutUint64(dst, n)
	for i := 8; i < len(dst); i++ {
		dst[i] = keyPad
	}
}

// Decode returns the key number whose key is k; ok is false when no
// Encode produces k.
func (f KeyFormat) Decode(k []byte) (n uint64, ok bool) {
	if len(k) != f.Size {
		return 0, false
	}
	if f.Style == KeyYCSB {
		if string(k[:len(ycsbPrefix)]) != ycsbPrefix {
			return 0, false
		}
		d := f.digits()
		for _, c := range k[len(ycsbPrefix) : len(ycsbPrefix)+d] {
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + uint64(c-'0')
		}
		if !padded(k[len(ycsbPrefix)+d:]) {
			return 0, false
		}
		if f.Hashed {
			p := f.perm()
			n = p.Inverse(n)
		}
		return n, true
	}
	if !padded(k[8:]) {
		return 0, false
	}
	n = binary.BigEndian.Uint64(k)
	if f.Hashed {
		n = unmix64(n)
	}
	return n, true
}

func padded(b []byte) bool {
	for _, c := range b {
		if c != keyPad {
			return false
		}
	}
	return true
}

// EncodeMissing writes into dst a key that no Encode of a key number below
// 2^62 produces, and that sorts right after the key of n (when Size > 8),
// so that a lookup of it costs as much as a lookup of a present key:
// db_bench's readmissing.
func (f KeyFormat) EncodeMissing(dst []byte, n uint64) {
	if f.Style == KeyYCSB {
		f.Encode(dst, n)
		if dst[len(dst)-1] == keyPad {
			dst[len(dst)-1] = keyPad + 1
		} else {
			dst[len(dst)-1] = '9' + 1 // ':' follows the digits
		}
		return
	}
	if len(dst) == 8 {
		f.Encode(dst, n|1<<62)
		return
	}
	f.Encode(dst, n)
	dst[len(dst)-1] = keyPad + 1
}

// Key returns the key of number n in a new slice.
func (f KeyFormat) Key(n uint64) []byte {
	k := make([]byte, f.Size)
	f.Encode(k, n)
	return k
}

// String describes the format: "16 B binary", "23 B ycsb, hashed".
func (f KeyFormat) String() string {
	s := fmt.Sprintf("%d B %s", f.Size, f.Style)
	if f.Hashed {
		s += ", hashed"
	}
	return s
}
