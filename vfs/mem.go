package vfs

import (
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path"
	"slices"
	"strings"
	"sync"
	"time"
)

// MemFS is an in-memory file system that knows what a disk would keep after
// a power cut. A file's data survives a crash as of its last Sync; a name's
// creation, removal or rename survives only after SyncDir of its directory.
// Directories themselves are durable as soon as they are made.
//
// CrashClone returns the file system a machine would find on reboot.
type MemFS struct {
	mu      sync.Mutex
	files   map[string]*memNode // the live namespace
	durable map[string]*memNode // the namespace as of the last SyncDir of each directory
	dirs    map[string]bool
	locks   map[string]bool
}

var _ FS = (*MemFS)(nil)

// memNode is a file's contents, shared by every name and handle that refers to it.
type memNode struct {
	data []byte
	// synced is the data as of the last Sync. While aliased it shares
	// data's backing array (the file was only appended to since), and a
	// write into the synced region must copy it first.
	synced  []byte
	aliased bool
	// appendOnly reports that data == synced + appended bytes, so a crash
	// may keep a prefix of the appended bytes.
	appendOnly bool
	modTime    time.Time
}

// NewMem returns an empty in-memory file system with a root directory "/"
// and the current directory ".".
func NewMem() *MemFS {
	return &MemFS{
		files:   map[string]*memNode{},
		durable: map[string]*memNode{},
		dirs:    map[string]bool{"/": true, ".": true},
		locks:   map[string]bool{},
	}
}

func clean(name string) string { return path.Clean(name) }

func (m *MemFS) parentExists(name string) error {
	if dir := path.Dir(name); !m.dirs[dir] {
		return &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return nil
}

// Create creates or truncates the named file.
func (m *MemFS) Create(name string, _ Kind) (File, error) {
	name = clean(name)
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.parentExists(name); err != nil {
		return nil, err
	}
	if m.dirs[name] {
		return nil, &fs.PathError{Op: "create", Path: name, Err: fmt.Errorf("is a directory")}
	}
	n := m.files[name]
	if n == nil {
		n = &memNode{appendOnly: true}
		m.files[name] = n
	} else {
		n.truncate(0)
	}
	n.modTime = time.Now()
	return &memFile{fs: m, node: n, name: name, writable: true}, nil
}

// Open opens an existing file for reading.
func (m *MemFS) Open(name string, _ Kind) (File, error) {
	name = clean(name)
	m.mu.Lock()
	defer m.mu.Unlock()
	n := m.files[name]
	if n == nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return &memFile{fs: m, node: n, name: name}, nil
}

// OpenReadWrite opens or creates the named file without truncating it.
func (m *MemFS) OpenReadWrite(name string, _ Kind) (File, error) {
	name = clean(name)
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.parentExists(name); err != nil {
		return nil, err
	}
	n := m.files[name]
	if n == nil {
		n = &memNode{appendOnly: true, modTime: time.Now()}
		m.files[name] = n
	}
	return &memFile{fs: m, node: n, name: name, writable: true, off: int64(len(n.data))}, nil
}

// Remove removes a file or an empty directory.
func (m *MemFS) Remove(name string) error {
	name = clean(name)
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.files[name] != nil {
		delete(m.files, name)
		return nil
	}
	if m.dirs[name] {
		prefix := name + "/"
		for n := range m.files {
			if strings.HasPrefix(n, prefix) {
				return &fs.PathError{Op: "remove", Path: name, Err: fmt.Errorf("directory not empty")}
			}
		}
		delete(m.dirs, name)
		return nil
	}
	return &fs.PathError{Op: "remove", Path: name, Err: fs.ErrNotExist}
}

// Rename atomically replaces newname with oldname.
func (m *MemFS) Rename(oldname, newname string) error {
	oldname, newname = clean(oldname), clean(newname)
	m.mu.Lock()
	defer m.mu.Unlock()
	n := m.files[oldname]
	if n == nil {
		return &os.LinkError{Op: "rename", Old: oldname, New: newname, Err: fs.ErrNotExist}
	}
	if err := m.parentExists(newname); err != nil {
		return err
	}
	delete(m.files, oldname)
	m.files[newname] = n
	return nil
}

// MkdirAll creates a directory and its parents. Directories are durable at once.
func (m *MemFS) MkdirAll(dir string) error {
	dir = clean(dir)
	m.mu.Lock()
	defer m.mu.Unlock()
	for d := dir; !m.dirs[d]; d = path.Dir(d) {
		if m.files[d] != nil {
			return &fs.PathError{Op: "mkdir", Path: d, Err: fmt.Errorf("not a directory")}
		}
		m.dirs[d] = true
	}
	return nil
}

// List returns the sorted names of the entries in dir.
func (m *MemFS) List(dir string) ([]string, error) {
	dir = clean(dir)
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.dirs[dir] {
		return nil, &fs.PathError{Op: "readdir", Path: dir, Err: fs.ErrNotExist}
	}
	var names []string
	for n := range m.files {
		if path.Dir(n) == dir {
			names = append(names, path.Base(n))
		}
	}
	for d := range m.dirs {
		if d != dir && path.Dir(d) == dir {
			names = append(names, path.Base(d))
		}
	}
	slices.Sort(names)
	return names, nil
}

// Stat describes the named file or directory.
func (m *MemFS) Stat(name string) (os.FileInfo, error) {
	name = clean(name)
	m.mu.Lock()
	defer m.mu.Unlock()
	if n := m.files[name]; n != nil {
		return memInfo{name: path.Base(name), size: int64(len(n.data)), mod: n.modTime}, nil
	}
	if m.dirs[name] {
		return memInfo{name: path.Base(name), dir: true}, nil
	}
	return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrNotExist}
}

