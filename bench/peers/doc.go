// Package peers runs well-known Go storage engines — Pebble, goleveldb,
// Badger and bbolt — through kvlab's kv.Engine contract, so that the
// benchmark harness can put a real yardstick beside every figure of kvlab's
// own engines. Importing the package (usually blank, as the kvlab CLI does)
// registers the adapters with kvlab.Register under the names "pebble",
// "goleveldb", "badger" and "bbolt"; a program that embeds only kvlab's
// engines never compiles them.
//
//	import _ "github.com/kvlab/kvlab/bench/peers"
//	db, err := kvlab.Open("pebble", dir, kvlab.Options{})
//
// # Fair settings
//
// No adapter syncs a write unless WriteOptions.Sync asks for it; Sync and
// Close make every acknowledged write durable. Where a peer has a knob that
// kvlab's LSM also has, it is set to the LSM's default (memtable 64 MiB, L0
// compaction trigger 4 files, L1 target 64 MiB, bloom filter 10 bits per key,
// 4 KiB blocks, snappy compression). Block caches are 8 MiB, Pebble's and
// goleveldb's own default. The lower-case names below are settings
// (--set ENGINE.NAME=VALUE); the others are fixed. In Go, the settings are
// typed options too — LSMOptions for pebble and goleveldb, BadgerOptions,
// BboltOptions — which kvlab.Options.Engine carries:
// kvlab.Options{Engine: peers.DefaultBboltOptions()}.
//
//	engine     setting                     value           library default
//	pebble     memtable-size               64 MiB          4 MB
//	           l0-compaction-trigger       4               4
//	           LBaseMaxBytes (L1 target)   64 MiB          64 MB
//	           bloom-bits (every level)    10              none
//	           block-size                  4 KiB           4 KiB
//	           compression                 snappy          snappy
//	           block-cache                 8 MiB           8 MB
//	           format                      FormatNewest    oldest supported
//	goleveldb  memtable-size (WriteBuffer) 64 MiB          4 MiB
//	           l0-compaction-trigger       4               4
//	           CompactionTotalSize (L1)    64 MiB          10 MiB
//	           bloom-bits                  10              none
//	           block-size                  4 KiB           4 KiB
//	           compression                 snappy          snappy
//	           block-cache                 8 MiB           8 MiB
//	badger     memtable-size               64 MiB          64 MB
//	           l0-compaction-trigger       4               5
//	           BaseLevelSize (L1 target)   64 MiB          10 MB
//	           bloom-bits                  10 (FP 0.82 %)  FP 1 % (9.6 bits)
//	           block-size                  4 KiB           4 KiB
//	           compression                 snappy          snappy
//	           block-cache                 8 MiB           256 MiB
//	           value-threshold             1 MiB           1 MiB
//	           SyncWrites                  false           false
//	           DetectConflicts             false           true
//	           logger                      silenced        INFO to stderr
//	bbolt      batch-size                  1000 writes     (one per Update)
//	           no-sync                     true            false
//	           NoFreelistSync              true            false
//	           FreelistType                hashmap         array
//	           page-size                   4 KiB           OS page size
//
// bbolt has no write-ahead log: every transaction commit writes the changed
// pages and a meta page, so committing each Put alone would measure the cost
// of a transaction rather than of a store. The adapter therefore buffers
// single Puts and Deletes and commits them in groups of batch-size
// operations, as an application using bbolt would; a Write(batch) joins the
// buffered group and commits it at once, so the batch is atomic. Gets read
// the buffer first, iterators, Sync and Close flush it, so every read sees
// every acknowledged write. With no-sync (bbolt's NoSync) a commit does not
// fsync; Sync and synced writes call DB.Sync. Beware that bbolt with NoSync
// is not crash-safe between syncs (a crash can leave a meta page pointing at
// unwritten pages): these settings are for throughput comparisons, not for
// keeping data.
//
// Badger's default DetectConflicts tracks read sets for optimistic
// transactions; kvlab's contract has no transactions, so it is off. Badger
// does not run value-log garbage collection on its own and the adapter does
// not either: with the default 1 MiB value threshold values live in the LSM.
//
// # Keys
//
// Badger and bbolt refuse the empty key, Badger reserves keys starting with
// "!badger!", and Pebble v2.1.7 panics while writing a table whose data
// block holds only the empty key (its maintainers do not promise empty keys
// work), so these three adapters store every key behind a one-byte prefix:
// one byte more per key, almost free in Pebble's and Badger's
// prefix-compressed blocks, a byte per key in bbolt's pages. goleveldb
// stores keys as they are. Per-engine key limits, enforced with an error
// wrapping kv.ErrKeyTooLarge: Pebble and goleveldb kv.MaxKeySize; Badger
// 64,999 bytes (its 65,000 less the prefix); bbolt 32,767 bytes (its 32,768
// less the prefix). Badger also bounds one Write: a batch whose inline data
// exceeds 15 % of the memtable (about 9.6 MiB by default) fails with
// Badger's ErrTxnTooBig and nothing of it is applied.
//
// # Iterators
//
// Pebble, goleveldb and Badger iterators read a point-in-time snapshot taken
// when the iterator is created. bbolt iterators read in chunks (16 keys at
// first, doubling to 512 while the iterator keeps stepping), each under its
// own short read transaction: a long read transaction would stop a writer in
// the same goroutine from growing the memory map (a deadlock), so a bbolt
// iterator may see writes made after it was created, but never skips,
// repeats or misorders a key that exists throughout. Closing an engine
// closes its open iterators; their Err then matches kv.ErrClosed.
//
// # Stats: figures from the operating system
//
// The peers do their own file I/O and cannot be routed through kvlab's vfs,
// so their Stats cannot account bytes per file kind. Ops and user bytes are
// counted by the adapter; DiskBytes is the space the files in the directory
// occupy (per file the smaller of its size and its allocated blocks, so the
// sparse preallocated files of Badger and bbolt count only what was
// written; Extra["disk.apparent_bytes"] sums the sizes); the engine's own
// metrics fill kv.LSMStats or kv.BTreeStats where they mean the same thing,
// and Extra the rest (prefixed with the engine name). The fields a peer
// cannot fill stay zero and are named by its UnreportedStats method
// (bench.PartialStats), so that reports show "-" rather than a zero that
// would look like the best figure: Pebble's tables per Get and filter false
// positives; goleveldb's flush and compaction counts, tables per Get and
// filter figures; Badger's flush, compaction and stall counts, tables per
// Get and filter figures; bbolt's pages read per operation and checkpoint
// bytes.
//
// Stats.IO has a single kind, "peer", taken from /proc/self/io as the
// difference since Open, and Extra["io-source-os"] is 1 so that reports say
// the figure came from the operating system. Which counter is used follows
// how the engine does its I/O:
//
//	engine     bytes written              bytes read
//	pebble     wchar  (write syscalls)    rchar (read syscalls)
//	goleveldb  wchar                      rchar
//	badger     write_bytes (device)       read_bytes (device)
//	bbolt      wchar                      read_bytes (device)
//
// wchar and rchar count bytes passed to write and read system calls, the
// same thing kvlab's vfs counts for its own engines. Badger writes and reads
// through memory maps and bbolt reads through one, which those counters do
// not see, so the device counters are used instead: write_bytes less
// cancelled_write_bytes counts pages dirtied (at page granularity, once per
// page between writebacks), read_bytes counts only reads that missed the
// page cache, so a device read figure is a lower bound. Extra["io-write-
// device"] and Extra["io-read-device"] are 1 when the device counter is used,
// and every raw delta is in Extra ("os.wchar", "os.rchar", "os.syscw",
// "os.syscr", "os.write_bytes", "os.read_bytes",
// "os.cancelled_write_bytes"). These counters are process-wide: they are
// only meaningful when one engine runs at a time and the process does little
// other I/O (a progress bar's few bytes on stderr count as writes). Where
// /proc/self/io does not exist the "peer" kind is zero and io-source-os is 0.
//
// kvlab.Options.FS is ignored, except that an in-memory vfs is refused: the
// peers always use the operating system's files.
package peers
