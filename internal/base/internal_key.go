package base

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// Kind is the kind of an internal key's entry.
type Kind uint8

// Kinds. KindSet is the largest, so a seek key built with it (SeekKey) sorts
// before every entry of the same user key and sequence number.
const (
	KindDelete Kind = 0
	KindSet    Kind = 1
	// KindMax is the largest valid kind.
	KindMax = KindSet
)

func (k Kind) String() string {
	switch k {
	case KindDelete:
		return "DEL"
	case KindSet:
		return "SET"
	}
	return fmt.Sprintf("KIND(%d)", uint8(k))
}

// SeqNum is a sequence number: the position of a write in the total order of
// writes. It has 56 bits.
type SeqNum uint64

// MaxSeqNum is the largest sequence number; reading at MaxSeqNum sees every
// write.
const MaxSeqNum SeqNum = 1<<56 - 1

// TrailerLen is the length of an internal key's trailer.
const TrailerLen = 8

// MakeTrailer packs a sequence number and a kind.
func MakeTrailer(seq SeqNum, kind Kind) uint64 { return uint64(seq)<<8 | uint64(kind) }

// AppendInternalKey appends the internal key (ukey, seq, kind) to dst.
func AppendInternalKey(dst, ukey []byte, seq SeqNum, kind Kind) []byte {
	dst = append(dst, ukey...)
	return binary.LittleEndian.AppendUint64(dst, MakeTrailer(seq, kind))
}

// MakeInternalKey returns a new internal key.
func MakeInternalKey(ukey []byte, seq SeqNum, kind Kind) []byte {
	return AppendInternalKey(make([]byte, 0, len(ukey)+TrailerLen), ukey, seq, kind)
}

// SeekKey returns the internal key that sorts first among the entries of ukey
// visible at seq: seeking to it finds the newest version with sequence <= seq.
func SeekKey(dst, ukey []byte, seq SeqNum) []byte {
	return AppendInternalKey(dst, ukey, seq, KindMax)
}

// Valid reports whether ik is long enough to be an internal key.
func Valid(ik []byte) bool { return len(ik) >= TrailerLen }

// UserKey returns the user key of an internal key. ik must be Valid.
func UserKey(ik []byte) []byte { return ik[:len(ik)-TrailerLen] }

// Trailer returns the trailer of an internal key. ik must be Valid.
func Trailer(ik []byte) uint64 { return binary.LittleEndian.Uint64(ik[len(ik)-TrailerLen:]) }

// Seq returns the sequence number of an internal key. ik must be Valid.
func Seq(ik []byte) SeqNum { return SeqNum(Trailer(ik) >> 8) }

// KindOf returns the kind of an internal key. ik must be Valid.
func KindOf(ik []byte) Kind { return Kind(Trailer(ik) & 0xff) }

// Parse splits an internal key. ok is false when ik is too short or its kind
// is unknown.
func Parse(ik []byte) (ukey []byte, seq SeqNum, kind Kind, ok bool) {
	if !Valid(ik) {
		return nil, 0, 0, false
	}
	t := Trailer(ik)
	kind = Kind(t & 0xff)
	if kind > KindMax {
		return nil, 0, 0, false
	}
	return ik[:len(ik)-TrailerLen], SeqNum(t >> 8), kind, true
}

// Compare orders internal keys: user key ascending, then trailer descending.
// Both keys must be Valid.
func Compare(a, b []byte) int {
	if c := bytes.Compare(UserKey(a), UserKey(b)); c != 0 {
		return c
	}
	ta, tb := Trailer(a), Trailer(b)
	switch {
	case ta > tb:
		return -1
	case ta < tb:
		return 1
	}
	return 0
}

// Format renders an internal key for debugging: "key#seq,KIND".
func Format(ik []byte) string {
	ukey, seq, kind, ok := Parse(ik)
	if !ok {
		return fmt.Sprintf("invalid(%x)", ik)
	}
	return fmt.Sprintf("%q#%d,%s", ukey, seq, kind)
}
