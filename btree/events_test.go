package btree

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/kv/kvtest"
	"github.com/kvlab/kvlab/vfs"
)

// lineLogger counts log lines.
type lineLogger struct {
	mu          sync.Mutex
	info, error int
}

func (l *lineLogger) Infof(string, ...any)  { l.mu.Lock(); l.info++; l.mu.Unlock() }
func (l *lineLogger) Errorf(string, ...any) { l.mu.Lock(); l.error++; l.mu.Unlock() }

func TestEventsArriveInOrder(t *testing.T) {
	var log kvtest.EventLog
	var lg lineLogger
	o := Options{PageSize: 1 << 10, PoolSize: 256 << 10, CheckpointSize: 16 << 10,
		EventListener: log.Listener(), Logger: &lg}
	db, err := Open(vfs.NewMem(), "/db", o)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 2000 {
				db.Put([]byte(fmt.Sprintf("g%d-%06d", g, i)), []byte(strings.Repeat("v", 50)))
			}
		}()
	}
	wg.Wait()
	if err := db.Checkpoint("/copy"); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := log.Check(false); err != nil {
		t.Fatal(err)
	}
	if n := log.Count("checkpoint-end"); n < 3 || log.Count("wal-rotated") < 2 {
		t.Fatalf("%d checkpoints and %d WAL rotations recorded", n, log.Count("wal-rotated"))
	}
	copies := 0
	for _, e := range log.Events() {
		if info, ok := e.Info.(kv.CheckpointInfo); ok && e.Kind == "checkpoint-end" {
			if info.Dir == "/copy" {
				copies++
			} else if info.Bytes <= 0 {
				t.Errorf("checkpoint %d wrote %d bytes", e.JobID, info.Bytes)
			}
		}
	}
	if copies != 1 || lg.info < log.Count("checkpoint-end") || lg.error != 0 {
		t.Errorf("%d Checkpoint copies reported; logger: %d info lines, %d errors", copies, lg.info, lg.error)
	}
}
