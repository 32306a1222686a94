// Package workload generates what a benchmark asks of an engine: the
// db_bench and YCSB workloads (a mix of operations, a key order, a record
// count), the key distributions that choose which key each operation
// touches, and the fixed-size keys and compressible values themselves. It
// does no I/O and knows no engine: package bench drives an engine with what
// it generates.
//
// # Reading the source
//
// rng.go is the seeded generator every choice draws from (one per client
// goroutine, so a run is repeatable and lock-free); permutation.go scatters
// key numbers over the key space; zipfian.go draws zipfian ranks;
// distribution.go turns those into KeyChoosers (uniform, zipfian, latest,
// sequential, hotspot). keys.go encodes key numbers as fixed-size,
// order-preserving keys (db_bench's binary style or YCSB's "user" and
// digits) and decodes them back, and values.go cuts values of a chosen
// compressibility from a shared random buffer without allocating.
// workload.go defines operations, mixes and the built-in workloads, and
// ycsb.go the YCSB core workloads and the parser of YCSB properties files.
//
// Errors that report a bad configuration match ErrConfig.
package workload
