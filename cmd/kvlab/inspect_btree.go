package main

import (
	"github.com/spf13/cobra"

	"github.com/kvlab/kvlab/btree"
	"github.com/kvlab/kvlab/vfs"
)

// newInspectBTreeCommand dumps a B+tree store's meta slots and page census.
func newInspectBTreeCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "btree DIR",
		Short: "Print a B+tree store's meta slots and a census of its pages",
		Long: `Print both meta slots of a B+tree store (checkpoint, page size, root,
height, free list, page and key counts; or why a slot is not valid), then a
census of the pages file by page type, listing pages whose checksum or page
number is wrong. The store is not opened: no lock is taken, nothing is
written and no log is replayed, so it works on a store in use or damaged.
For a full verification use 'kvlab check --engine btree'. The format is
specified in docs/format/btree.md.`,
		Example: `  kvlab inspect btree ./db`,
		Args:    usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return btree.Inspect(vfs.Default, args[0], cmd.OutOrStdout())
		},
	}
}
