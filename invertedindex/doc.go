// Package invertedindex is a full-text search library whose postings live
// in any kv.Engine (kvlab's LSM or B+tree, or any other).
//
// # Use
//
//	db, _ := kvlab.Open("lsm", dir, kvlab.Options{})
//	ix, _ := invertedindex.Open(db, invertedindex.Options{}) // English analyzer, BM25
//	var b invertedindex.Batch
//	b.Add(invertedindex.Document{ID: "a", Fields: map[string]string{"title": "...", "body": "..."},
//		Stored: map[string]string{"url": "..."}})
//	b.Delete("old")
//	ix.Write(&b) // atomic: one kv.Batch
//	res, _ := ix.SearchString(`body:"exact phrase" OR prefix* -excluded`, 0, 10)
//
// OpenDir does the same in a directory that remembers its engine and
// analyzer. Queries can also be built as values (TermQuery, PhraseQuery,
// PrefixQuery, BooleanQuery) and run with Search, which pages with
// Offset/Limit and returns the total hit count, stored fields and
// highlighted snippets.
//
// # Analysis
//
// An Analyzer turns text into terms with positions. The standard one
// (NewAnalyzer, English) splits runs of Unicode letters and digits,
// lower-cases, optionally drops English stop words and optionally stems
// with the Porter2 (snowball) English stemmer. Stop words leave gaps in
// positions, so phrases match as written. The analyzer is replaceable; the
// index records its name and refuses to open with another.
//
// # Storage
//
// Postings are stored per term in chunks of up to 128 documents under keys
// "p" field term 0x00 lastDoc: delta- and varint-coded document numbers,
// term frequencies, field lengths and positions, with the chunk's highest
// frequency and shortest field length in its header. A batch writes one
// chunk per term (per 128 documents), never one key per posting; document
// numbers only grow, so a batch appends chunks after a term's older ones,
// like runs of an LSM tree. Merge (started automatically when small chunks
// have doubled or deleted documents pile up) rewrites each term's short
// chunks and chunks with deleted documents into full ones, dropping the
// deleted postings. Deletion and replacement write a tombstone per
// document number; tombstoned documents are filtered at query time until a
// merge reclaims them. The byte-level layout, and why, is in
// docs/format/invertedindex.md.
//
// # Queries
//
// Evaluation is document-at-a-time over matchers (term, conjunction,
// disjunction, phrase, boolean) into a top-k heap. Each term loads its
// chunk headers first, for an exact live document frequency; chunk ends
// serve as skip data, so a conjunction decodes only the chunks it lands
// in. Each chunk's block-max BM25 bound lets the collector count a
// document without scoring it when it cannot enter the heap, and lets a
// single-term query skip whole chunks undecoded. Scores are BM25 with
// IDF = ln(1 + (N − n + 0.5)/(n + 0.5)); k1 = 1.2 and b = 0.75 by default
// (Options.BM25, SetBM25). Prefix queries expand through the term
// dictionary; wide expansions are evaluated term-at-a-time.
//
// # Term dictionary
//
// The distinct terms of each field live in memory in a compressed radix
// trie (package trie), weighted by their postings. Open builds it in one
// pass over the chunk keys and headers, so it stores nothing of its own on
// disk and cannot disagree with the postings after a crash; Write and
// Merge keep it in step. A prefix query asks it how many terms it expands
// to (none: no I/O; more than MaxPrefixTerms: an error at once) before
// reading their chunks, adjacent in key order, in one forward pass; Terms
// answers type-ahead over the vocabulary with the trie's weighted top-k.
//
// # Concurrency
//
// An Index is safe for concurrent use: searches share a read lock; writes
// and merges take the write lock.
//
// Subpackages: gocorpus (the GOROOT documentation corpus), bleveyard
// (bleve v2 as the yardstick, in its own package so this one does not
// import bleve), indexbench (the benchmark behind "kvlab bench-index").
package invertedindex
