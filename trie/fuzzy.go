package trie

// FuzzyTopK is TopK for a prefix typed with at most one typo: it returns
// the k heaviest keys that start with any string within Levenshtein
// distance 1 of prefix (one byte inserted, deleted or substituted), heaviest
// first, ties in lexicographic order. Exact completions rank by weight like
// the others. A prefix of one byte or none is within distance 1 of the
// empty string, so it completes to the whole trie.
//
// The search walks the trie with a Levenshtein automaton row per byte,
// pruning a branch as soon as no extension can come back within distance
// 1, so it visits O(|prefix| · fan-out) nodes; every subtree whose path
// first comes within distance 1 seeds the same best-first search as TopK.
func (t *Trie) FuzzyTopK(prefix []byte, k int) []Completion {
	if k <= 0 {
		return nil
	}
	st := topkPool.Get().(*topkState)
	defer st.release()
	st.reset(k)
	m := len(prefix)
	if m <= 1 {
		st.seed(cand{prio: t.rootMax, node: 0})
		return st.run(t)
	}
	f := fuzzyWalk{t: t, st: st, p: prefix, rows: make([]uint8, (m+3)*(m+1))}
	for j := 0; j <= m; j++ {
		f.rows[j] = uint8(min(j, 2))
	}
	f.walk(0, 0)
	return st.run(t)
}

// fuzzyWalk is the state of the Levenshtein walk. rows holds one row per
// path length d: rows[d*(m+1)+j] is the distance, capped at 2, between
// the path's first d bytes and p[:j].
type fuzzyWalk struct {
	t    *Trie
	st   *topkState
	p    []byte
	path []byte
	rows []uint8
}

// walk visits x's children; x's path has d bytes (f.path).
func (f *fuzzyWalk) walk(x uint32, d int) {
	t := f.t
	m := len(f.p)
	off, cnt := t.kidRange(x)
	for s := off; s < off+cnt; s++ {
		c := t.slotNode(s)
		lab := t.label(c)
		dd := d
		locus, dead := false, false
		for _, b := range lab {
			prev := f.rows[dd*(m+1) : (dd+1)*(m+1)]
			row := f.rows[(dd+1)*(m+1) : (dd+2)*(m+1)]
			row[0] = min(prev[0]+1, 2)
			best := row[0]
			for j := 1; j <= m; j++ {
				v := prev[j-1]
				if f.p[j-1] != b {
					v++
				}
				v = min(v, prev[j]+1, row[j-1]+1, 2)
				row[j] = v
				best = min(best, v)
			}
			dd++
			if row[m] <= 1 {
				locus = true
				break
			}
			if best > 1 {
				dead = true
				break
			}
		}
		switch {
		case locus:
			st := f.st
			ko := uint32(len(st.keys))
			st.keys = append(st.keys, f.path...)
			st.keys = append(st.keys, lab...)
			st.seed(cand{prio: t.kidMax[s], node: c, off: ko, n: uint32(len(st.keys)) - ko})
		case !dead:
			// The label is used up and the path is still within reach.
			f.path = append(f.path, lab...)
			f.walk(c, dd)
			f.path = f.path[:d]
		}
	}
}
