// Package notify is the event and log plumbing both engines share: a
// listener that is never nil, an optional logger, job numbers for the
// events, and the begin/end reporting of an online checkpoint copy. The
// engines call kv.EventListener's hooks synchronously through it.
package notify

import (
	"sync/atomic"
	"time"

	"github.com/kvlab/kvlab/kv"
)

// noEvents stands for a nil listener.
var noEvents = &kv.EventListener{}

// Notifier reports one store's events and log lines. Its zero value
// reports nothing; its methods are safe for concurrent use.
type Notifier struct {
	engine   string
	listener *kv.EventListener
	logger   kv.Logger
	jobs     atomic.Int64
}

// New returns a notifier for a store of the named engine ("lsm", which
// prefixes its error lines) with the given listener and logger, either of
// which may be nil.
func New(engine string, l *kv.EventListener, log kv.Logger) *Notifier {
	return &Notifier{engine: engine, listener: l, logger: log}
}

// Events returns the listener, never nil: a hook that is nil is not
// called.
func (n *Notifier) Events() *kv.EventListener {
	if n.listener == nil {
		return noEvents
	}
	return n.listener
}

// NextJob numbers the next flush, compaction or checkpoint.
func (n *Notifier) NextJob() int { return int(n.jobs.Add(1)) }

// Infof logs a routine event, if there is a logger.
func (n *Notifier) Infof(format string, args ...any) {
	if n.logger != nil {
		n.logger.Infof(format, args...)
	}
}

// BackgroundError tells the listener and the logger of an error of the
// store's background work.
func (n *Notifier) BackgroundError(err error) {
	if f := n.Events().BackgroundError; f != nil {
		f(err)
	}
	if n.logger != nil {
		n.logger.Errorf("%s: %v", n.engine, err)
	}
}

// CheckpointCopy runs copyTo, an online consistent copy of the store into
// destDir, between CheckpointBegin and CheckpointEnd events, and logs it.
func (n *Notifier) CheckpointCopy(destDir string, copyTo func(string) error) error {
	start := time.Now()
	ev := n.Events()
	info := kv.CheckpointInfo{JobID: n.NextJob(), Dir: destDir}
	if ev.CheckpointBegin != nil {
		ev.CheckpointBegin(info)
	}
	err := copyTo(destDir)
	info.Duration, info.Err = time.Since(start), err
	if ev.CheckpointEnd != nil {
		ev.CheckpointEnd(info)
	}
	if err == nil {
		n.Infof("%s: checkpoint %d: consistent copy in %s in %v", n.engine, info.JobID, destDir, info.Duration)
	}
	return err
}
