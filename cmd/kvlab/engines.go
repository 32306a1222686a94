package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/kvlab/kvlab"
)

func newEnginesCommand() *cobra.Command {
	var knobs bool
	cmd := &cobra.Command{
		Use:   "engines",
		Short: "List the registered engines and, with --options, their settings",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 2, 4, 2, ' ', 0)
			for _, e := range kvlab.Engines() {
				kind := "kvlab"
				if e.Peer {
					kind = "yardstick"
				}
				fmt.Fprintf(w, "%s\t%s\t%s\n", e.Name, kind, e.Description)
				if knobs {
					for _, k := range e.Knobs {
						fmt.Fprintf(w, "  --set %s.%s=%s\t\t%s\n", e.Name, k.Name, k.Default, k.Doc)
					}
				}
			}
			return w.Flush()
		},
	}
	cmd.Flags().BoolVar(&knobs, "options", false, "also list each engine's settings with their defaults")
	return cmd
}
