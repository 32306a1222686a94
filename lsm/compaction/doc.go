// Package compaction is the leveled-compaction policy of kvlab's LSM
// engine, as pure functions over an immutable manifest.Version: it decides
// what to compact and where to cut output tables, and predicts what the
// policy costs, without doing any I/O. The engine (package lsm) executes the
// jobs; a teaching lab can run the policy in Simulate.
//
// # Levels and scores
//
// L0 holds flushed memtables, whose key ranges overlap. L1 is kept under
// L1TargetSize and every level below under LevelRatio times the one above
// (TargetSize); the last level, L6, has no target. Scores rates each level:
// L0 by table count over L0CompactionThreshold (or by bytes over that many
// L1 targets, whichever is larger), the others by size over target. A score of 1 or
// more means the level needs compacting, and Picker.Pick chooses the level
// with the highest such score.
//
// # Picking a job
//
// From L0 the picker takes the oldest table and every L0 table overlapping
// it, transitively, so that no L0 table left behind holds an older version of
// a key that moves down; from L1 and below it takes one table, the first
// after the level's round-robin cursor (LevelDB's compact pointer), so that
// successive compactions sweep the key space. The job also reads the tables
// of the next level overlapping those inputs. A table with nothing below it
// and few bytes two levels down is moved, not rewritten (TrivialMove).
//
// Pick takes a busy predicate — the tables of jobs still running — and
// never returns a job that includes one, trying other L0 seeds, other tables
// of the level and then lower-scoring levels instead. Jobs picked this way
// write disjoint key ranges of each level, so they can run concurrently and
// their version edits apply in any order.
//
// # Executing a job
//
// The executor merges Inputs and Overlapping and writes OutputLevel tables. It
// asks the job's Splitter, key by key, where to end a table: at
// TargetFileSize, or when the table would overlap more than ten target
// files of the grandparent level (so that compacting it later stays cheap),
// but never between two versions of one user key, since a level's tables
// must not share a user key. Compaction.IsBaseLevelForKey says when a
// tombstone can be dropped: no level below the output holds the key.
//
// # Cost model and simulator
//
// Predict is the textbook model of leveled compaction — write, read and
// space amplification for a store of a given size — that the benchmark
// prints beside its measurements; its doc comment derives the formulas.
// Simulate runs the real Picker and Splitter over modelled data (key ranges
// and fill fractions instead of entries) and measures the bytes each level
// writes; the tests check that the two agree.
package compaction
