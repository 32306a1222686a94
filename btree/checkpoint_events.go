package btree

import (
	"time"

	"github.com/kvlab/kvlab/kv"
)

// checkpointBegin reports the start of a checkpoint of the store's own.
func (db *DB) checkpointBegin() (kv.CheckpointInfo, time.Time) {
	info := kv.CheckpointInfo{JobID: db.note.NextJob()}
	if f := db.note.Events().CheckpointBegin; f != nil {
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
	if f := db.note.Events().CheckpointEnd; f != nil {
		f(info)
	}
	if err == nil {
		db.note.Infof("btree: checkpoint %d: %d bytes in %v", info.JobID, info.Bytes, info.Duration)
	}
}
