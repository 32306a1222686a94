package diskfull

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/kvlab/kvlab/btree"
	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/lsm"
	"github.com/kvlab/kvlab/vfs"
)

type engineDB interface {
	kv.Engine
	kv.Checker
}

// config is one engine configuration under test; the names are passed to
// the child process.
var configs = map[string]func(dir string) (engineDB, error){
	// lsm-wal: the WAL reaches the limit first.
	"lsm-wal": func(dir string) (engineDB, error) {
		o := lsm.DefaultOptions()
		o.MemtableSize = 256 << 10
		o.TargetFileSize = 64 << 10
		o.L1TargetSize = 256 << 10
		o.BlockSize = 1024
		return lsm.Open(vfs.NewOS(), dir, o)
	},
	// lsm-table: small logs and memtables, big compaction outputs: a table
	// reaches the limit first, in a flush or a compaction.
	"lsm-table": func(dir string) (engineDB, error) {
		o := lsm.DefaultOptions()
		o.MemtableSize = 64 << 10
		o.TargetFileSize = 64 << 20
		o.L1TargetSize = 64 << 20
		o.L0CompactionTrigger = 2
		o.Compression = false
		return lsm.Open(vfs.NewOS(), dir, o)
	},
	"btree": func(dir string) (engineDB, error) {
		o := btree.DefaultOptions()
		o.PageSize = 1024
		o.CheckpointSize = 64 << 10
		return btree.Open(vfs.NewOS(), dir, o)
	},
}

// key scatters the keys of consecutive writes, so that LSM compactions
// merge tables rather than move them.
func key(i int) []byte { return []byte(fmt.Sprintf("k%08d", (i*7919)%10000019)) }

func value(i int) []byte {
	v := make([]byte, 200+i%300)
	for j := range v {
		v[j] = byte('a' + (i*7+j*13)%26)
	}
	copy(v, fmt.Sprintf("v%d.", i))
	return v
}

// TestMain runs the child when the test binary is re-executed.
func TestMain(m *testing.M) {
	if cfg := os.Getenv("DISKFULL_CHILD"); cfg != "" {
		os.Exit(child(cfg, os.Getenv("DISKFULL_DIR"), os.Getenv("DISKFULL_LIMIT"), os.Getenv("DISKFULL_SYNC") == "1"))
	}
	os.Exit(m.Run())
}

// child writes key i = op i until a write fails, then 20 more, then
// closes. It prints "ack I S" for each acknowledged write (S=1 if it was
// synced), "fail I ERR", "close ERR|nil".
func child(cfg, dir, limit string, syncAll bool) int {
	if limit != "" {
		n, err := strconv.ParseUint(limit, 10, 64)
		if err != nil {
			fmt.Println("bad limit")
			return 2
		}
		if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: n, Max: n}); err != nil {
			fmt.Println("setrlimit:", err)
			return 2
		}
	}
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	db, err := configs[cfg](dir)
	if err != nil {
		fmt.Fprintf(out, "open %v\n", err)
		return 0
	}
	failures := 0
	for i := 0; i < 50000 && failures < 20; i++ {
		sync := syncAll || i%50 == 49
		var b kv.Batch
		b.Put(key(i), value(i))
		if err := db.Write(&b, kv.WriteOptions{Sync: sync}); err != nil {
			fmt.Fprintf(out, "fail %d %s\n", i, strings.ReplaceAll(err.Error(), "\n", " "))
			failures++
			continue
		}
		s := 0
		if sync {
			s = 1
		}
		fmt.Fprintf(out, "ack %d %d\n", i, s)
	}
	if err := db.Close(); err != nil {
		fmt.Fprintf(out, "close %s\n", strings.ReplaceAll(err.Error(), "\n", " "))
	} else {
		fmt.Fprintf(out, "close nil\n")
	}
	return 0
}

type childResult struct {
	acked      []int
	lastSynced int // -1 when none
	firstFail  int // -1 when none
	lateAcks   []int
	closeErr   string
	failErr    string
}

func runChild(t *testing.T, cfg, dir string, limit uint64, syncAll bool) childResult {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "DISKFULL_CHILD="+cfg, "DISKFULL_DIR="+dir)
	if limit > 0 {
		cmd.Env = append(cmd.Env, "DISKFULL_LIMIT="+strconv.FormatUint(limit, 10))
	}
	if syncAll {
		cmd.Env = append(cmd.Env, "DISKFULL_SYNC=1")
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	outb, err := cmd.Output()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, stderr.String())
	}
	r := childResult{lastSynced: -1, firstFail: -1}
	for _, line := range strings.Split(string(outb), "\n") {
		f := strings.SplitN(line, " ", 3)
		switch f[0] {
		case "ack":
			i, _ := strconv.Atoi(f[1])
			if r.firstFail >= 0 {
				r.lateAcks = append(r.lateAcks, i)
			}
			r.acked = append(r.acked, i)
			if f[2] == "1" {
				r.lastSynced = i
			}
		case "fail":
			i, _ := strconv.Atoi(f[1])
			if r.firstFail < 0 {
				r.firstFail, r.failErr = i, f[2]
			}
		case "close":
			r.closeErr = strings.TrimPrefix(line, "close ")
		case "open", "setrlimit:", "bad":
			t.Fatalf("child: %s", line)
		}
	}
	return r
}

