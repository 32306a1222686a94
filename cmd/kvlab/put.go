package main

import (
	"io"

	"github.com/spf13/cobra"

	"github.com/kvlab/kvlab/kv"
)

func newPutCommand() *cobra.Command {
	var f dbFlags
	var nosync bool
	cmd := &cobra.Command{
		Use:   "put KEY VALUE | put KEY -",
		Short: "Store a value under a key (VALUE - reads the value from standard input)",
		Args:  usageArgs(cobra.ExactArgs(2)),
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			key, err := f.decode(args[0])
			if err != nil {
				return err
			}
			var value []byte
			if args[1] == "-" {
				if value, err = io.ReadAll(cmd.InOrStdin()); err != nil {
					return err
				}
			} else if value, err = f.decode(args[1]); err != nil {
				return err
			}
			db, err := f.open(cmd, openCreate)
			if err != nil {
				return err
			}
			defer closeDB(db, &err)
			var b kv.Batch
			b.Put(key, value)
			return db.Write(&b, kv.WriteOptions{Sync: !nosync})
		},
	}
	f.register(cmd)
	cmd.Flags().BoolVar(&nosync, "no-sync", false, "do not wait for the write to reach stable storage (Close still syncs)")
	return cmd
}
