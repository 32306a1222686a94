package lsm

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/vfs"
)

// TestProcessKill runs a writer in a child process on the operating
// system's files, kills it with SIGKILL at a random moment — in the middle
// of WAL appends, flushes, compactions and manifest writes — and reopens the
// store: every write the child reported as synced must be there, and Check
// must pass. The in-memory crash tests cover power loss; this covers a
// process dying with its files half written.
func TestProcessKill(t *testing.T) {
	if os.Getenv("LSM_KILL_CHILD") != "" {
		killChild()
		return
	}
	seed := testSeed(t)
	rng := rand.New(rand.NewPCG(seed, 11))
	rounds := 6
	if testing.Short() {
		rounds = 2
	}
	dir := t.TempDir()
	acked := -1
	for round := 0; round < rounds; round++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestProcessKill$")
		cmd.Env = append(os.Environ(), "LSM_KILL_CHILD="+dir, fmt.Sprintf("LSM_KILL_START=%d", acked+1))
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan int, 1024)
		go func() {
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				if n, err := strconv.Atoi(sc.Text()); err == nil {
					lines <- n
				}
			}
			close(lines)
		}()
		time.Sleep(time.Duration(300+rng.IntN(700)) * time.Millisecond)
		cmd.Process.Kill()
		for n := range lines {
			acked = n
		}
		cmd.Wait()

		db, err := Open(vfs.Default, dir, killOptions())
		if err != nil {
			t.Fatalf("seed %d round %d: reopen after kill: %v", seed, round, err)
		}
		for i := 0; i <= acked; i++ {
			v, err := db.Get(killKey(i))
			if err != nil || string(v) != string(killValue(i)) {
				t.Fatalf("seed %d round %d: synced write %d lost: %q, %v", seed, round, i, v, err)
			}
		}
		check(t, seed, db)
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if acked < 100 {
		t.Fatalf("seed %d: the child acknowledged only %d writes", seed, acked)
	}
	t.Logf("%d writes acknowledged across %d kills", acked+1, rounds)
}

func killOptions() Options {
	o := tinyOptions()
	o.MemtableSize = 256 << 10
	return o
}

func killKey(i int) []byte { return []byte(fmt.Sprintf("key%09d", i)) }
func killValue(i int) []byte {
	return []byte(fmt.Sprintf("value-%d-%0200d", i, i))
}

// killChild writes keys from LSM_KILL_START on, syncing every tenth batch
// and printing the last synced key's number, until it is killed.
func killChild() {
	dir := os.Getenv("LSM_KILL_CHILD")
	start, _ := strconv.Atoi(os.Getenv("LSM_KILL_START"))
	db, err := Open(vfs.Default, dir, killOptions())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	w := bufio.NewWriter(os.Stdout)
	for i := start; ; i++ {
		var b kv.Batch
		b.Put(killKey(i), killValue(i))
		sync := i%10 == 9
		if err := db.Write(&b, kv.WriteOptions{Sync: sync}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		if sync {
			fmt.Fprintln(w, i)
			w.Flush()
		}
	}
}
