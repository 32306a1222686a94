package kv

import "time"

// Logger receives an engine's log lines. Engines log a line per flush,
// compaction and checkpoint with Infof, and background errors with
// Errorf. A nil Logger (the default) logs nothing. A *log.Logger serves
// through a small adapter:
//
//	type stdLogger struct{ *log.Logger }
//	func (l stdLogger) Infof(f string, a ...any)  { l.Printf("INFO "+f, a...) }
//	func (l stdLogger) Errorf(f string, a ...any) { l.Printf("ERROR "+f, a...) }
type Logger interface {
	// Infof logs a routine event.
	Infof(format string, args ...any)
	// Errorf logs an error the engine met in the background.
	Errorf(format string, args ...any)
}

// EventListener holds the functions an engine calls on its background
// events; nil fields (and a nil *EventListener, the default) are skipped.
// They are called synchronously from the goroutine doing the work, in the
// order the events happen, possibly with engine locks held: they must
// return quickly and must not call the engine. Every Begin is followed by
// its End with the same JobID (an End carries Err when the job failed).
type EventListener struct {
	// FlushBegin and FlushEnd bracket an LSM flush of a memtable to an L0
	// table.
	FlushBegin, FlushEnd func(FlushInfo)
	// CompactionBegin and CompactionEnd bracket an LSM compaction.
	CompactionBegin, CompactionEnd func(CompactionInfo)
	// WriteStallBegin and WriteStallEnd bracket a time writes wait for
	// background work (LSM: full memtables or L0 at its stop trigger;
	// B+tree: the dirty budget, a checkpoint that must finish first).
	WriteStallBegin func(WriteStallInfo)
	WriteStallEnd   func()
	// CheckpointBegin and CheckpointEnd bracket a B+tree checkpoint, and a
	// Checkpoint(destDir) copy of either engine (Dir set).
	CheckpointBegin, CheckpointEnd func(CheckpointInfo)
	// WALRotated reports that writes moved to a new log.
	WALRotated func(WALInfo)
	// BackgroundError reports an error of background work; after it the
	// store is read-only (writes return ErrReadOnly).
	BackgroundError func(error)
}

// FlushInfo describes a flush.
type FlushInfo struct {
	// JobID pairs a FlushBegin with its FlushEnd; it is unique per engine.
	JobID int
	// InputBytes is the memtable's size.
	InputBytes int64
	// OutputBytes is the table's size (FlushEnd only).
	OutputBytes int64
	// Duration is the flush's duration (FlushEnd only).
	Duration time.Duration
	// Err is the flush's error, if it failed (FlushEnd only).
	Err error
}

// CompactionInfo describes a compaction.
type CompactionInfo struct {
	// JobID pairs a CompactionBegin with its CompactionEnd.
	JobID int
	// FromLevel and ToLevel are the input and output levels.
	FromLevel, ToLevel int
	// InputTables and InputBytes count the tables read from both levels.
	InputTables int
	InputBytes  int64
	// OutputTables and OutputBytes count the tables written
	// (CompactionEnd only).
	OutputTables int
	OutputBytes  int64
	// TrivialMove is true for a table moved down without a rewrite.
	TrivialMove bool
	// Manual is true for a compaction of a Compact call.
	Manual bool
	// Duration is the compaction's duration (CompactionEnd only).
	Duration time.Duration
	// Err is the compaction's error, if it failed (CompactionEnd only).
	Err error
}

// WriteStallInfo says why writes stall.
type WriteStallInfo struct {
	// Reason is a short description: "memtables full", "L0 stop trigger",
	// "checkpoint behind".
	Reason string
}

// CheckpointInfo describes a checkpoint.
type CheckpointInfo struct {
	// JobID pairs a CheckpointBegin with its CheckpointEnd.
	JobID int
	// Dir is the destination of a Checkpoint(destDir) copy; "" for a
	// B+tree's own checkpoint.
	Dir string
	// Bytes is the number of bytes written (CheckpointEnd only).
	Bytes int64
	// Duration is the checkpoint's duration (CheckpointEnd only).
	Duration time.Duration
	// Err is the checkpoint's error, if it failed (CheckpointEnd only).
	Err error
}

// WALInfo describes a log rotation.
type WALInfo struct {
	// OldNum and NewNum are the file numbers of the log left and the log
	// writes go to now.
	OldNum, NewNum uint64
}
