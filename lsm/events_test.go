package lsm

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/kv/kvtest"
	"github.com/kvlab/kvlab/vfs"
)

// testLogger records log lines.
type testLogger struct {
	mu          sync.Mutex
	info, error []string
}

func (l *testLogger) Infof(f string, a ...any) {
	l.mu.Lock()
	l.info = append(l.info, fmt.Sprintf(f, a...))
	l.mu.Unlock()
}

func (l *testLogger) Errorf(f string, a ...any) {
	l.mu.Lock()
	l.error = append(l.error, fmt.Sprintf(f, a...))
	l.mu.Unlock()
}

func TestEventsArriveInOrder(t *testing.T) {
	var log kvtest.EventLog
	var lg testLogger
	o := tinyOptions()
	o.EventListener, o.Logger = log.Listener(), &lg
	db := mustOpen(t, vfs.NewMem(), "/db", o)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 3000 {
				db.Put([]byte(fmt.Sprintf("g%d-%06d", g, i)), []byte(strings.Repeat("v", 100)))
			}
		}()
	}
	wg.Wait()
	if err := db.Compact(nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := db.Checkpoint("/copy"); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := log.Check(false); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"flush-end", "compaction-end", "wal-rotated", "checkpoint-end"} {
		if log.Count(k) == 0 {
			t.Errorf("no %s event", k)
		}
	}
	manual := false
	for _, e := range log.Events() {
		switch info := e.Info.(type) {
		case kv.FlushInfo:
			if e.Kind == "flush-end" && (info.OutputBytes <= 0 || info.InputBytes <= 0) {
				t.Errorf("flush %d: %+v", e.JobID, info)
			}
		case kv.CompactionInfo:
			if info.ToLevel != info.FromLevel+1 || info.InputTables == 0 || (e.Kind == "compaction-end" && info.OutputTables == 0 && !info.TrivialMove) {
				t.Errorf("compaction %d: %+v", e.JobID, info)
			}
			manual = manual || info.Manual
		}
	}
	if !manual {
		t.Error("Compact's compactions are not marked Manual")
	}
	if len(lg.info) < log.Count("flush-end")+log.Count("compaction-end") || len(lg.error) != 0 {
		t.Errorf("logger: %d info lines for %d flushes and %d compactions, errors %q", len(lg.info), log.Count("flush-end"), log.Count("compaction-end"), lg.error)
	}
}
