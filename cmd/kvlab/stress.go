package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/kvlab/kvlab/internal/stress"
)

// errViolations makes main exit with status 1 after stress printed them.
var errViolations = errors.New("stress found violations")

func newStressCommand() *cobra.Command {
	var (
		c        stress.Config
		dir      string
		keep     bool
		set      []string
		childDir string
	)
	cmd := &cobra.Command{
		Use:   "stress",
		Short: "Hammer an engine with concurrent random operations, optionally killing it with SIGKILL, and verify every read",
		Long: `Runs many goroutines issuing random puts, deletes, batches (some synced),
syncs, gets, scans and (on lsm) snapshot reads against one store. Every value
encodes its key, version and writing operation, with a checksum, so every read
is checked against an expected state that records, per key, what was
acknowledged and what was synced. Engine options are randomized from the seed
(tiny memtables, tables, pages and checkpoints, so that flushes, compactions,
splits and checkpoints happen all the time) and printed; --set overrides them.

Without --crash-every the run closes, reopens and checks that the store holds
exactly what was acknowledged. With --crash-every the workers run in a child
process, killed with SIGKILL at a random moment (one kill in five while it
opens and recovers the store); the store is then reopened and every key
verified: at least its last synced version, at most the write in flight, and
a prefix of each writer's operations (batches whole, and across writers as far
as Syncs and synced writes order them); then the engine's integrity check.
Again and again on the same growing store.

Prints the cycles, the operations by kind and every violation with its key,
what was expected and what was found; exit status 1 on any violation.`,
		Example: `  kvlab stress --engine lsm --duration 30s
  kvlab stress --engine btree --crash-every 500ms --duration 1m
  kvlab stress --engine lsm --crash-every 2s --duration 1h --seed 42 --keep`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if childDir != "" {
				return stress.RunChild(childDir, c.Seed, cmd.OutOrStdout())
			}
			if cmd.Flags().Changed("cycles") && !cmd.Flags().Changed("duration") {
				c.Duration = 0 // --cycles alone bounds the run
			}
			return runStress(cmd, c, dir, keep, set, cmd.Flags().Changed("seed"))
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&c.Engine, "engine", "lsm", "engine to stress: lsm or btree")
	fl.StringVar(&dir, "dir", "", "working directory, empty or absent (default: a new temporary directory); removed afterwards unless --keep or a violation was found")
	fl.BoolVar(&keep, "keep", false, "keep the working directory")
	fl.DurationVar(&c.Duration, "duration", 10*time.Second, "how long to run")
	fl.IntVar(&c.Cycles, "cycles", 0, "with --crash-every, stop after this many kills (with --duration too: whichever comes first)")
	fl.DurationVar(&c.CrashEvery, "crash-every", 0, "run the workers in a child process killed with SIGKILL about this often (0: in-process)")
	fl.Uint64Var(&c.Seed, "seed", 0, "seed of every random choice (default: from the clock; printed)")
	fl.IntVar(&c.Threads, "threads", 8, "worker goroutines; each owns a stripe of the keys")
	fl.IntVar(&c.Keys, "keys", 10000, "size of the key space")
	fl.StringArrayVar(&set, "set", nil, "engine option ENGINE.NAME=VALUE over the randomized ones (repeatable; see 'kvlab engines --options')")
	fl.StringVar(&childDir, "child", "", "run as the child of a crash run in this directory")
	fl.MarkHidden("child")
	return cmd
}

func runStress(cmd *cobra.Command, c stress.Config, dir string, keep bool, set []string, seedGiven bool) error {
	settings, err := parseSettings(set, map[string]bool{c.Engine: true})
	if err != nil {
		return err
	}
	c.Settings = settings[c.Engine]
	if !seedGiven {
		c.Seed = uint64(time.Now().UnixNano())
	}
	created := dir == ""
	if created {
		if dir, err = os.MkdirTemp("", "kvlab-stress-"); err != nil {
			return fmt.Errorf("stress: %w", err)
		}
	}
	c.Dir = dir
	c.Out = cmd.OutOrStdout()
	c.ChildCommand = func(dir string, seed uint64) *exec.Cmd {
		exe, err := os.Executable()
		if err != nil {
			exe = os.Args[0]
		}
		return exec.Command(exe, "stress", "--child", dir, "--seed", strconv.FormatUint(seed, 10))
	}
	rep, err := stress.Run(c)
	if errors.Is(err, stress.ErrConfig) {
		if created {
			os.RemoveAll(dir)
		}
		return &usageError{err}
	}
	if rep != nil {
		rep.Print(cmd.OutOrStdout())
	}
	failed := err != nil || rep == nil || !rep.OK()
	if keep || failed {
		fmt.Fprintf(cmd.OutOrStdout(), "working directory kept: %s\n", dir)
	} else {
		os.RemoveAll(dir)
	}
	if err != nil {
		return err
	}
	if !rep.OK() {
		return fmt.Errorf("%w: %d", errViolations, len(rep.Violations))
	}
	return nil
}
