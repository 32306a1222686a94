package main

import "github.com/spf13/cobra"

func newInspectCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "inspect",
		Short: "Print human-readable dumps of kvlab's on-disk files",
		Args:  usageArgs(cobra.NoArgs),
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newInspectSSTableCommand())
	cmd.AddCommand(newInspectWALCommand())
	cmd.AddCommand(newInspectManifestCommand())
	cmd.AddCommand(newInspectBTreeCommand())
	return cmd
}
