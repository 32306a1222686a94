package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newGetCommand() *cobra.Command {
	var f dbFlags
	cmd := &cobra.Command{
		Use:   "get KEY",
		Short: "Print the value stored under a key (exit status 1 when absent)",
		Args:  usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			key, err := f.decode(args[0])
			if err != nil {
				return err
			}
			db, err := f.open(cmd, openReadOnly)
			if err != nil {
				return err
			}
			defer closeDB(db, &err)
			v, err := db.Get(key)
			if err != nil {
				return fmt.Errorf("get %s: %w", f.encode(key), err)
			}
			fmt.Fprintln(cmd.OutOrStdout(), f.encode(v))
			return nil
		},
	}
	f.register(cmd)
	return cmd
}
