package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/kvlab/kvlab/bench"
	"github.com/kvlab/kvlab/bench/plot"
	"github.com/kvlab/kvlab/bench/report"
)

func newPlotCommand() *cobra.Command {
	var out string
	var columns int
	cmd := &cobra.Command{
		Use:   "plot RESULTS.jsonl... -o OUT.svg|png|pdf",
		Short: "Chart benchmark or sweep results: throughput, latency percentiles, amplification",
		Long: `Reads JSON-lines results written by 'kvlab bench --out' or 'kvlab sweep' and draws
one image with a chart per figure: throughput by engine and workload, write,
read and space amplification, latency percentiles per workload, and for sweeps
each figure against the swept option. Where the results carry the textbook
cost model's predictions (lsm, btree), the amplification charts show them
dashed beside the measurements. The format follows the file name.`,
		Example: `  kvlab bench --out results.jsonl && kvlab plot results.jsonl -o results.svg
  kvlab sweep --engine lsm --set lsm.bloom-bits=0,5,10 --workload readrandom --out bloom.jsonl
  kvlab plot bloom.jsonl -o bloom.png`,
		Args: usageArgs(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return usageErrorf("-o OUT.svg|png|pdf is required")
			}
			format, err := plot.FormatOf(out)
			if err != nil {
				return usageErrorf("-o %s: want a .svg, .png or .pdf file name", out)
			}
			if columns < 1 {
				return usageErrorf("--columns %d: want at least 1", columns)
			}
			var results []*bench.Result
			for _, path := range args {
				f, err := os.Open(path)
				if err != nil {
					return usageErrorf("%v", err)
				}
				rs, err := report.ReadJSON(f)
				f.Close()
				if errors.Is(err, report.ErrResultsVersion) {
					return usageErrorf("%s: %v", path, err)
				}
				if err != nil {
					return usageErrorf("%s: not a results file: %v", path, err)
				}
				results = append(results, rs...)
			}
			w, err := os.Create(out)
			if err != nil {
				return usageErrorf("-o %s: %v", out, unwrapPath(err))
			}
			err = plot.Render(w, results, format, plot.Options{Columns: columns})
			if cerr := w.Close(); err == nil && cerr != nil {
				err = cerr
			}
			if err != nil {
				os.Remove(out)
				if errors.Is(err, plot.ErrNothingToPlot) {
					return usageErrorf("%v", err)
				}
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "kvlab: wrote %s (%d results)\n", out, len(results))
			return nil
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "image to write: .svg, .png or .pdf")
	cmd.Flags().IntVar(&columns, "columns", 2, "charts per row")
	return cmd
}