// verifyAfter reopens dir without the limit and checks the store against
// what the child reported.
func verifyAfter(t *testing.T, cfg, dir string, r childResult, syncAll bool) {
	t.Helper()
	if r.firstFail < 0 {
		t.Fatalf("no write failed (%d acknowledged): the limit was never reached", len(r.acked))
	}
	if len(r.lateAcks) > 0 {
		t.Errorf("writes acknowledged after the first failure (op %d): %v", r.firstFail, r.lateAcks[:min(5, len(r.lateAcks))])
	}
	if r.closeErr == "nil" || r.closeErr == "" {
		t.Errorf("Close returned nil after write %d failed (%s)", r.firstFail, r.failErr)
	}
	db, err := configs[cfg](dir)
	if err != nil {
		t.Fatalf("reopen without the limit: %v", err)
	}
	defer db.Close()
	// The store must hold a prefix of the attempted writes, covering every
	// write acknowledged as synced (every acknowledged one with syncAll).
	last := r.firstFail + 20 + 1
	present := -1
	for i := 0; i < last; i++ {
		v, err := db.Get(key(i))
		switch {
		case err == nil:
			if !bytes.Equal(v, value(i)) {
				t.Fatalf("key %d: wrong value", i)
			}
			if present != i-1 {
				t.Fatalf("key %d present but key %d missing: not a prefix", i, present+1)
			}
			present = i
		case errors.Is(err, kv.ErrNotFound):
		default:
			t.Fatalf("Get(%d): %v", i, err)
		}
	}
	need := r.lastSynced
	if syncAll && len(r.acked) > 0 {
		need = r.acked[len(r.acked)-1]
	}
	if present < need {
		t.Fatalf("reopened store holds writes 0..%d; write %d was acknowledged as synced", present, need)
	}
	var buf bytes.Buffer
	if err := db.Check(&buf); err != nil {
		t.Fatalf("Check: %v\n%s", err, buf.String())
	}
	t.Logf("%s: first failure at write %d (%s); Close: %.120s; %d acknowledged, last synced %d, %d present after reopen",
		cfg, r.firstFail, shorten(r.failErr), r.closeErr, len(r.acked), r.lastSynced, present+1)
}

func shorten(s string) string {
	if len(s) > 120 {
		return s[:120] + "..."
	}
	return s
}

// TestFileSizeLimit runs each engine configuration in a child process under
// RLIMIT_FSIZE at several limits, with and without a sync on every write.
//
// Long run: KVTEST_LONG=1 go test -v -timeout 1h -run TestFileSizeLimit ./internal/diskfull/
func TestFileSizeLimit(t *testing.T) {
	// Limits below the largest file each configuration writes: its logs
	// for lsm-wal (memtables of 256KiB), its growing compaction outputs
	// for lsm-table, the pages file for btree.
	long := os.Getenv("KVTEST_LONG") != ""
	limitsOf := map[string][]uint64{
		"lsm-wal":   {48 << 10, 160 << 10},
		"lsm-table": {48 << 10, 160 << 10},
		"btree":     {48 << 10, 160 << 10},
	}
	if long {
		limitsOf = map[string][]uint64{
			"lsm-wal":   {8 << 10, 33 << 10, 48 << 10, 100 << 10, 160 << 10, 200 << 10},
			"lsm-table": {48 << 10, 100 << 10, 160 << 10, 300 << 10, 700 << 10, 1500 << 10},
			"btree":     {8 << 10, 33 << 10, 48 << 10, 100 << 10, 160 << 10, 300 << 10, 700 << 10, 1500 << 10},
		}
	}
	runs := 0
	for _, cfg := range []string{"lsm-wal", "lsm-table", "btree"} {
		limits := limitsOf[cfg]
		for _, limit := range limits {
			for _, syncAll := range []bool{false, true} {
				if testing.Short() && syncAll && limit != limits[0] {
					continue
				}
				name := fmt.Sprintf("%s/limit=%dKiB/sync=%v", cfg, limit>>10, syncAll)
				t.Run(name, func(t *testing.T) {
					dir := filepath.Join(t.TempDir(), "db")
					r := runChild(t, cfg, dir, limit, syncAll)
					verifyAfter(t, cfg, dir, r, syncAll)
				})
				runs++
			}
		}
	}
	t.Logf("%d full-disk runs under RLIMIT_FSIZE", runs)
}

// TestTmpfsFull writes on a small tmpfs until ENOSPC, then remounts it
// larger and checks the store. It is skipped where tmpfs cannot be mounted
// (not root, or no CAP_SYS_ADMIN).
func TestTmpfsFull(t *testing.T) {
	for _, cfg := range []string{"lsm-wal", "lsm-table", "btree"} {
		t.Run(cfg, func(t *testing.T) {
			mnt := t.TempDir()
			if err := syscall.Mount("tmpfs", mnt, "tmpfs", 0, "size=400k"); err != nil {
				t.Skipf("cannot mount a tmpfs at %s: %v", mnt, err)
			}
			t.Cleanup(func() { syscall.Unmount(mnt, 0) })
			dir := filepath.Join(mnt, "db")
			r := runChild(t, cfg, dir, 0, false)
			if !strings.Contains(r.failErr, "no space") {
				t.Logf("first failure: %s", r.failErr)
			}
			if err := syscall.Mount("tmpfs", mnt, "tmpfs", syscall.MS_REMOUNT, "size=64m"); err != nil {
				t.Fatalf("remount larger: %v", err)
			}
			verifyAfter(t, cfg, dir, r, false)
		})
	}
}
