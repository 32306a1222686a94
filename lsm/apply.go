package lsm

import (
	"fmt"

	"github.com/kvlab/kvlab/lsm/manifest"
)

// logAndApply records edit in the manifest (durably) and installs the
// resulting version; mutate, if not nil, runs under db.mu just before the
// new read state is published (the flush uses it to drop the flushed
// memtable at the same moment its table appears). When the manifest has
// grown past MaxManifestSize, a new one is started from a snapshot of the
// new version instead, and CURRENT switched to it.
func (db *DB) logAndApply(edit *manifest.VersionEdit, mutate func()) error {
	db.manifestMu.Lock()
	defer db.manifestMu.Unlock()

	db.mu.Lock()
	v := db.version
	rewrite := db.manifest.Size() >= db.opts.MaxManifestSize
	var newNum uint64
	if rewrite {
		newNum = db.nextFileNum
		db.nextFileNum++
	}
	edit.NextFileNum, edit.HasNextFileNum = db.nextFileNum, true
	edit.LastSeq, edit.HasLastSeq = db.visibleSeq.Load(), true
	logNum := db.logNum
	db.mu.Unlock()
	if edit.HasLogNum {
		logNum = edit.LogNum
	}

	nv, err := v.Apply(edit)
	if err != nil {
		return fmt.Errorf("lsm: apply version edit: %w", err)
	}
	if rewrite {
		snap := nv.Snapshot()
		snap.LogNum, snap.HasLogNum = logNum, true
		snap.NextFileNum, snap.HasNextFileNum = edit.NextFileNum, true
		snap.LastSeq, snap.HasLastSeq = edit.LastSeq, true
		w, err := manifest.Create(db.fs, db.dir, newNum, snap)
		if err != nil {
			return fmt.Errorf("lsm: rewrite manifest: %w", err)
		}
		old := db.manifest
		db.manifest = w
		old.Close()
		db.stats.manifestRewrites.Add(1)
	} else if err := db.manifest.Apply(edit); err != nil {
		return fmt.Errorf("lsm: write manifest: %w", err)
	}

	db.mu.Lock()
	db.version = nv
	db.logNum = logNum
	if mutate != nil {
		mutate()
	}
	db.installReadStateLocked()
	db.obsoletePending = true
	db.bgCond.Broadcast()
	db.mu.Unlock()
	return nil
}
