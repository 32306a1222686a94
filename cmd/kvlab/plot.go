package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/kvlab/kvlab/bench"
	"github.com/kvlab/kvlab/bench/plot"
	"github.com/kvlab/kvlab/bench/report"
	"github.com/kvlab/kvlab/btree"
	"github.com/kvlab/kvlab/vfs"
)

func newPlotCommand() *cobra.Command {
	var out, shape string
	var columns int
	cmd := &cobra.Command{
		Use:   "plot (RESULTS.jsonl... | --shape DIR) -o OUT.svg|png|pdf",
		Short: "Chart benchmark or sweep results: throughput, latency percentiles, amplification",
		Long: `Reads JSON-lines results written by 'kvlab bench --out' or 'kvlab sweep' and draws
one image with a chart per figure: throughput by engine and workload, write,
read and space amplification, latency percentiles per workload, and for sweeps
each figure against the swept option. Where the results carry the textbook
cost model's predictions (lsm, btree), the amplification charts show them
dashed beside the measurements. Results of 'kvlab bench --timeline' add the
engine's shape over time: an LSM's bytes per level with its flushes,
compactions and write stalls, a B+tree's pages with its checkpoints.

--shape DIR draws a B+tree store's shape instead (read from its newest
checkpoint, without opening it): pages per level (the height), the fill
factor of leaf and branch pages, and pages by type.

Every chart's subtitle gives the fixed settings and record count; legends
sit beside the axes; an axis whose values span more than 10x is logarithmic.
The format follows the file name.`,
		Example: `  kvlab bench --out results.jsonl && kvlab plot results.jsonl -o results.svg
  kvlab sweep --engine lsm --set lsm.bloom-bits=0,5,10 --workload readrandom --out bloom.jsonl
  kvlab plot bloom.jsonl -o bloom.png
  kvlab bench --engines lsm --workloads fillrandom --num 1M --timeline --out lsm.jsonl && kvlab plot lsm.jsonl -o lsm.svg
  kvlab bench --engines btree --workloads fillrandom --dir /tmp/kv --keep && kvlab plot --shape /tmp/kv/kvlab-bench-*/btree-fillrandom-0 -o tree.svg`,
		Args: usageArgs(cobra.ArbitraryArgs),
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
			if shape != "" {
				if len(args) > 0 {
					return usageErrorf("--shape draws a store, not results files: give one or the other")
				}
				return plotShape(cmd, shape, out, format, columns)
			}
			if len(args) == 0 {
				return usageErrorf("give results files (kvlab bench --out) or --shape DIR")
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
	cmd.Flags().StringVar(&shape, "shape", "", "draw the shape of the B+tree store in this directory (height, fill factors, pages by type) instead of results")
	return cmd
}

// plotShape draws the B+tree store in dir.
func plotShape(cmd *cobra.Command, dir, out, format string, columns int) error {
	s, err := btree.ReadShape(vfs.Default, dir)
	if err != nil {
		return usageErrorf("--shape %s: %v (want a B+tree store's directory)", dir, err)
	}
	w, err := os.Create(out)
	if err != nil {
		return usageErrorf("-o %s: %v", out, unwrapPath(err))
	}
	err = plot.RenderTreeShape(w, s, dir, format, plot.Options{Columns: columns})
	if cerr := w.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		os.Remove(out)
		return err
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "kvlab: wrote %s (B+tree of height %d, %d pages)\n", out, s.Height, s.FilePages)
	return nil
}
