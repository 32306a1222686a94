package vfs

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// newDirectOrSkip returns a Direct file system on a fresh directory, or
// skips where the directory's file system refuses O_DIRECT.
func newDirectOrSkip(t *testing.T) (*Direct, string) {
	t.Helper()
	dir := t.TempDir()
	d, err := NewDirect(dir)
	if errors.Is(err, ErrDirectUnsupported) {
		t.Skipf("no direct I/O here: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	return d, dir
}

// TestDirectMatchesOSFile runs random appends, positioned writes, reads,
// syncs, truncations, size queries and reopenings on a Direct file and on
// a plain OS file side by side: every read and size must agree, and the
// bytes on disk must agree at each close.
func TestDirectMatchesOSFile(t *testing.T) {
	d, dir := newDirectOrSkip(t)
	plain := NewOS()
	for seed := uint64(1); seed <= 6; seed++ {
		rng := rand.New(rand.NewPCG(seed, 99))
		dn, pn := filepath.Join(dir, "direct"), filepath.Join(dir, "plain")
		df, err := d.Create(dn, KindWAL)
		if err != nil {
			t.Fatal(err)
		}
		pf, err := plain.Create(pn, KindWAL)
		if err != nil {
			t.Fatal(err)
		}
		steps := 400
		if testing.Short() {
			steps = 150
		}
		for step := range steps {
			fail := func(format string, args ...any) {
				t.Helper()
				t.Fatalf("seed %d step %d: "+format, append([]any{seed, step}, args...)...)
			}
			size, _ := pf.Size()
			switch k := rng.IntN(100); {
			case k < 35: // append, mostly small like log records
				n := rng.IntN(300)
				if rng.IntN(10) == 0 {
					n = rng.IntN(600 << 10) // past the flush threshold
				}
				p := randBytes(rng, n)
				n1, err1 := df.Write(p)
				n2, err2 := pf.Write(p)
				if n1 != n2 || (err1 == nil) != (err2 == nil) {
					fail("Write(%d) = %d, %v; os: %d, %v", len(p), n1, err1, n2, err2)
				}
			case k < 50: // positioned write: pages, aligned or not, maybe past the end
				off := rng.Int64N(size + 3*DirectAlign + 1)
				n := 1 + rng.IntN(3*DirectAlign)
				if rng.IntN(2) == 0 {
					off, n = alignDown(off), DirectAlign*(1+rng.IntN(3))
				}
				p := randBytes(rng, n)
				n1, err1 := df.WriteAt(p, off)
				n2, err2 := pf.WriteAt(p, off)
				if n1 != n2 || (err1 == nil) != (err2 == nil) {
					fail("WriteAt(%d, %d) = %d, %v; os: %d, %v", len(p), off, n1, err1, n2, err2)
				}
			case k < 80: // read anywhere, past the end included
				off := rng.Int64N(size + 2*DirectAlign + 1)
				n := rng.IntN(3 * DirectAlign)
				if rng.IntN(8) == 0 {
					off, n = 0, int(size)+rng.IntN(10)
				}
				b1, b2 := make([]byte, n), make([]byte, n)
				n1, err1 := df.ReadAt(b1, off)
				n2, err2 := pf.ReadAt(b2, off)
				if n1 != n2 || err1 != err2 || !bytes.Equal(b1[:n1], b2[:n2]) {
					fail("ReadAt(%d, %d) = %d, %v; os: %d, %v (bytes equal %v)", n, off, n1, err1, n2, err2, bytes.Equal(b1[:n1], b2[:n2]))
				}
			case k < 87:
				if err := df.Sync(); err != nil {
					fail("Sync: %v", err)
				}
				pf.Sync()
				checkDisk(t, dn, pn, seed, step)
			case k < 90:
				to := rng.Int64N(size + 2*DirectAlign + 1)
				if err := df.Truncate(to); err != nil {
					fail("Truncate(%d): %v", to, err)
				}
				pf.Truncate(to)
			case k < 95:
				s1, err1 := df.Size()
				if s1 != size || err1 != nil {
					fail("Size = %d, %v; os: %d", s1, err1, size)
				}
			default: // close both, compare the files, reopen for appending
				if err := df.Close(); err != nil {
					fail("Close: %v", err)
				}
				pf.Close()
				checkDisk(t, dn, pn, seed, step)
				if df, err = d.OpenReadWrite(dn, KindWAL); err != nil {
					fail("reopen: %v", err)
				}
				if pf, err = plain.OpenReadWrite(pn, KindWAL); err != nil {
					fail("reopen: %v", err)
				}
			}
		}
		if err := df.Close(); err != nil {
			t.Fatal(err)
		}
		pf.Close()
		checkDisk(t, dn, pn, seed, steps)
		// A read-only handle reads the same and refuses writes.
		rf, err := d.Open(dn, KindSSTable)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := os.ReadFile(pn)
		got := make([]byte, len(want)+5)
		n, err := rf.ReadAt(got, 0)
		if n != len(want) || err != io.EOF || !bytes.Equal(got[:n], want) {
			t.Fatalf("seed %d: read-only ReadAt = %d, %v; want %d bytes, EOF", seed, n, err, len(want))
		}
		if _, err := rf.Write([]byte("x")); err == nil {
			t.Fatalf("seed %d: Write on a read-only file succeeded", seed)
		}
		rf.Close()
	}
	st := d.Stats()
	if st.RandomReads+st.SeqReads == 0 || st.Syncs == 0 || st.WrittenBytes == 0 || st.Busy <= 0 {
		t.Fatalf("stats counted nothing: %+v", st)
	}
	if st.WrittenBytes%DirectAlign != 0 || st.ReadBytes == 0 {
		t.Fatalf("transfers not whole blocks: %+v", st)
	}
}

func checkDisk(t *testing.T, dn, pn string, seed uint64, step int) {
	t.Helper()
	a, err := os.ReadFile(dn)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(pn)
	if !bytes.Equal(a, b) {
		t.Fatalf("seed %d step %d: disk file of %d bytes differs from the OS file's %d", seed, step, len(a), len(b))
	}
}

func randBytes(rng *rand.Rand, n int) []byte {
	p := make([]byte, n)
	for i := range p {
		p[i] = byte(rng.Uint32())
	}
	return p
}

// TestDirectReadsReachDevice: after a close, every read of a file goes to
// the device (a read system call, counted and timed), also for a block
// read twice: nothing caches it.
func TestDirectReadsReachDevice(t *testing.T) {
	d, dir := newDirectOrSkip(t)
	name := filepath.Join(dir, "t")
	f, _ := d.Create(name, KindSSTable)
	data := bytes.Repeat([]byte("0123456789"), 5000)
	f.Write(data)
	f.Close()
	f, err := d.Open(name, KindSSTable)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	before := d.Stats()
	m := d.Meter()
	defer m.Release()
	p := make([]byte, 100)
	for range 3 {
		if _, err := f.ReadAt(p, 12345); err != nil || !bytes.Equal(p, data[12345:12445]) {
			t.Fatalf("ReadAt: %v", err)
		}
	}
	st := d.Stats().Sub(before)
	if st.RandomReads+st.SeqReads != 3 || st.ReadBytes != 3*DirectAlign {
		t.Fatalf("3 reads of 100 bytes in one block: %+v, want 3 reads of %d bytes", st, DirectAlign)
	}
	if m.Take() <= 0 || st.Metered <= 0 {
		t.Fatalf("the meter saw no time: %+v", st)
	}
}

// TestDirectConcurrentReads reads while another goroutine appends (run
// with -race): every read sees a prefix of the appends.
func TestDirectConcurrentReads(t *testing.T) {
	d, dir := newDirectOrSkip(t)
	f, _ := d.Create(filepath.Join(dir, "c"), KindWAL)
	defer f.Close()
	var wg sync.WaitGroup
	chunk := bytes.Repeat([]byte{7}, 1000)
	wg.Go(func() {
		for range 300 {
			f.Write(chunk)
		}
	})
	for range 2 {
		wg.Go(func() {
			p := make([]byte, 5000)
			for range 200 {
				size, _ := f.Size()
				if size == 0 {
					continue
				}
				n, _ := f.ReadAt(p, size/2)
				for _, c := range p[:n] {
					if c != 7 {
						t.Error("read a byte never written")
						return
					}
				}
			}
		})
	}
	wg.Wait()
}

// TestDirectRefused: where O_DIRECT is refused, NewDirect fails with
// ErrDirectUnsupported naming the file system, instead of falling back.
func TestDirectRefused(t *testing.T) {
	if runtime.GOOS != "linux" {
		_, err := NewDirect(t.TempDir())
		if !errors.Is(err, ErrDirectUnsupported) || !strings.Contains(err.Error(), runtime.GOOS) {
			t.Fatalf("NewDirect on %s = %v, want ErrDirectUnsupported naming %s", runtime.GOOS, err, runtime.GOOS)
		}
		return
	}
	if fileSystemType("/dev/shm") != "tmpfs" {
		t.Skip("no tmpfs at /dev/shm to refuse O_DIRECT")
	}
	dir, err := os.MkdirTemp("/dev/shm", "kvlab-direct-")
	if err != nil {
		t.Skip(err)
	}
	defer os.RemoveAll(dir)
	_, err = NewDirect(dir)
	if !errors.Is(err, ErrDirectUnsupported) || !strings.Contains(err.Error(), "tmpfs") {
		t.Fatalf("NewDirect on tmpfs = %v, want ErrDirectUnsupported naming tmpfs", err)
	}
	if names, _ := os.ReadDir(dir); len(names) != 0 {
		t.Fatalf("the probe left %d files", len(names))
	}
}
