// Package trie is a compressed radix trie for byte-string keys, each
// carrying a value and a weight. It serves two jobs: a term dictionary
// (ordered, prefix-expandable, compact, persistent — the inverted index's
// term → id map) and weighted type-ahead completion at scale.
//
//	t := trie.New()
//	t.Put([]byte("apple"), 17)                                     // value only (weight 0)
//	t.PutEntry([]byte("apply"), trie.Entry{Value: 18, Weight: 40}) // value and weight
//	t.AddWeight([]byte("apple"), 1)                                // count an occurrence
//	id, ok := t.Get([]byte("apple"))
//	for term, e := range t.Prefix([]byte("app")) { ... }           // in order
//	best := t.TopK([]byte("ap"), 10)                               // heaviest first
//	b, _ := t.MarshalBinary(); t2, err := trie.Decode(b)          // persist, load
//
// # Operations
//
// Put / PutEntry / AddWeight insert or update, SetWeight re-weights,
// Delete removes, Get / Lookup / Contains read, Len counts. Iteration is
// in byte-wise lexicographic order: All, Prefix, From (keys >= a seek
// key), WalkPrefix (a callback that can stop early), and an Iterator with
// First, Seek and Next for merging several sorted streams. LongestPrefix
// finds the longest key that prefixes a string. TopK returns the k
// heaviest completions of a prefix, FuzzyTopK those of any string within
// edit distance 1 of it. Stats describes the shape, Check verifies every
// invariant (tests use it), Compact gives back the memory deletes leave.
//
// A Trie is not safe for concurrent mutation; any number of readers may
// share it while no one writes. Keys are copied in; keys handed out by
// iterators and callbacks are valid until the next step, those in TopK
// results belong to the caller.
//
// # Layout
//
// There are no pointers. Nodes are 32-byte structs in one slice, indexed
// by uint32; node 0 is the root. A node holds its edge label as an offset
// and length into one byte arena of labels, the key's value and weight
// and whether it holds a key, and the first slot and count of its
// children. Children live in two parallel slot arrays — the child's node
// index packed with its label's first byte in one uint64, and the heaviest
// weight in the child's subtree — each node's in one sorted, contiguous
// range. Finding a child is a scan (binary search past 8 children) of a
// few adjacent words that also hold the answer, so a step down costs about
// three cache misses (node, slots, label), and no node carries a
// 256-pointer array: a child costs 16 bytes of slots, a node 32 bytes plus
// its label. Because nothing in the
// arrays is a pointer, the garbage collector never scans them.
//
// A node's child range grows by moving to a range one larger; freed
// ranges are kept in free lists by exact size (0..256) and reused by the
// next node of that size. Deleted nodes go to a free list; labels made
// dead by deletes are counted and the arena is rewritten when more than
// half of it is dead. Splitting an edge never copies label bytes (the two
// halves are adjacent offsets), and merging a split back is free while
// the halves are still adjacent.
//
// The trie stays compressed: every node but the root either holds a key
// or has at least two children. Insert splits an edge where the new key
// leaves it; Delete removes a childless node and merges a key-less node
// with one child into that child.
//
// # TopK
//
// Each child slot records the heaviest weight in the child's subtree. A
// weight change or a structural change recomputes those maxima from the
// changed node up to the root, stopping at the first one already right,
// so the bookkeeping is exact after every operation. TopK is a best-first
// search (the score-decomposed trie / suggest-tree idea): a heap of
// subtrees ordered by (maximum weight descending, path ascending) — a
// subtree's path is the smallest key in it, so ties come out
// lexicographically — from which the top subtree is split into its own
// key and its children. A node whose own weight equals its subtree's
// maximum is emitted at once. Children whose maximum is below the k-th
// largest weight that disjoint items already guarantee are never pushed,
// so a query costs about |prefix| + k·(depth + fan-out) node visits,
// independent of the subtree's size. FuzzyTopK runs a Levenshtein
// automaton (distance ≤ 1) over the trie from the root, seeds the same
// search with every subtree whose path first comes within distance 1 of
// the typed prefix, and prunes branches that cannot come back.
//
// # Persistence
//
// AppendBinary / MarshalBinary / WriteTo write a compact, versioned,
// checksummed form (docs/format/trie.md): the nodes in preorder as varint
// records, with no pointers and no maxima. Decode / Load / UnmarshalBinary
// fill the arrays in one pass, recomputing maxima bottom-up, which is an
// order of magnitude faster than inserting the keys again. Any damage
// yields an error matching kv.ErrCorruption, never a panic or a wrong key:
// both checksums are checked first, then every count, length, child order
// and the compression invariant. SaveTo and LoadFrom keep a trie in a
// kv.Engine as the serialized form cut into 1 MiB chunks under a
// generation number, committed by a meta record written last.
//
// # Benchmarks
//
// Package trie/triebench measures the trie against
// github.com/armon/go-radix, github.com/hashicorp/go-immutable-radix/v2, a
// map[string]uint64 and a sorted slice with binary search, on identifiers
// from the Go sources under GOROOT (topped up to 1M keys with
// package-qualified identifiers), all in one process:
//
//	go run ./cmd/kvlab suggest bench                  # the table of ratios
//	go test -run '^$' -bench . -benchmem ./trie/      # the same, as Go benchmarks
//	TRIEBENCH_KEYS=200k go test -run '^$' -bench Get ./trie/
//
// # Limits
//
// At most 2³² nodes, 2³² child slots and 4 GiB of label bytes; keys of
// any length within that.
package trie
