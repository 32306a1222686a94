package vfs

import (
	"fmt"
	"io"
	"os"
	"path"
	"sync"
)

// Op is a set of file-system operations, for choosing where a FaultFS
// injects faults.
type Op uint32

// Operations. OpWrite covers Write and WriteAt; OpRead covers ReadAt.
const (
	OpCreate Op = 1 << iota
	OpOpen
	OpRead
	OpWrite
	OpSync
	OpTruncate
	OpClose
	OpRemove
	OpRename
	OpMkdir
	OpList
	OpStat
	OpSyncDir
	OpLock

	// OpAll is every operation.
	OpAll Op = 1<<iota - 1
	// OpMutating is every operation that changes the file system.
	OpMutating = OpCreate | OpWrite | OpSync | OpTruncate | OpRemove | OpRename | OpMkdir | OpSyncDir
)

var opNames = []string{"create", "open", "read", "write", "sync", "truncate", "close", "remove",
	"rename", "mkdir", "list", "stat", "syncdir", "lock"}

func (o Op) String() string {
	for i, n := range opNames {
		if o == 1<<i {
			return n
		}
	}
	return fmt.Sprintf("Op(%#x)", uint32(o))
}

// Fault describes which operations a FaultFS fails and how.
type Fault struct {
	// Ops selects the operations; zero means OpAll.
	Ops Op
	// Kind selects files of one kind; empty means any. Operations on names
	// (rename, remove, list, syncdir) have no kind and match only an empty Kind.
	Kind Kind
	// Pattern selects files whose base name matches it (path.Match); empty
	// means any.
	Pattern string
	// After lets this many matching operations succeed before the fault fires.
	After int
	// Persist keeps failing every later matching operation once the fault
	// has fired, as a dead disk would; otherwise it fires once.
	Persist bool
	// Partial makes a failing write write the first half of its buffer
	// before it returns the error, as a torn write would.
	Partial bool
	// Err is the error returned; nil means ErrInjected.
	Err error
}

// FaultFS wraps an FS and fails chosen operations. Its zero faults make it a
// transparent wrapper.
type FaultFS struct {
	base FS

	mu     sync.Mutex
	faults []*faultState
	ops    int64
	fired  int64
}

type faultState struct {
	Fault
	seen  int
	fired bool
}

var _ FS = (*FaultFS)(nil)

// NewFaultFS wraps base.
func NewFaultFS(base FS) *FaultFS { return &FaultFS{base: base} }

// Inject adds a fault.
func (f *FaultFS) Inject(fault Fault) {
	if fault.Ops == 0 {
		fault.Ops = OpAll
	}
	f.mu.Lock()
	f.faults = append(f.faults, &faultState{Fault: fault})
	f.mu.Unlock()
}

// Clear removes every fault.
func (f *FaultFS) Clear() {
	f.mu.Lock()
	f.faults = nil
	f.mu.Unlock()
}

// Ops returns how many operations have gone through the FaultFS.
func (f *FaultFS) Ops() int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.ops
}

// Fired returns how many operations a fault has failed.
func (f *FaultFS) Fired() int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.fired
}

// check returns the fault to apply to one operation, or nil.
func (f *FaultFS) check(op Op, name string, kind Kind) *faultState {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ops++
	for _, s := range f.faults {
		if s.Ops&op == 0 || (s.Kind != "" && s.Kind != kind) {
			continue
		}
		if s.Pattern != "" {
			if ok, _ := path.Match(s.Pattern, path.Base(name)); !ok {
				continue
			}
		}
		if s.fired && !s.Persist {
			continue
		}
		if s.seen < s.After {
			s.seen++
			continue
		}
		s.fired = true
		f.fired++
		return s
	}
	return nil
}

func (s *faultState) err(op Op, name string) error {
	e := s.Err
	if e == nil {
		e = ErrInjected
	}
	return &os.PathError{Op: op.String(), Path: name, Err: e}
}

func (f *FaultFS) fail(op Op, name string, kind Kind) error {
	if s := f.check(op, name, kind); s != nil {
		return s.err(op, name)
	}
	return nil
}

