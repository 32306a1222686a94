package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/kvlab/kvlab/kv"
)

// errDamaged makes main exit with status 1 after check printed its report.
var errDamaged = errors.New("the store is damaged")

func newCheckCommand() *cobra.Command {
	var f dbFlags
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Verify a store's files: checksums, key order, metadata (exit status 1 on damage)",
		Long: `Opens the store and runs its engine's integrity check: for the LSM, every
table's block checksums, key order within tables and across levels, and the
manifest's consistency; for the B+tree, page checksums, key order, separator
keys, sibling links, leaf depth and page accounting. Prints what it verified;
on damage it names the file and offset (or page) and exits with status 1.
The store is opened read-only: nothing is written to its directory (for the
B+tree the check covers the last checkpoint; the writes logged after it are
read from the WAL). --engine is optional: the store says which it is.`,
		Example: `  kvlab check --dir ./db`,
		Args:    usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) (err error) {
			db, err := f.open(cmd, openReadOnly)
			if err != nil {
				if errors.Is(err, kv.ErrCorruption) {
					fmt.Fprintf(cmd.OutOrStdout(), "damaged: %v\n", err)
					return fmt.Errorf("%w: %w", errDamaged, err)
				}
				return err
			}
			defer closeDB(db, &err)
			c, ok := db.(kv.Checker)
			if !ok {
				return usageErrorf("engine %s has no integrity check", f.engineName())
			}
			if err := c.Check(cmd.OutOrStdout()); err != nil {
				fmt.Fprintf(cmd.OutOrStdout(), "damaged: %v\n", err)
				return fmt.Errorf("%w: %w", errDamaged, err)
			}
			fmt.Fprintln(cmd.OutOrStdout(), "ok")
			return nil
		},
	}
	f.register(cmd)
	return cmd
}
