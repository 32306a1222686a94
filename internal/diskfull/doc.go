// Package diskfull holds the full-disk tests of issue 13 (item 9): both
// engines write on real files until the disk refuses — a file-size limit
// (RLIMIT_FSIZE, in a re-executed test binary: writes past it fail with
// EFBIG) or a small tmpfs (ENOSPC, where one can be mounted) — and the
// tests check that every write after the failure errors, that Close returns
// the error, that nothing acknowledged as synced is lost and the store holds
// a prefix of the acknowledged writes on reopen without the limit, and that
// Check passes. The package has no API; see diskfull_test.go.
package diskfull
