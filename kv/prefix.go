package kv

// PrefixBounds returns the iterator bounds of the keys that begin with p:
// lower is p and upper the smallest key greater than every key with prefix
// p (p with its last byte below 0xff incremented and what follows dropped),
// or nil when there is none (p is empty or all 0xff bytes). So
//
//	lo, hi := kv.PrefixBounds(p)
//	it, err := db.NewIterator(kv.IterOptions{LowerBound: lo, UpperBound: hi})
//
// iterates over exactly the keys with prefix p. Both are new slices.
func PrefixBounds(p []byte) (lower, upper []byte) {
	lower = append([]byte{}, p...)
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] != 0xff {
			upper = append([]byte{}, p[:i+1]...)
			upper[i]++
			return lower, upper
		}
	}
	return lower, nil
}

// PrefixOptions returns the IterOptions of the keys that begin with p (see
// PrefixBounds).
func PrefixOptions(p []byte) IterOptions {
	lo, hi := PrefixBounds(p)
	return IterOptions{LowerBound: lo, UpperBound: hi}
}
