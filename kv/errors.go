package kv

import (
	"errors"
	"fmt"
)

var (
	// ErrNotFound is returned by Get when the key has no value.
	ErrNotFound = errors.New("kv: not found")
	// ErrClosed is returned by every operation on a closed engine, iterator
	// or file.
	ErrClosed = errors.New("kv: closed")
	// ErrCorruption is matched (with errors.Is) by every error that reports
	// damaged data: a checksum mismatch, an impossible length, a format
	// violation. The concrete error is usually a *CorruptionError.
	ErrCorruption = errors.New("kv: corruption")
	// ErrKeyTooLarge is returned when a key exceeds the engine's limit.
	ErrKeyTooLarge = errors.New("kv: key too large")
	// ErrValueTooLarge is returned when a value exceeds the engine's limit.
	ErrValueTooLarge = errors.New("kv: value too large")
	// ErrReadOnly is returned by writes after the engine met an I/O error it
	// cannot recover from, or when it was opened read-only. Reads go on.
	ErrReadOnly = errors.New("kv: read-only")
	// ErrUnsupportedVersion is returned by Open when a store's files are
	// intact but of a newer format version than this build can read: not
	// damage, and not a reason to recreate the store.
	ErrUnsupportedVersion = errors.New("kv: unsupported format version")
	// ErrNoStore is returned by Open when the directory holds no store and
	// the options say there must be one (MustExist, ReadOnly), and by
	// kvlab.Detect for a missing or empty directory.
	ErrNoStore = errors.New("kv: no store")
	// ErrForeignStore is returned by Open when the directory holds another
	// engine's store or files the engine does not recognise; the error
	// names what it found. Open changes nothing in such a directory.
	ErrForeignStore = errors.New("kv: not this engine's store")
	// ErrNilBatch is returned by Engine.Write for a nil *Batch.
	ErrNilBatch = errors.New("kv: nil batch")
	// ErrInvalidRange is returned by Write for a batch holding a
	// DeleteRange whose start is after its end.
	ErrInvalidRange = errors.New("kv: invalid range")
	// ErrNotSupported is returned by an engine asked for an operation it
	// does not implement (such as a DeleteRange on a peer engine without
	// range deletes); nothing is changed.
	ErrNotSupported = errors.New("kv: operation not supported")
)

// CorruptionError reports damaged data in a file at an offset. It matches
// ErrCorruption with errors.Is.
type CorruptionError struct {
	// File is the damaged file's path.
	File string
	// Offset is the byte offset of the damaged record, block or page; -1 when
	// unknown.
	Offset int64
	// Reason says what is wrong.
	Reason string
	// Err is an underlying cause, if any.
	Err error
}

// Corruptf returns a *CorruptionError for file at offset with a formatted reason.
func Corruptf(file string, offset int64, format string, args ...any) *CorruptionError {
	return &CorruptionError{File: file, Offset: offset, Reason: fmt.Sprintf(format, args...)}
}

// Error reads "kv: corruption in FILE at offset N: REASON: CAUSE".
func (e *CorruptionError) Error() string {
	s := "kv: corruption"
	if e.File != "" {
		s += " in " + e.File
	}
	if e.Offset >= 0 {
		s += fmt.Sprintf(" at offset %d", e.Offset)
	}
	if e.Reason != "" {
		s += ": " + e.Reason
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Is makes errors.Is(err, ErrCorruption) true.
func (e *CorruptionError) Is(target error) bool { return target == ErrCorruption }

// Unwrap returns the underlying cause.
func (e *CorruptionError) Unwrap() error { return e.Err }

// SizeError reports a key or value over a size limit. It matches its Err
// (ErrKeyTooLarge or ErrValueTooLarge) with errors.Is.
type SizeError struct {
	Err   error
	Size  int
	Limit int
}

// Error reads "kv: key too large: N bytes, limit M".
func (e *SizeError) Error() string {
	return fmt.Sprintf("%v: %d bytes, limit %d", e.Err, e.Size, e.Limit)
}

// Unwrap returns ErrKeyTooLarge or ErrValueTooLarge.
func (e *SizeError) Unwrap() error { return e.Err }
