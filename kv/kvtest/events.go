package kvtest

import (
	"fmt"
	"sync"

	"github.com/kvlab/kvlab/kv"
)

// EventLog records the events of a kv.EventListener, in the order they
// arrive, for a test to check with Check.
type EventLog struct {
	mu     sync.Mutex
	events []Event
}

// Event is one recorded event.
type Event struct {
	// Kind names it: "flush-begin", "flush-end", "compaction-begin",
	// "compaction-end", "stall-begin", "stall-end", "checkpoint-begin",
	// "checkpoint-end", "wal-rotated", "background-error".
	Kind string
	// JobID is the job's ID for begin and end events.
	JobID int
	// Info is the event's argument (a kv.FlushInfo, ...), if any.
	Info any
}

func (l *EventLog) add(e Event) {
	l.mu.Lock()
	l.events = append(l.events, e)
	l.mu.Unlock()
}

// Listener returns a listener that records every event in l.
func (l *EventLog) Listener() *kv.EventListener {
	return &kv.EventListener{
		FlushBegin:      func(i kv.FlushInfo) { l.add(Event{"flush-begin", i.JobID, i}) },
		FlushEnd:        func(i kv.FlushInfo) { l.add(Event{"flush-end", i.JobID, i}) },
		CompactionBegin: func(i kv.CompactionInfo) { l.add(Event{"compaction-begin", i.JobID, i}) },
		CompactionEnd:   func(i kv.CompactionInfo) { l.add(Event{"compaction-end", i.JobID, i}) },
		WriteStallBegin: func(i kv.WriteStallInfo) { l.add(Event{"stall-begin", 0, i}) },
		WriteStallEnd:   func() { l.add(Event{"stall-end", 0, nil}) },
		CheckpointBegin: func(i kv.CheckpointInfo) { l.add(Event{"checkpoint-begin", i.JobID, i}) },
		CheckpointEnd:   func(i kv.CheckpointInfo) { l.add(Event{"checkpoint-end", i.JobID, i}) },
		WALRotated:      func(i kv.WALInfo) { l.add(Event{"wal-rotated", 0, i}) },
		BackgroundError: func(err error) { l.add(Event{"background-error", 0, err}) },
	}
}

// Events returns a copy of the events recorded so far.
func (l *EventLog) Events() []Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]Event(nil), l.events...)
}

// Count returns how many events of kind were recorded.
func (l *EventLog) Count(kind string) int {
	n := 0
	for _, e := range l.Events() {
		if e.Kind == kind {
			n++
		}
	}
	return n
}

// copyKind tells a Checkpoint(destDir) copy, which contains a checkpoint
// of the store's own, from that checkpoint.
func copyKind(e Event) string {
	if info, ok := e.Info.(kv.CheckpointInfo); ok && info.Dir != "" {
		return " copy"
	}
	return ""
}

// Check verifies the log's order: every begin is followed by one end of
// the same kind and job ID, and no end comes without its begin; jobs of
// one kind (flushes, compactions, checkpoints, checkpoint copies) do not
// overlap, as the engines run one of each at a time; write stalls begin and end in turn
// (one commit leader stalls at a time); WAL rotations move to ever newer
// logs; ends carry no error unless a background error was reported. Jobs
// still open at the end are allowed only when open is true.
func (l *EventLog) Check(open bool) error {
	running := map[string]int{} // kind -> job ID of the running job
	stalled := false
	var lastWAL uint64
	failed := false
	for i, e := range l.Events() {
		switch e.Kind {
		case "flush-begin", "compaction-begin", "checkpoint-begin":
			k := e.Kind[:len(e.Kind)-len("-begin")] + copyKind(e)
			if id, ok := running[k]; ok {
				return fmt.Errorf("event %d: %s of job %d while job %d runs", i, e.Kind, e.JobID, id)
			}
			running[k] = e.JobID
		case "flush-end", "compaction-end", "checkpoint-end":
			k := e.Kind[:len(e.Kind)-len("-end")] + copyKind(e)
			id, ok := running[k]
			if !ok || id != e.JobID {
				return fmt.Errorf("event %d: %s of job %d without its begin", i, e.Kind, e.JobID)
			}
			delete(running, k)
			var err error
			switch info := e.Info.(type) {
			case kv.FlushInfo:
				err = info.Err
			case kv.CompactionInfo:
				err = info.Err
			case kv.CheckpointInfo:
				err = info.Err
			}
			if err != nil && !failed {
				return fmt.Errorf("event %d: %s of job %d failed (%v) with no background error reported before", i, e.Kind, e.JobID, err)
			}
		case "stall-begin":
			if stalled {
				return fmt.Errorf("event %d: a write stall begins inside another", i)
			}
			stalled = true
		case "stall-end":
			if !stalled {
				return fmt.Errorf("event %d: a write stall ends that did not begin", i)
			}
			stalled = false
		case "wal-rotated":
			w := e.Info.(kv.WALInfo)
			if w.NewNum <= w.OldNum || w.NewNum <= lastWAL {
				return fmt.Errorf("event %d: WAL rotation from %d to %d after one to %d", i, w.OldNum, w.NewNum, lastWAL)
			}
			lastWAL = w.NewNum
		case "background-error":
			failed = true
		}
	}
	if !open && (len(running) > 0 || stalled) {
		return fmt.Errorf("jobs still running at the end: %v (stalled %v)", running, stalled)
	}
	return nil
}
