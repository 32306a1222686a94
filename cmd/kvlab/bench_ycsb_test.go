package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kvlab/kvlab/bench"
	"github.com/kvlab/kvlab/bench/report"
	"github.com/kvlab/kvlab/bench/workload"
)

// TestBenchPropertyOverrides: -p NAME=VALUE overrides a workload file's
// property and a built-in workload's, an ignored property is noted once
// and an unknown one refused.
func TestBenchPropertyOverrides(t *testing.T) {
	dir := t.TempDir()
	props := filepath.Join(dir, "workloadx.properties")
	os.WriteFile(props, []byte("recordcount=1000\noperationcount=3000\nreadproportion=1\nupdateproportion=0\n"), 0o644)
	code, out, stderr := runCLI(t, "", "bench", "--engines", "memory", "-P", props, "-p", "operationcount=500",
		"-p", "updateproportion=1", "-p", "readproportion=0", "-p", "threadcount=4")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(out, "workloadx: load 1000 keys, run 500 ops") || !strings.Contains(out, "update p99") || strings.Contains(out, "read p99") {
		t.Errorf("-p did not override the file's operationcount and mix:\n%s", out)
	}
	if strings.Count(stderr, "threadcount ignored") != 1 {
		t.Errorf("the ignored property is not noted once: %q", stderr)
	}
	code, out, stderr = runCLI(t, "", "bench", "--engines", "memory", "--workloads", "ycsb-c,ycsb-b", "-p", "recordcount=700",
		"-p", "operationcount=300", "-p", "requestdistribution=uniform", "-p", "workload=site.ycsb.workloads.CoreWorkload", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	rs, err := report.ReadJSON(strings.NewReader(out))
	if err != nil || len(rs) != 2 {
		t.Fatalf("%v, %v", rs, err)
	}
	for _, r := range rs {
		if r.Params.Num != 700 || r.Params.Ops != 300 || r.Params.Distribution != "uniform" || !r.Params.HashedKeys {
			t.Errorf("%s: params %+v, want 700 records, 300 ops, uniform, hashed keys", r.Workload, r.Params)
		}
	}
	if rs[1].Run.Op("update") == nil {
		t.Errorf("ycsb-b lost its updates under -p")
	}
	if strings.Count(stderr, "-p workload ignored") != 1 {
		t.Errorf("want one note for the ignored property over two workloads: %q", stderr)
	}
	for _, args := range [][]string{
		{"bench", "--engines", "memory", "-p", "readproportoin=1"},
		{"bench", "--engines", "memory", "-p", "novalue"},
		{"bench", "--engines", "memory", "-p", "requestdistribution=gaussian"},
	} {
		if code, _, stderr := runCLI(t, "", args...); code != 2 || !strings.HasPrefix(stderr, "kvlab: ") {
			t.Errorf("kvlab %v: exit %d, %q; want 2", args, code, stderr)
		}
	}
}

// TestBenchLoadThenRun loads a store with YCSB-style keys in one command
// and runs workloads on it in others: the run phase finds every loaded key,
// kvlab scan shows readable keys that decode to key numbers, and the
// store's parameters refuse contradicting flags.
func TestBenchLoadThenRun(t *testing.T) {
	store := filepath.Join(t.TempDir(), "store")
	code, out, stderr := runCLI(t, "", "bench", "--phase", "load", "--engines", "lsm", "--workloads", "ycsb-a", "--num", "3000",
		"--key-format", "ycsb", "--dir", store, "--seed", "7")
	if code != 0 || !strings.Contains(out, "load keys/s") || strings.Contains(out, "run ops/s") {
		t.Fatalf("load: exit %d\n%s\n%s", code, out, stderr)
	}
	params, err := bench.ReadStoreParams(store)
	if err != nil || params.Records != 3000 || params.KeyFormat != "ycsb" || params.KeySize != workload.YCSBKeySize || !params.HashedKeys {
		t.Fatalf("store parameters %+v, %v", params, err)
	}
	// Runs of two workloads, reading keys the load wrote: none is missing.
	code, out, stderr = runCLI(t, "", "bench", "--phase", "run", "--dir", store, "--workloads", "ycsb-c,readrandom", "--reads", "2000", "--format", "json")
	if code != 0 {
		t.Fatalf("run: exit %d\n%s", code, stderr)
	}
	rs, err := report.ReadJSON(strings.NewReader(out))
	if err != nil || len(rs) != 2 {
		t.Fatalf("%v %v", rs, err)
	}
	for _, r := range rs {
		o := r.Run.Op("read")
		if r.Engine != "lsm" || r.Load != nil || r.Params.Phase != "run" || r.Params.KeyFormat != "ycsb" || o == nil || o.Count != 2000 || o.Misses != 0 {
			t.Errorf("%s: %+v, read %+v; want 2000 reads of lsm on the loaded store, none missing", r.Workload, r.Params, o)
		}
	}
	// Readable keys that decode to the loaded key numbers.
	code, out, _ = runCLI(t, "", "scan", "--engine", "lsm", "--dir", store, "--keys-only")
	keys := strings.Fields(out)
	kf, _ := params.KeyFormatOf()
	for _, k := range keys {
		if n, ok := kf.Decode([]byte(k)); !ok || n >= 3000 || !strings.HasPrefix(k, "user") {
			t.Fatalf("scan shows key %q (decodes %d, %v)", k, n, ok)
		}
	}
	if code != 0 || len(keys) != 3000 {
		t.Fatalf("scan: exit %d, %d keys", code, len(keys))
	}
	if code, out, _ := runCLI(t, "", "get", "--engine", "lsm", "--dir", store, string(kf.Key(1234))); code != 0 || len(out) < 100 {
		t.Fatalf("get of key 1234 %q: exit %d, %q", kf.Key(1234), code, out)
	}
	// Without the parameters, --use-existing takes the flags at their word:
	// binary keys are not the loaded ones, and every read misses.
	os.Rename(filepath.Join(store, bench.StoreParamsFile), filepath.Join(filepath.Dir(store), "saved.json"))
	code, out, stderr = runCLI(t, "", "bench", "--use-existing", "--engines", "lsm", "--dir", store, "--workloads", "readrandom", "--num", "3000", "--reads", "500", "--format", "json")
	if code != 0 || !strings.Contains(stderr, "has no kvlab-bench.json") {
		t.Fatalf("use-existing: exit %d, %s", code, stderr)
	}
	if rs, err = report.ReadJSON(strings.NewReader(out)); err != nil || rs[0].Run.Op("read").Misses != 500 {
		t.Fatalf("binary keys on a YCSB-keyed store: %v %v", rs, err)
	}
	os.Rename(filepath.Join(filepath.Dir(store), "saved.json"), filepath.Join(store, bench.StoreParamsFile))
	empty := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--phase", "run", "--dir", store, "--num", "5000"}, "--num: the store at"},
		{[]string{"--phase", "run", "--dir", store, "--key-format", "binary"}, "--key-format: the store at"},
		{[]string{"--phase", "run", "--dir", store, "--engines", "btree"}, "was written by lsm"},
		{[]string{"--phase", "run", "--dir", filepath.Join(store, "nope")}, "no store there"},
		{[]string{"--phase", "run", "--dir", t.TempDir()}, "has no kvlab-bench.json"},
		{[]string{"--phase", "load", "--engines", "lsm", "--workloads", "ycsb-a", "--dir", store}, "is not empty"},
		{[]string{"--phase", "load", "--engines", "memory", "--dir", filepath.Join(t.TempDir(), "m")}, "keeps nothing"},
		{[]string{"--phase", "load", "--engines", "lsm", "--workloads", "fillrandom", "--dir", filepath.Join(empty, "f")}, "has no load phase"},
		{[]string{"--phase", "load", "--engines", "lsm,btree", "--dir", filepath.Join(t.TempDir(), "f")}, "takes one engine"},
		{[]string{"--phase", "load", "--engines", "lsm"}, "needs --dir"},
		{[]string{"--phase", "both", "--engines", "lsm"}, "want load or run"},
		{[]string{"--use-existing", "--engines", "lsm", "--dir", t.TempDir()}, "give --num"},
	} {
		code, _, stderr := runCLI(t, "", append([]string{"bench"}, c.args...)...)
		if code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("kvlab bench %v: exit %d, %q; want 2 and %q", c.args, code, stderr, c.want)
		}
	}
	if left, _ := os.ReadDir(empty); len(left) != 0 {
		t.Errorf("a refused load left %v behind", left)
	}
}