// SyncDir makes the current entries of dir durable.
func (m *MemFS) SyncDir(dir string) error {
	dir = clean(dir)
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.dirs[dir] {
		return &fs.PathError{Op: "syncdir", Path: dir, Err: fs.ErrNotExist}
	}
	for n := range m.durable {
		if path.Dir(n) == dir {
			delete(m.durable, n)
		}
	}
	for n, node := range m.files {
		if path.Dir(n) == dir {
			m.durable[n] = node
		}
	}
	return nil
}

// Lock takes an exclusive lock on name within this MemFS.
func (m *MemFS) Lock(name string) (io.Closer, error) {
	name = clean(name)
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.parentExists(name); err != nil {
		return nil, err
	}
	if m.locks[name] {
		return nil, fmt.Errorf("vfs: lock %s: %w", name, ErrLocked)
	}
	m.locks[name] = true
	if m.files[name] == nil {
		n := &memNode{appendOnly: true, modTime: time.Now()}
		m.files[name] = n
		m.durable[name] = n
	}
	return &memLock{fs: m, name: name}, nil
}

type memLock struct {
	fs   *MemFS
	name string
	once sync.Once
}

func (l *memLock) Close() error {
	err := ErrClosed
	l.once.Do(func() {
		l.fs.mu.Lock()
		delete(l.fs.locks, l.name)
		l.fs.mu.Unlock()
		err = nil
	})
	return err
}

// CrashOptions tune CrashClone.
type CrashOptions struct {
	// Rand, when set, makes the clone keep a random prefix of each file's
	// unsynced appended bytes, as a disk may have written part of what was
	// not yet synced. Without it only synced data is kept.
	Rand *rand.Rand
}

// CrashClone returns the file system as it would be found after a power cut
// now: the durable namespace, each file holding its synced data (and, with
// o.Rand, a random prefix of its unsynced appends). Locks are released. The
// receiver is unchanged and may go on being used.
func (m *MemFS) CrashClone(o CrashOptions) *MemFS {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := NewMem()
	for d := range m.dirs {
		c.dirs[d] = true
	}
	copies := map[*memNode]*memNode{}
	for name, n := range m.durable {
		cn := copies[n]
		if cn == nil {
			data := slices.Clone(n.synced)
			if o.Rand != nil && n.appendOnly && len(n.data) > len(n.synced) {
				tail := n.data[len(n.synced):]
				data = append(data, tail[:o.Rand.IntN(len(tail)+1)]...)
			}
			cn = &memNode{data: data, appendOnly: true, modTime: n.modTime}
			cn.synced = cn.data
			cn.aliased = true
			copies[n] = cn
		}
		c.files[name] = cn
		c.durable[name] = cn
	}
	return c
}

