package main

import (
	"os"
	"strings"
	"testing"

	"github.com/kvlab/kvlab/vfs"
)

func TestDeviceFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"bench", "--engines", "lsm", "--device", "floppy"}, "--device \"floppy\": want cache, direct, hdd, nvme, ssd"},
		{[]string{"bench", "--engines", "lsm", "--device", "direct", "--device-latency", "1ms"}, "--device direct measures the real device"},
		{[]string{"bench", "--engines", "pebble", "--workloads", "readrandom", "--num", "1000", "--device", "direct"}, "cannot open it with O_DIRECT"},
		{[]string{"bench", "--engines", "lsm", "--device", "cache", "--device-latency", "1ms"}, "need a simulated device"},
		{[]string{"bench", "--engines", "lsm", "--device", "ssd", "--device-bandwidth", "0"}, "--device-bandwidth"},
		{[]string{"bench", "--engines", "lsm", "--device", "ssd", "--device-iops", "x"}, "--device-iops"},
		{[]string{"bench", "--engines", "pebble", "--workloads", "readrandom", "--num", "1000", "--device", "ssd"}, "outside vfs"},
	} {
		code, _, stderr := runCLI(t, "", c.args...)
		if code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("kvlab %v: exit %d, %q; want 2 and %q", c.args, code, stderr, c.want)
		}
	}
}

func TestBenchOnDevice(t *testing.T) {
	code, stdout, stderr := runCLI(t, "", "bench", "--engines", "lsm,btree", "--workloads", "readrandom", "--num", "20k", "--reads", "2000",
		"--device", "hdd", "--device-latency", "4ms", "--set", "lsm.block-cache=64KiB", "--set", "btree.pool-size=64KiB")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"device: simulated hdd* (latency 4ms", "run ops/s on device", "run device µs/op", "read p99 on device", "run device reads/op"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("no %q in\n%s", want, stdout)
		}
	}
}

// TestBenchDirect runs a bench with direct I/O on the temporary directory
// (a disk here; skipped where it is not) and on tmpfs, which is refused
// with the file system named.
func TestBenchDirect(t *testing.T) {
	if shm, err := os.MkdirTemp("/dev/shm", "kvlab-cli-"); err == nil {
		defer os.RemoveAll(shm)
		code, _, stderr := runCLI(t, "", "bench", "--engines", "lsm", "--workloads", "readrandom", "--num", "1000", "--device", "direct", "--dir", shm)
		if code == 0 || !strings.Contains(stderr, "tmpfs") || !strings.Contains(stderr, "O_DIRECT") {
			t.Errorf("direct on /dev/shm: exit %d, %q; want a failure naming tmpfs", code, stderr)
		}
	}
	dir := t.TempDir()
	if _, err := vfs.NewDirect(dir); err != nil {
		t.Skipf("no direct I/O here: %v", err)
	}
	code, stdout, stderr := runCLI(t, "", "bench", "--engines", "lsm,btree", "--workloads", "readrandom", "--num", "5000", "--reads", "500",
		"--device", "direct", "--dir", dir, "--set", "lsm.block-cache=64KiB", "--set", "btree.pool-size=64KiB")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"device: direct I/O (O_DIRECT, 4096-byte aligned) on ", "run device reads/op", "run device µs/op"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("no %q in\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, "on device") {
		t.Errorf("measured on the device, yet modelled \"on device\" rows:\n%s", stdout)
	}
}

func TestSweepMix(t *testing.T) {
	for _, bad := range []string{"write=0.5", "read=1.5", "read="} {
		if code, _, stderr := runCLI(t, "", "sweep", "--engines", "lsm,btree", "--mix", bad); code != 2 || !strings.Contains(stderr, "--mix") {
			t.Errorf("--mix %s: exit %d, %s", bad, code, stderr)
		}
	}
	out := t.TempDir() + "/mix.jsonl"
	code, stdout, stderr := runCLI(t, "", "sweep", "--engines", "lsm,btree", "--mix", "read=0.1,0.9", "--num", "5000", "--reads", "1000",
		"--distribution", "uniform", "--device", "ssd", "--out", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"sweep: lsm, btree on ycsb-a-mix", "engine   read", "ops/s dev", "p99 dev", "compared on the simulated device"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("no %q in\n%s", want, stdout)
		}
	}
}
