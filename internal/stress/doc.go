// Package stress is kvlab's stress and crash tester, behind `kvlab stress`:
// the kin of RocksDB's db_stress and crash test, Badger's bank test and
// bbolt's robustness test.
//
// # Workload
//
// Threads worker goroutines issue random operations against one store
// (ops.go has the table): single puts and deletes, batches of 2-8 keys
// (some synced), synced single writes, Sync calls, gets, forward and
// backward scans of up to 100 keys, range deletes of owned keys where the
// engine applies them, and, on lsm, snapshot reads. The engine's
// options are randomized from the seed — tiny memtables, tables and
// manifests for lsm, tiny pages, pools and checkpoints for btree — so that
// flushes, compactions, splits, evictions and checkpoints happen all the
// time on a small store.
//
// Every value encodes the index of its key, its version (the key's write
// counter), the number of the operation that wrote it and a CRC32C over all
// of it (value.go). A read therefore tells exactly which write it returned,
// and is checked.
//
// # Expected state
//
// Each key is written by one worker only: key k belongs to worker
// k % Threads (key striping). So the writes of a key form a sequence in
// its owner's program order, and per key there is at most one write in
// flight. Readers read any key.
//
// The expected state (state.go) holds, per key: the pending version (the
// write in flight, with its operation number and whether it is a
// deletion), the acknowledged version (with its operation number), the
// highest acknowledged deletion, and a synced version; per worker, a
// synced watermark (every operation it numbered up to it is durable) and
// the first operation number of the current cycle. It lives in memory and
// in a file of 64-byte records, each written with one pwrite at an aligned
// offset: a key's record is written before the engine sees a write
// (pending) and after the engine acknowledges it (acked; synced too if it
// was a Sync write). When a Sync returns, or a synced write is
// acknowledged, every worker's watermark rises to the number of the last
// write that worker had acknowledged before the Sync was called or the
// synced write issued: Sync makes every acknowledged write durable, and a
// synced write survives a crash together with everything committed before
// it (the prefix property), which includes every write acknowledged before
// it was issued, by any worker.
//
// A SIGKILL cannot undo a completed pwrite (the data is in the page cache),
// so after a kill the file is never behind the store: a write the engine
// may have seen is at least pending in it, and a write recorded as
// acknowledged or synced was. (The tester kills processes, not machines:
// surviving a power cut would take an fsync of the file per record.)
//
// # What a read may find
//
// While the workers run (window.go, onlineWindow), a read of key k that
// started when k's acknowledged version was a and ended when its pending
// version was p may find any version in [a, p]; it may find k absent if
// one of those versions is a deletion (version 0, "never written", counts
// as one). A value with the right version but the wrong operation number,
// another key's value or a bad checksum is a violation. A scan checks each
// key in its range likewise (absent keys too), plus order and bounds; a
// snapshot's reads must fall between the states before and after the
// snapshot was taken, and its Get and its iterator must agree.
//
// After a clean Close and reopen every key must hold exactly its
// acknowledged version (cleanWindow).
//
// After a SIGKILL (crashWindow) the allowed set for key k is the versions
// from a lower bound up to its pending version, where the lower bound is
// the largest of:
//
//   - the synced version: the record's synced version, or the acknowledged
//     version if the owner's watermark covers its operation number
//     (durability: Sync and synced writes are never lost);
//   - the acknowledged version, if the store holds any value written by
//     an operation of k's owner numbered at or above the one that
//     acknowledged it; the pending version, likewise (the prefix
//     property, below).
//
// The prefix property says that what survives a crash is a prefix of the
// engine's commit order. With concurrent writers nobody outside the engine
// knows that order, so the tester checks what it implies and can be
// known: each worker's writes are issued one at a time, each after the
// previous one was acknowledged, so the engine committed them in the
// worker's program order; a surviving write of worker t numbered s
// therefore implies that every write of t numbered below s survived (its
// keys hold at least those versions), and that all of write s survived (a
// batch is atomic: every key of it holds at least its version). The newest
// operation number of t found among the store's values is the cut; keys
// whose last write was a deletion cannot show it but are held to it.
// Between workers the order is known only where real time fixes it, and
// is checked where a synced write or a Sync fixes it (the watermarks
// above); two writes of different workers in flight together may commit
// in either order, so a surviving write of one worker says nothing of the
// other's. Versions issued after the cut, or unsynced, may or may not have
// survived; nothing newer than the pending version may appear.
//
// After verifying, the parent closes the store cleanly and makes what it
// holds the new baseline: every key's versions collapse to the one found
// (durable now), and each worker's operation numbers restart above every
// number in the store and in the old state, so that values of earlier
// cycles never count as the newest operation of the next.
//
// # Crash mode
//
// With Config.CrashEvery the workers run in a child process (RunChild, the
// CLI's hidden `kvlab stress --child DIR`), which reports on its stdout when
// the store is open, its operation counts and any violation it finds. The
// parent kills it with SIGKILL at a random moment — one kill in five
// aimed at its start, while it opens and recovers the store — then reopens
// the store, verifies every key by Get and by a full scan, runs the
// engine's kv.Checker and rebases the expected state; then starts the next
// child on the same, growing store. A cycle with a violation ends the run.
//
// # Extending
//
// A new operation is one entry in the table in ops.go; its comment says
// what a write must do to keep the expected state exact (range deletions,
// once engines have them, are the next).
package stress
