package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/kvlab/kvlab/kv"
)

func newBackupCommand() *cobra.Command {
	var f dbFlags
	var to string
	cmd := &cobra.Command{
		Use:   "backup --dir DIR --to DEST",
		Short: "Copy a store to a new directory, consistently, while it may be in use by this process",
		Long: `Opens the store in --dir and writes a consistent copy of it to --to, which
must not exist or be empty: a store of the same engine holding every write
made before the command (the engine's Checkpoint: hard links to the LSM's
immutable tables, copied pages for the B+tree). The copy opens with every
store command; 'kvlab check --dir DEST' verifies it. The source is opened
read-write (a checkpoint flushes its memtables or log first).`,
		Example: `  kvlab backup --dir ./db --to ./db-backup
  kvlab check --dir ./db-backup`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) (err error) {
			if to == "" {
				return usageErrorf("--to is required")
			}
			db, err := f.open(cmd, openExisting)
			if err != nil {
				return err
			}
			defer closeDB(db, &err)
			c, ok := db.(kv.Checkpointer)
			if !ok {
				return usageErrorf("engine %s cannot make a checkpoint", f.engine)
			}
			if err := c.Checkpoint(to); err != nil {
				return fmt.Errorf("backup to %s: %w", to, err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "backed up the %s store at %s to %s\n", f.engine, f.dir, to)
			return nil
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&to, "to", "", "directory of the copy (must not exist or be empty; required)")
	return cmd
}
