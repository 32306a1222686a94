package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kvlab/kvlab/invertedindex/gocorpus"
	"github.com/kvlab/kvlab/invertedindex/indexbench"
)

func newBenchIndexCommand() *cobra.Command {
	var o indexbench.Options
	var engines, dir string
	var maxDocs int
	var keep bool
	cmd := &cobra.Command{
		Use:   "bench-index",
		Short: "Benchmark the inverted index on lsm and btree against bleve on the Go distribution's docs",
		Long: `Indexes the doc comments and documentation of the Go distribution under
GOROOT (one document per paragraph, about 50k documents) into package
invertedindex on each kvlab engine and into bleve v2 (scorch) with the same
analyzer, in the same run and batch size, then runs the same queries of six
kinds against each. Reports docs/s and MB/s indexed, bytes on disk, write
amplification (bytes passed to write(2) per byte of text, the same measure
for every engine, and the kv engine's own figure), and query p50/p99 per
kind, with ratios against bleve.`,
		Example: `  kvlab bench-index
  kvlab bench-index --engines lsm,bleve --docs 20000 --batch 500`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			root := gocorpus.Root()
			if root == "" {
				return fmt.Errorf("bench-index: no Go source under GOROOT")
			}
			o.Engines = strings.Split(engines, ",")
			for _, e := range o.Engines {
				if e != "bleve" && e != "lsm" && e != "btree" {
					return usageErrorf("--engines: unknown engine %q (want lsm, btree, bleve)", e)
				}
			}
			if dir == "" {
				d, err := os.MkdirTemp("", "kvlab-bench-index-")
				if err != nil {
					return err
				}
				dir = d
				if !keep {
					defer os.RemoveAll(d)
				}
			}
			o.Dir = dir
			o.Log = cmd.ErrOrStderr()
			fmt.Fprintf(cmd.ErrOrStderr(), "loading the corpus from %s\n", root)
			docs, err := gocorpus.Load(root, gocorpus.Options{Max: maxDocs})
			if err != nil {
				return err
			}
			rs, err := indexbench.Run(docs, o)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "corpus: %d documents from %s; batches of %d; %d queries per kind, each run %d times; top %d\n\n",
				len(docs), root, o.BatchSize, o.Queries, o.Reps, o.K)
			indexbench.WriteTable(cmd.OutOrStdout(), rs)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&engines, "engines", "lsm,btree,bleve", "engines to run: lsm, btree, bleve")
	f.IntVar(&maxDocs, "docs", 0, "index at most this many documents (0: the whole corpus)")
	f.IntVar(&o.BatchSize, "batch", 1000, "documents per batch")
	f.IntVar(&o.Queries, "queries", 50, "distinct queries per kind")
	f.IntVar(&o.Reps, "reps", 5, "times each query runs (after one warm-up round)")
	f.IntVar(&o.K, "k", 10, "hits per query")
	f.StringVar(&o.Analyzer, "analyzer", "english", "analyzer: unicode, unicode+stop, unicode+stem, unicode+stop+stem (english)")
	f.StringVar(&dir, "dir", "", "working directory (default: a temporary one, removed afterwards)")
	f.BoolVar(&keep, "keep", false, "keep the temporary directory")
	f.Uint64Var(&o.Seed, "seed", 1, "seed for choosing the queries")
	return cmd
}
