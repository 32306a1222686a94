package main

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/kvlab/kvlab"
	"github.com/kvlab/kvlab/knob"
)

// unitsHelp says how knob values are written, for the help of --set and
// of "kvlab engines --options".
const unitsHelp = "sizes: " + knob.SizeSyntax + "; counts: " + knob.CountSyntax + "."

// setUnits is the short form of unitsHelp, for the --set flags.
const setUnits = "sizes in KiB/MiB/GiB (powers of 1024) or KB/MB/GB (powers of 1000), counts with k/M/G (powers of 1000)"

func newEnginesCommand() *cobra.Command {
	var knobs bool
	cmd := &cobra.Command{
		Use:   "engines",
		Short: "List the registered engines and, with --options, their settings",
		Long: "List the registered engines. With --options, list each engine's settings (--set ENGINE.NAME=VALUE) " +
			"with their kind, default, range and meaning; " + unitsHelp,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			out := cmd.OutOrStdout()
			if knobs {
				return listKnobs(out)
			}
			w := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
			for _, e := range kvlab.Engines() {
				fmt.Fprintf(w, "%s\t%s\t%s\n", e.Name, engineKind(e), e.Description)
			}
			return w.Flush()
		},
	}
	cmd.Flags().BoolVar(&knobs, "options", false, "also list each engine's settings with their kind, default, range and doc")
	return cmd
}

// engineKind says whose engine it is.
func engineKind(e kvlab.EngineInfo) string {
	if e.Peer {
		return "yardstick"
	}
	return "kvlab"
}

// listKnobs lists every engine and, under it, its knobs as a table: the
// --set flag with the default, the kind, the range and the doc.
func listKnobs(out io.Writer) error {
	for i, e := range kvlab.Engines() {
		if i > 0 {
			fmt.Fprintln(out)
		}
		fmt.Fprintf(out, "%s (%s): %s\n", e.Name, engineKind(e), e.Description)
		if len(e.Knobs()) == 0 {
			fmt.Fprintln(out, "  no options")
			continue
		}
		w := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
		for _, k := range e.Knobs() {
			rng := k.Range
			if rng == "" {
				rng = "-"
			}
			fmt.Fprintf(w, "  --set %s.%s=%s\t%s\t%s\t%s\n", e.Name, k.Name, k.Default, k.Kind, rng, k.Doc)
		}
		if err := w.Flush(); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintf(out, "\nValues: %s\n", unitsHelp)
	return err
}
