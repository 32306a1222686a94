package lsm

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kvlab/kvlab/vfs"
)

// slowSyncFS blocks the first Sync of a log file, once armed, until
// release is closed.
type slowSyncFS struct {
	*vfs.MemFS
	mu      sync.Mutex
	armed   bool
	blocked chan struct{} // closed when a log's Sync blocks
	release chan struct{}
}

func (s *slowSyncFS) Create(name string, k vfs.Kind) (vfs.File, error) {
	f, err := s.MemFS.Create(name, k)
	if err != nil || !strings.HasSuffix(name, ".log") {
		return f, err
	}
	return &slowSyncFile{File: f, fs: s}, nil
}

type slowSyncFile struct {
	vfs.File
	fs *slowSyncFS
}

func (f *slowSyncFile) Sync() error {
	f.fs.mu.Lock()
	block := f.fs.armed
	f.fs.armed = false
	f.fs.mu.Unlock()
	if block {
		close(f.fs.blocked)
		<-f.fs.release
	}
	return f.File.Sync()
}

// TestRotationDoesNotHoldMutexAcrossSync checks that while a memtable
// rotation waits for the old WAL's fsync, operations that take db.mu (here
// Snapshot) are not held up, and that the writes are all there afterwards.
func TestRotationDoesNotHoldMutexAcrossSync(t *testing.T) {
	fs := &slowSyncFS{MemFS: vfs.NewMem(), blocked: make(chan struct{}), release: make(chan struct{})}
	db := mustOpen(t, fs, "/db", tinyOptions())
	defer db.Close()
	fs.mu.Lock()
	fs.armed = true
	fs.mu.Unlock()

	const n = 2000 // several memtables of tinyOptions
	done := make(chan error, 1)
	go func() {
		for i := 0; i < n; i++ {
			if err := db.Put(key(i), []byte(fmt.Sprintf("value %d", i))); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	select {
	case <-fs.blocked:
	case err := <-done:
		t.Fatalf("the writes finished (%v) without a WAL sync", err)
	case <-time.After(30 * time.Second):
		t.Fatal("no WAL sync within 30s")
	}
	snapped := make(chan error, 1)
	go func() {
		s, err := db.Snapshot()
		if err == nil {
			err = s.Close()
		}
		snapped <- err
	}()
	select {
	case err := <-snapped:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		close(fs.release)
		t.Fatal("Snapshot waited for the rotating WAL's sync: db.mu is held across it")
	}
	close(fs.release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		v, err := db.Get(key(i))
		if err != nil || string(v) != fmt.Sprintf("value %d", i) {
			t.Fatalf("key %d: %q, %v", i, v, err)
		}
	}
}
