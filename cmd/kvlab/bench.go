package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/kvlab/kvlab"
)

// newBenchCommand is the interim bench command the foundation issue allows:
// until the workload runner (package bench) lands it reports which engines
// are registered and succeeds, so the README's first command always works.
func newBenchCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "bench",
		Short: "Benchmark engines through standard workloads (runner not landed yet: lists the engines)",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			out := cmd.OutOrStdout()
			fmt.Fprintln(out, "kvlab bench: the workload runner (package bench) has not landed yet.")
			fmt.Fprintln(out, "Engines registered in this build:")
			for _, e := range kvlab.Engines() {
				fmt.Fprintf(out, "  %-10s %s\n", e.Name, e.Description)
			}
			return nil
		},
	}
}
