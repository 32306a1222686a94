package btree

import (
	"sync/atomic"
	"time"

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

// jobIDs numbers checkpoints for the events.
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
		l.Errorf("btree: %v", err)
	}
}

// checkpointBegin reports the start of a checkpoint of the store's own.
func (db *DB) checkpointBegin() (kv.CheckpointInfo, time.Time) {
	info := kv.CheckpointInfo{JobID: db.jobs.next()}
	if f := db.events().CheckpointBegin; f != nil {
		f(info)
	}
	return info, time.Now()
}

// checkpointEnd reports the end of checkpoint c (nil when it failed with
// err).
func (db *DB) checkpointEnd(info kv.CheckpointInfo, start time.Time, c *ckpt, err error) {
	info.Duration, info.Err = time.Since(start), err
	if c != nil {
		info.Bytes = c.written + metaSize
	}
	if f := db.events().CheckpointEnd; f != nil {
		f(info)
	}
	if err == nil {
		db.infof("btree: checkpoint %d: %d bytes in %v", info.JobID, info.Bytes, info.Duration)
	}
}
