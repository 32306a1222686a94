package lsm

import (
	"sync/atomic"

	"github.com/kvlab/kvlab/kv"
)

// noEvents stands for a nil Options.EventListener.
var noEvents = &kv.EventListener{}

// events returns the listener, never nil.
func (db *DB) events() *kv.EventListener {
	if db.opts.EventListener == nil {
		return noEvents
	}
	return db.opts.EventListener
}

// jobIDs numbers flushes, compactions and checkpoints for the events.
type jobIDs struct{ n atomic.Int64 }

func (j *jobIDs) next() int { return int(j.n.Add(1)) }

// infof logs a routine event to Options.Logger, if any.
func (db *DB) infof(format string, args ...any) {
	if l := db.opts.Logger; l != nil {
		l.Infof(format, args...)
	}
}

// reportBGError tells the listener and the logger of a background error.
func (db *DB) reportBGError(err error) {
	if f := db.events().BackgroundError; f != nil {
		f(err)
	}
	if l := db.opts.Logger; l != nil {
		l.Errorf("lsm: %v", err)
	}
}
