package lsm

import (
	"github.com/kvlab/kvlab/lsm/manifest"
	"github.com/kvlab/kvlab/vfs"
)

// deleteObsoleteFiles removes the files no reader and no recovery can need:
// tables in no live version (the current one, or one a reader still holds)
// and not being written; logs older than the manifest's log number (their
// memtables are in tables the manifest names); manifests older than the
// current one; and temporary files. New files always get numbers at or
// above nextFileNum as read here, so a file created during the sweep is
// never taken for obsolete.
func (db *DB) deleteObsoleteFiles() {
	if db.opts.ReadOnly {
		return
	}
	// Hold off manifest rewrites, whose temporary file this would remove.
	db.manifestMu.Lock()
	defer db.manifestMu.Unlock()
	db.mu.Lock()
	live := map[uint64]bool{}
	addVersion := func(v *manifest.Version) {
		for _, lvl := range v.Levels {
			for _, t := range lvl {
				live[t.FileNum] = true
			}
		}
	}
	addVersion(db.version)
	for rs := range db.liveStates {
		addVersion(rs.version)
	}
	for n := range db.pendingOutputs {
		live[n] = true
	}
	logNum, manifestNum, limit := db.logNum, db.manifest.Num(), db.nextFileNum
	names, err := db.fs.List(db.dir)
	db.mu.Unlock()
	if err != nil {
		return // retried after the next flush or compaction
	}
	for _, name := range names {
		typ, num, ok := manifest.ParseFileName(name)
		if !ok || num >= limit {
			continue
		}
		path := vfs.Join(db.dir, name)
		switch typ {
		case manifest.TypeTable:
			if !live[num] {
				db.tables.evict(num)
				db.rdTables.forget(num)
				db.fs.Remove(path)
			}
		case manifest.TypeLog:
			if num < logNum {
				db.fs.Remove(path)
			}
		case manifest.TypeManifest:
			if num < manifestNum {
				db.fs.Remove(path)
			}
		case manifest.TypeTemp:
			db.fs.Remove(path)
		}
	}
}
