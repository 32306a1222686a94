package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// kvlabProcess returns the command that runs kvlab with args in a child
// process: the test binary itself, re-executed with envRunMain.
func kvlabProcess(t *testing.T, args ...string) (*exec.Cmd, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Skip(err)
	}
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), envRunMain+"=1")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	return cmd, &out, &errb
}

// waitForStore waits until the benchmark has made its store in dir.
func waitForStore(t *testing.T, dir string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if m, _ := filepath.Glob(filepath.Join(dir, "kvlab-bench-*", "*")); len(m) > 0 {
			time.Sleep(300 * time.Millisecond) // into the run
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("the benchmark made no store in a minute")
}

// TestBenchInterrupt sends SIGINT to a benchmark bound by a long
// --duration: it prints "interrupted" with the table of the figures so
// far, exits 130 and removes its store; with --keep it leaves it.
func TestBenchInterrupt(t *testing.T) {
	for _, keep := range []bool{false, true} {
		dir := t.TempDir()
		args := []string{"bench", "--engines", "lsm", "--workloads", "readrandom", "--num", "5000", "--duration", "5m", "--dir", dir}
		if keep {
			args = append(args, "--keep")
		}
		cmd, out, errb := kvlabProcess(t, args...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		waitForStore(t, dir)
		start := time.Now()
		cmd.Process.Signal(syscall.SIGINT)
		err := cmd.Wait()
		if code := cmd.ProcessState.ExitCode(); code != exitInterrupted {
			t.Fatalf("keep %v: exit %d (%v), want %d\nstdout %s\nstderr %s", keep, code, err, exitInterrupted, out, errb)
		}
		if d := time.Since(start); d > 30*time.Second {
			t.Errorf("took %v to stop after Ctrl-C", d)
		}
		for _, want := range []string{"readrandom: load 5000 keys", "run ops/s", "interrupted: lsm stopped by Ctrl-C", "reading:\n  caveat: lsm was interrupted"} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("stdout lacks %q:\n%s", want, out)
			}
		}
		if strings.Contains(out.String()+errb.String(), "context canceled") {
			t.Errorf("the output speaks of a cancelled context:\n%s%s", out, errb)
		}
		if !strings.HasSuffix(errb.String(), "kvlab: interrupted\n") {
			t.Errorf("stderr does not end with kvlab: interrupted: %q", errb)
		}
		left, _ := filepath.Glob(filepath.Join(dir, "kvlab-bench-*"))
		if keep != (len(left) == 1) {
			t.Errorf("keep %v: left %v in --dir", keep, left)
		}
	}
}

// TestBenchSecondInterrupt: a second SIGINT stops at once, still with
// status 130 and the store removed.
func TestBenchSecondInterrupt(t *testing.T) {
	dir := t.TempDir()
	cmd, out, errb := kvlabProcess(t, "bench", "--engines", "lsm", "--workloads", "fillrandom", "--num", "50M", "--dir", dir)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitForStore(t, dir)
	cmd.Process.Signal(syscall.SIGINT)
	cmd.Process.Signal(syscall.SIGINT)
	cmd.Wait()
	// A second signal that lands after the command released the signals
	// (its stores already removed) kills it as SIGINT does: the shell
	// reports 130 as well.
	ws, _ := cmd.ProcessState.Sys().(syscall.WaitStatus)
	if code := cmd.ProcessState.ExitCode(); code != exitInterrupted && !(ws.Signaled() && ws.Signal() == syscall.SIGINT) {
		t.Fatalf("exit %d, want %d\nstdout %s\nstderr %s", code, exitInterrupted, out, errb)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "*")); len(left) != 0 {
		t.Errorf("left %v in --dir", left)
	}
}

// TestLoadInterrupt: an interrupted --phase load removes the store it
// made, which holds no kvlab-bench.json for a later run.
func TestLoadInterrupt(t *testing.T) {
	store := filepath.Join(t.TempDir(), "store")
	cmd, out, errb := kvlabProcess(t, "bench", "--phase", "load", "--engines", "lsm", "--workloads", "ycsb-a", "--num", "50M", "--dir", store)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if m, _ := filepath.Glob(filepath.Join(store, "*")); len(m) > 0 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGINT)
	cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != exitInterrupted || !strings.Contains(out.String(), "interrupted: lsm stopped by Ctrl-C") {
		t.Fatalf("exit %d, want %d\nstdout %s\nstderr %s", code, exitInterrupted, out, errb)
	}
	if _, err := os.Stat(store); err == nil {
		t.Errorf("an interrupted load left its store")
	}
}