func (f *FaultFS) wrap(file File, err error, name string, kind Kind) (File, error) {
	if err != nil {
		return nil, err
	}
	return &faultFile{File: file, fs: f, name: name, kind: kind}, nil
}

// Create implements FS.
func (f *FaultFS) Create(name string, kind Kind) (File, error) {
	if err := f.fail(OpCreate, name, kind); err != nil {
		return nil, err
	}
	file, err := f.base.Create(name, kind)
	return f.wrap(file, err, name, kind)
}

// Open implements FS.
func (f *FaultFS) Open(name string, kind Kind) (File, error) {
	if err := f.fail(OpOpen, name, kind); err != nil {
		return nil, err
	}
	file, err := f.base.Open(name, kind)
	return f.wrap(file, err, name, kind)
}

// OpenReadWrite implements FS.
func (f *FaultFS) OpenReadWrite(name string, kind Kind) (File, error) {
	if err := f.fail(OpOpen, name, kind); err != nil {
		return nil, err
	}
	file, err := f.base.OpenReadWrite(name, kind)
	return f.wrap(file, err, name, kind)
}

// Remove implements FS.
func (f *FaultFS) Remove(name string) error {
	if err := f.fail(OpRemove, name, ""); err != nil {
		return err
	}
	return f.base.Remove(name)
}

// Rename implements FS.
func (f *FaultFS) Rename(oldname, newname string) error {
	if err := f.fail(OpRename, newname, ""); err != nil {
		return err
	}
	return f.base.Rename(oldname, newname)
}

// MkdirAll implements FS.
func (f *FaultFS) MkdirAll(dir string) error {
	if err := f.fail(OpMkdir, dir, ""); err != nil {
		return err
	}
	return f.base.MkdirAll(dir)
}

// List implements FS.
func (f *FaultFS) List(dir string) ([]string, error) {
	if err := f.fail(OpList, dir, ""); err != nil {
		return nil, err
	}
	return f.base.List(dir)
}

// Stat implements FS.
func (f *FaultFS) Stat(name string) (os.FileInfo, error) {
	if err := f.fail(OpStat, name, ""); err != nil {
		return nil, err
	}
	return f.base.Stat(name)
}

// SyncDir implements FS.
func (f *FaultFS) SyncDir(dir string) error {
	if err := f.fail(OpSyncDir, dir, ""); err != nil {
		return err
	}
	return f.base.SyncDir(dir)
}

// Lock implements FS.
func (f *FaultFS) Lock(name string) (io.Closer, error) {
	if err := f.fail(OpLock, name, KindLock); err != nil {
		return nil, err
	}
	return f.base.Lock(name)
}

type faultFile struct {
	File
	fs   *FaultFS
	name string
	kind Kind
}

func (f *faultFile) Write(p []byte) (int, error) {
	if s := f.fs.check(OpWrite, f.name, f.kind); s != nil {
		n := 0
		if s.Partial && len(p) > 1 {
			n, _ = f.File.Write(p[:len(p)/2])
		}
		return n, s.err(OpWrite, f.name)
	}
	return f.File.Write(p)
}

func (f *faultFile) WriteAt(p []byte, off int64) (int, error) {
	if s := f.fs.check(OpWrite, f.name, f.kind); s != nil {
		n := 0
		if s.Partial && len(p) > 1 {
			n, _ = f.File.WriteAt(p[:len(p)/2], off)
		}
		return n, s.err(OpWrite, f.name)
	}
	return f.File.WriteAt(p, off)
}

func (f *faultFile) ReadAt(p []byte, off int64) (int, error) {
	if err := f.fs.fail(OpRead, f.name, f.kind); err != nil {
		return 0, err
	}
	return f.File.ReadAt(p, off)
}

func (f *faultFile) Sync() error {
	if err := f.fs.fail(OpSync, f.name, f.kind); err != nil {
		return err
	}
	return f.File.Sync()
}

func (f *faultFile) Truncate(size int64) error {
	if err := f.fs.fail(OpTruncate, f.name, f.kind); err != nil {
		return err
	}
	return f.File.Truncate(size)
}

func (f *faultFile) Close() error {
	if err := f.fs.fail(OpClose, f.name, f.kind); err != nil {
		f.File.Close()
		return err
	}
	return f.File.Close()
}
