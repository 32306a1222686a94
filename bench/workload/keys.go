package workload

import "encoding/binary"

// DefaultKeySize is the key size, in bytes, when a Config does not set one
// (db_bench's 16).
const DefaultKeySize = 16

// MinKeySize is the smallest key size: the key number takes 8 bytes.
const MinKeySize = 8

const keyPad = '.'

// KeyFormat turns key numbers into fixed-size keys: the number (scrambled
// by a bijection when Hashed) as 8 big-endian bytes, then padding up to
// Size. Unhashed keys sort in key-number order, so sequential writes are
// sequential in key order; hashed keys scatter the key numbers over the
// key space, as YCSB's default insertorder=hashed does.
type KeyFormat struct {
	Size   int
	Hashed bool
}

// Validate reports a size below MinKeySize.
func (f KeyFormat) Validate() error {
	if f.Size < MinKeySize {
		return configErrorf("key size %d: want at least %d bytes", f.Size, MinKeySize)
	}
	return nil
}

// Encode writes the key of number n into dst, which must be Size bytes.
func (f KeyFormat) Encode(dst []byte, n uint64) {
	if f.Hashed {
		n = mix64(n)
	}
	binary.BigEndian.PutUint64(dst, n)
	for i := 8; i < len(dst); i++ {
		dst[i] = keyPad
	}
}

// EncodeMissing writes into dst a key that no Encode of a key number below
// 2^62 produces, and that sorts right after the key of n (when Size > 8),
// so that a lookup of it costs as much as a lookup of a present key:
// db_bench's readmissing.
func (f KeyFormat) EncodeMissing(dst []byte, n uint64) {
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
