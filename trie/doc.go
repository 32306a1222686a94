// Package trie is a compressed radix trie for byte-string keys, each with a
// value and a weight. (Design notes to follow.)
package trie
