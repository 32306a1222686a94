// Command kvlab benchmarks, inspects and drives kvlab's key-value engines.
//
//	kvlab bench                      # both engines, standard workloads, a table
//	kvlab put|get|del|scan --engine lsm --dir ./db ...
//	kvlab inspect wal|sstable FILE   # human-readable dumps
//	kvlab check --engine btree --dir ./db
//
// Run "kvlab help" for the full command tree. Exit status: 0 on success, 1
// when a command fails at its work (a missing key, damage found, an engine
// error), 2 on bad usage (unknown flag, engine, option or unit), 130 when a
// benchmark is interrupted by Ctrl-C (after printing the figures so far).
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	// The yardstick engines (Pebble, goleveldb, Badger, bbolt) register
	// themselves for kvlab bench --engines.
	_ "github.com/kvlab/kvlab/bench/peers"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run executes the command line and returns the exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cmd := newRootCommand()
	cmd.SetArgs(args)
	cmd.SetIn(stdin)
	cmd.SetOut(stdout)
	cmd.SetErr(stderr)
	err := cmd.Execute()
	if err == nil {
		return 0
	}
	if errors.Is(err, errInterrupted) {
		fmt.Fprintln(stderr, "kvlab: interrupted")
		return exitInterrupted
	}
	fmt.Fprintln(stderr, "kvlab:", strings.TrimPrefix(err.Error(), "kvlab: "))
	if isUsage(err) {
		return 2
	}
	return 1
}