// Clone returns a copy of the file system as it is now, unsynced data
// included: what another process would see, not what a crash would leave.
func (m *MemFS) Clone() *MemFS {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := NewMem()
	for d := range m.dirs {
		c.dirs[d] = true
	}
	for name, n := range m.files {
		cn := &memNode{data: slices.Clone(n.data), appendOnly: true, modTime: n.modTime}
		cn.synced, cn.aliased = cn.data, true
		c.files[name] = cn
		c.durable[name] = cn
	}
	return c
}

// beforeWrite is called, with the FS lock held, before bytes [off, end) of
// the node change.
func (n *memNode) beforeWrite(off int64) {
	if off < int64(len(n.synced)) {
		if n.aliased {
			n.synced = slices.Clone(n.synced)
			n.aliased = false
		}
		n.appendOnly = false
	}
}

func (n *memNode) writeAt(p []byte, off int64) {
	n.beforeWrite(off)
	end := off + int64(len(p))
	if end > int64(len(n.data)) {
		if end > int64(cap(n.data)) {
			grown := make([]byte, end, max(end, 2*int64(cap(n.data))))
			copy(grown, n.data)
			n.data = grown
		} else {
			n.data = n.data[:end]
		}
	}
	copy(n.data[off:], p)
	n.modTime = time.Now()
}

func (n *memNode) truncate(size int64) {
	n.beforeWrite(size)
	if size <= int64(len(n.data)) {
		// Drop the tail's bytes from the backing array so that a later
		// extension reads zeros.
		clear(n.data[size:])
		n.data = n.data[:size]
		return
	}
	n.writeAt(make([]byte, size-int64(len(n.data))), int64(len(n.data)))
}

func (n *memNode) sync() {
	n.synced = n.data[:len(n.data):len(n.data)]
	n.aliased = true
	n.appendOnly = true
}

type memFile struct {
	fs       *MemFS
	node     *memNode
	name     string
	writable bool
	off      int64
	closed   bool
}

func (f *memFile) check(op string, write bool) error {
	if f.closed {
		return &fs.PathError{Op: op, Path: f.name, Err: ErrClosed}
	}
	if write && !f.writable {
		return &fs.PathError{Op: op, Path: f.name, Err: fmt.Errorf("file opened read-only")}
	}
	return nil
}

func (f *memFile) Write(p []byte) (int, error) {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if err := f.check("write", true); err != nil {
		return 0, err
	}
	f.node.writeAt(p, f.off)
	f.off += int64(len(p))
	return len(p), nil
}

func (f *memFile) WriteAt(p []byte, off int64) (int, error) {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if err := f.check("write", true); err != nil {
		return 0, err
	}
	if off < 0 {
		return 0, &fs.PathError{Op: "writeat", Path: f.name, Err: fs.ErrInvalid}
	}
	f.node.writeAt(p, off)
	return len(p), nil
}

func (f *memFile) ReadAt(p []byte, off int64) (int, error) {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if err := f.check("read", false); err != nil {
		return 0, err
	}
	if off < 0 {
		return 0, &fs.PathError{Op: "readat", Path: f.name, Err: fs.ErrInvalid}
	}
	if off >= int64(len(f.node.data)) {
		return 0, io.EOF
	}
	n := copy(p, f.node.data[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func (f *memFile) Sync() error {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if err := f.check("sync", false); err != nil {
		return err
	}
	f.node.sync()
	return nil
}

func (f *memFile) Size() (int64, error) {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if err := f.check("stat", false); err != nil {
		return 0, err
	}
	return int64(len(f.node.data)), nil
}

func (f *memFile) Truncate(size int64) error {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if err := f.check("truncate", true); err != nil {
		return err
	}
	if size < 0 {
		return &fs.PathError{Op: "truncate", Path: f.name, Err: fs.ErrInvalid}
	}
	f.node.truncate(size)
	f.off = min(f.off, size)
	return nil
}

func (f *memFile) Close() error {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if f.closed {
		return &fs.PathError{Op: "close", Path: f.name, Err: ErrClosed}
	}
	f.closed = true
	return nil
}

type memInfo struct {
	name string
	size int64
	dir  bool
	mod  time.Time
}

func (i memInfo) Name() string { return i.name }
func (i memInfo) Size() int64  { return i.size }
func (i memInfo) Mode() os.FileMode {
	if i.dir {
		return os.ModeDir | 0o755
	}
	return 0o644
}
func (i memInfo) ModTime() time.Time { return i.mod }
func (i memInfo) IsDir() bool        { return i.dir }
func (i memInfo) Sys() any           { return nil }
