// Package vfs is the file system every kvlab engine uses for every file
// operation, so that tests can replace the disk and the benchmark can see
// every byte.
//
// The FS interface is files only: no clock and no threads. Implementations:
//
//   - Default / NewOS: the operating system's files, with a real exclusive
//     flock(2) lock per directory.
//   - NewMem: an in-memory file system that tracks what has been synced and
//     can produce a crash clone (CrashClone) holding only what a real disk
//     would keep after a power cut.
//   - NewFaultFS: a wrapper that injects I/O errors and short writes into
//     chosen operations.
//   - NewAccounting: a wrapper that counts bytes and operations by file Kind,
//     which the engines declare when they create or open a file.
//   - NewDevice: a simulated storage device that charges each read, sync
//     and write-back a modelled service time on a virtual clock (nothing
//     sleeps), so that benchmarks can turn amplification into device time
//     (docs/device-model.md).
//
// Writes to a File go to its write offset, which starts at the end of the
// file when it is opened and advances with each Write; WriteAt writes at an
// explicit offset and does not move it. A file's data is durable after Sync
// returns; a file's creation, removal or rename is durable after SyncDir on
// the directory holding the name.
package vfs
