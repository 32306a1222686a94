package sstable

import "github.com/kvlab/kvlab/internal/base"

// Index keys need not be real keys: the index entry of a data block only has
// to sort at or after the block's last key and before the next block's first
// key. Short separators keep the index small (LevelDB's
// FindShortestSeparator and FindShortSuccessor).

// appendSeparator appends to dst an internal key k with a <= k < b, as short
// as it can find. a < b must hold.
//
// When the user keys differ, k is a user key s with ua < s < ub, found by
// incrementing one byte of ua after the common prefix and cutting the rest,
// with the trailer of (MaxSeqNum, KindMax): it sorts before every entry of s
// and so after a (whose user key is smaller) and before b. Otherwise k is a.
func appendSeparator(dst, a, b []byte) []byte {
	ua, ub := base.UserKey(a), base.UserKey(b)
	n := commonPrefix(ua, ub)
	if n < len(ua) && n < len(ub) { // then ua[n] < ub[n]
		for j := n; j < len(ua); j++ {
			if (j == n && ua[j]+1 < ub[j]) || (j > n && ua[j] < 0xff) {
				start := len(dst)
				dst = append(dst, ua[:j+1]...)
				dst[start+j]++
				return base.AppendInternalKey(dst, nil, base.MaxSeqNum, base.KindMax)
			}
		}
	}
	return append(dst, a...)
}

// appendSuccessor appends to dst a short internal key k >= a: the first byte
// of a's user key that is not 0xff, incremented, with everything after it
// cut; a itself when every byte is 0xff.
func appendSuccessor(dst, a []byte) []byte {
	ua := base.UserKey(a)
	for i, c := range ua {
		if c != 0xff {
			start := len(dst)
			dst = append(dst, ua[:i+1]...)
			dst[start+i]++
			return base.AppendInternalKey(dst, nil, base.MaxSeqNum, base.KindMax)
		}
	}
	return append(dst, a...)
}
