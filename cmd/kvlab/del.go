package main

import (
	"github.com/spf13/cobra"

	"github.com/kvlab/kvlab/kv"
)

func newDelCommand() *cobra.Command {
	var f dbFlags
	cmd := &cobra.Command{
		Use:     "del KEY...",
		Aliases: []string{"delete"},
		Short:   "Delete keys, atomically (deleting an absent key is not an error)",
		Args:    usageArgs(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			var b kv.Batch
			for _, a := range args {
				key, err := f.decode(a)
				if err != nil {
					return err
				}
				b.Delete(key)
			}
			db, err := f.open(cmd, openExisting)
			if err != nil {
				return err
			}
			defer closeDB(db, &err)
			return db.Write(&b, kv.WriteOptions{Sync: true})
		},
	}
	f.register(cmd)
	return cmd
}
