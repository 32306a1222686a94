package main

import (
	"strings"
	"testing"
)

func TestDeviceFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"bench", "--engines", "lsm", "--device", "floppy"}, "--device \"floppy\": want cache, hdd, nvme, ssd"},
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
