package main

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kvlab/kvlab/invertedindex"
)

func newSearchCommand() *cobra.Command {
	var dir string
	var k, offset int
	cmd := &cobra.Command{
		Use:   `search --dir D "QUERY"`,
		Short: "Search a full-text index: ranked hits with snippets",
		Long: `Runs a query on the index in --dir (built by "kvlab index add"; the directory
remembers its engine and analyzer) and prints the total hit count and the
best hits, BM25-ranked, with stored fields and a snippet, matched words in
[brackets].

Query syntax: word, "exact phrase", prefix*, field:word, +required,
-excluded, a OR b, (grouping). Words side by side are all required.`,
		Example: `  kvlab search --dir ./idx 'reader -writer'
  kvlab search --dir ./idx '"byte slice" OR buf*' -k 20 --offset 20`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			if dir == "" {
				return usageErrorf("--dir is required")
			}
			q, err := invertedindex.ParseQuery(args[0])
			if err != nil {
				return &usageError{err}
			}
			ix, err := invertedindex.OpenDir(dir, invertedindex.DirOptions{})
			if err != nil {
				return err
			}
			defer func() {
				if cerr := ix.Close(); err == nil {
					err = cerr
				}
			}()
			start := time.Now()
			res, err := ix.Search(invertedindex.Request{Query: q, Offset: offset, Limit: k, Snippet: true})
			if err != nil {
				return err
			}
			el := time.Since(start)
			out := cmd.OutOrStdout()
			if len(res.Hits) == 0 {
				fmt.Fprintf(out, "%d hits (%s)\n", res.Total, el.Round(time.Microsecond))
				return nil
			}
			fmt.Fprintf(out, "%d hits, showing %d-%d (%s)\n", res.Total, offset+1, offset+len(res.Hits), el.Round(time.Microsecond))
			for i, h := range res.Hits {
				fmt.Fprintf(out, "\n%d. %s  score %.4f\n", offset+i+1, h.ID, h.Score)
				names := make([]string, 0, len(h.Stored))
				for n := range h.Stored {
					names = append(names, n)
				}
				sort.Strings(names)
				for _, n := range names {
					fmt.Fprintf(out, "   %s: %s\n", n, oneLineClip(h.Stored[n], 100))
				}
				if h.Snippet != "" {
					fmt.Fprintf(out, "   %s\n", h.Snippet)
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "", "the index directory (required)")
	cmd.Flags().IntVarP(&k, "k", "k", 10, "number of hits to show")
	cmd.Flags().IntVar(&offset, "offset", 0, "skip that many hits (paging)")
	return cmd
}

func oneLineClip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
