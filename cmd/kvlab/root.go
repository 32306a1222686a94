package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"
)

// newRootCommand builds the command tree. Each command lives in its own file
// as newXCommand.
func newRootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "kvlab",
		Short: "kvlab: a storage-engine toolkit — an LSM tree and a B+tree, benchmarked side by side",
		Long: `kvlab drives two crash-safe key-value engines (an LSM tree and a B+tree) and
real engines as yardsticks through standard workloads, and reports throughput,
latency and write/read/space amplification.

Start with "kvlab bench": both engines, a short representative set of
workloads, and a table with a one-line reading of each result.`,
		Args:          usageArgs(cobra.NoArgs),
		RunE:          func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return &usageError{err}
	})
	root.AddCommand(
		newBenchCommand(),
		newSweepCommand(),
		newPlotCommand(),
		newVersionCommand(),
		newEnginesCommand(),
		newPutCommand(),
		newGetCommand(),
		newDelCommand(),
		newScanCommand(),
		newCheckCommand(),
		newStatsCommand(),
		newBackupCommand(),
		newInspectCommand(),
		newStressCommand(),
		newIndexCommand(),
		newSearchCommand(),
		newBenchIndexCommand(),
		newSuggestCommand(),
		newLabCommand(),
	)
	return root
}

// usageError marks an error as bad usage: main exits with status 2.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// isUsage reports whether err is, or wraps, a usage error.
func isUsage(err error) bool {
	var ue *usageError
	return errors.As(err, &ue)
}

// usageErrorf returns a usage error; main prints it and exits with status 2.
func usageErrorf(format string, args ...any) error {
	return &usageError{fmt.Errorf(format, args...)}
}

// usageArgs wraps a cobra positional-argument check so that a wrong number
// of arguments is a usage error.
func usageArgs(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := check(cmd, args); err != nil {
			return &usageError{err}
		}
		return nil
	}
}
