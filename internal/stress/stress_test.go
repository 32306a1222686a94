package stress

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// A crash run's children are this test binary, re-executed with
// KVLAB_STRESS_CHILD naming the working directory.
func TestMain(m *testing.M) {
	if dir := os.Getenv("KVLAB_STRESS_CHILD"); dir != "" {
		seed, _ := strconv.ParseUint(os.Getenv("KVLAB_STRESS_SEED"), 10, 64)
		if err := RunChild(dir, seed, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
		os.Exit(1)
	}
	os.Exit(m.Run())
}

func childCommand(dir string, seed uint64) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "KVLAB_STRESS_CHILD="+dir, fmt.Sprintf("KVLAB_STRESS_SEED=%d", seed))
	return cmd
}

// testConfig is a small run on a fresh directory.
func testConfig(t *testing.T, engine string, seed uint64) Config {
	return Config{
		Engine:   engine,
		Dir:      filepath.Join(t.TempDir(), "stress"),
		Duration: 2 * time.Second,
		Seed:     seed,
		Threads:  4,
		Keys:     2000,
		Out:      &bytes.Buffer{},
	}
}

func mustRun(t *testing.T, cfg Config) *Report {
	t.Helper()
	rep, err := Run(cfg)
	out := cfg.Out.(*bytes.Buffer)
	if err != nil {
		t.Fatalf("seed %d: %v\n%s", cfg.Seed, err, out)
	}
	if !rep.OK() {
		t.Fatalf("seed %d: %d violations\n%s", cfg.Seed, len(rep.Violations), out)
	}
	return rep
}

// TestInProcess runs every kind of operation for a couple of seconds per
// engine, then closes, reopens and verifies the store.
func TestInProcess(t *testing.T) {
	for i, engine := range []string{"lsm", "btree"} {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			cfg := testConfig(t, engine, uint64(time.Now().UnixNano())+uint64(i))
			if testing.Short() {
				cfg.Duration = time.Second
			}
			rep := mustRun(t, cfg)
			for _, kind := range []string{"put", "delete", "batch", "get", "scan", "sync", "synced-write"} {
				if rep.Ops[kind] == 0 {
					t.Errorf("seed %d: no %s operation in %v", cfg.Seed, kind, rep.Ops)
				}
			}
			if engine == "lsm" && rep.Ops["snapshot"] == 0 {
				t.Errorf("seed %d: no snapshot in %v", cfg.Seed, rep.Ops)
			}
			if rep.Verified != int64(cfg.Keys) {
				t.Errorf("seed %d: %d keys verified, want %d", cfg.Seed, rep.Verified, cfg.Keys)
			}
			t.Logf("seed %d: %d ops %v", cfg.Seed, rep.TotalOps(), rep.Ops)
		})
	}
}

// TestCrash runs a few kill -9 cycles per engine on one store.
func TestCrash(t *testing.T) {
	for i, engine := range []string{"lsm", "btree"} {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			cfg := testConfig(t, engine, uint64(time.Now().UnixNano())+uint64(i))
			cfg.Duration = 0
			cfg.Cycles = 4
			if testing.Short() {
				cfg.Cycles = 3
			}
			cfg.CrashEvery = 150 * time.Millisecond
			cfg.ChildCommand = childCommand
			rep := mustRun(t, cfg)
			if rep.Cycles != cfg.Cycles {
				t.Fatalf("seed %d: %d cycles, want %d\n%s", cfg.Seed, rep.Cycles, cfg.Cycles, cfg.Out)
			}
			// A kill falls uniformly within 2*CrashEvery of the child's
			// open, so on a loaded machine every cycle may end before the
			// child's first report: run another store (up to twice) before
			// calling that a failure.
			for try := 0; rep.TotalOps() == 0 && try < 2; try++ {
				t.Logf("seed %d: no operation reported in %d cycles; running another store\n%s", cfg.Seed, rep.Cycles, cfg.Out)
				cfg = testConfig(t, engine, cfg.Seed+1)
				cfg.Duration, cfg.Cycles, cfg.CrashEvery, cfg.ChildCommand = 0, 4, 150*time.Millisecond, childCommand
				rep = mustRun(t, cfg)
			}
			if rep.TotalOps() == 0 {
				t.Fatalf("seed %d: the children reported no operation\n%s", cfg.Seed, cfg.Out)
			}
			if !strings.Contains(cfg.Out.(*bytes.Buffer).String(), "options: "+engine+".") {
				t.Errorf("the chosen options were not printed:\n%s", cfg.Out)
			}
			t.Logf("seed %d: %d cycles (%d during open), %d ops %v", cfg.Seed, rep.Cycles, rep.KilledDuringOpen, rep.TotalOps(), rep.Ops)
		})
	}
}

func TestConfigErrors(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "x"), nil, 0o644)
	for name, cfg := range map[string]Config{
		"memory engine": {Engine: "memory", Dir: t.TempDir(), Duration: time.Second, Threads: 1, Keys: 10},
		"unknown":       {Engine: "nope", Dir: t.TempDir(), Duration: time.Second, Threads: 1, Keys: 10},
		"no threads":    {Engine: "lsm", Dir: t.TempDir(), Duration: time.Second, Keys: 10},
		"few keys":      {Engine: "lsm", Dir: t.TempDir(), Duration: time.Second, Threads: 4, Keys: 3},
		"no child":      {Engine: "lsm", Dir: t.TempDir(), Duration: time.Second, Threads: 1, Keys: 10, CrashEvery: time.Second},
		"bad option":    {Engine: "lsm", Dir: t.TempDir(), Duration: time.Second, Threads: 1, Keys: 10, Settings: map[string]string{"bogus": "1"}},
		"dir not empty": {Engine: "lsm", Dir: dir, Duration: time.Second, Threads: 1, Keys: 10},
	} {
		if _, err := Run(cfg); err == nil {
			t.Errorf("%s: Run succeeded", name)
		}
	}
}
