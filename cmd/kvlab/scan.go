package main

import (
	"bufio"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/kvlab/kvlab/kv"
)

func newScanCommand() *cobra.Command {
	var f dbFlags
	var from, to, prefix string
	var reverse, keysOnly bool
	var limit int
	cmd := &cobra.Command{
		Use:   "scan",
		Short: "Print the keys and values in [--from, --to) or with --prefix, in order",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) (err error) {
			if limit < 0 {
				return usageErrorf("--limit must not be negative")
			}
			var o kv.IterOptions
			if prefix != "" {
				if from != "" || to != "" {
					return usageErrorf("--prefix cannot be combined with --from or --to")
				}
				p, err := f.decode(prefix)
				if err != nil {
					return err
				}
				o.LowerBound, o.UpperBound = p, prefixEnd(p)
			}
			if from != "" {
				if o.LowerBound, err = f.decode(from); err != nil {
					return err
				}
			}
			if to != "" {
				if o.UpperBound, err = f.decode(to); err != nil {
					return err
				}
			}
			db, err := f.open(cmd, openReadOnly)
			if err != nil {
				return err
			}
			defer closeDB(db, &err)
			it, err := db.NewIterator(o)
			if err != nil {
				return err
			}
			w := bufio.NewWriter(cmd.OutOrStdout())
			n := 0
			ok := it.First()
			step := it.Next
			if reverse {
				ok, step = it.Last(), it.Prev
			}
			for ; ok && (limit == 0 || n < limit); ok = step() {
				if keysOnly {
					fmt.Fprintln(w, f.encode(it.Key()))
				} else {
					fmt.Fprintf(w, "%s\t%s\n", f.encode(it.Key()), f.encode(it.Value()))
				}
				n++
			}
			if err := it.Close(); err != nil {
				return err
			}
			return w.Flush()
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&from, "from", "", "first key (inclusive)")
	cmd.Flags().StringVar(&to, "to", "", "end key (exclusive)")
	cmd.Flags().StringVar(&prefix, "prefix", "", "only keys with this prefix")
	cmd.Flags().BoolVar(&reverse, "reverse", false, "iterate from the largest key down")
	cmd.Flags().BoolVar(&keysOnly, "keys-only", false, "print keys only")
	cmd.Flags().IntVar(&limit, "limit", 0, "stop after this many entries (0: no limit)")
	return cmd
}

// prefixEnd returns the smallest key greater than every key with prefix p,
// or nil when there is none (p is all 0xff): kv.PrefixBounds's upper bound.
func prefixEnd(p []byte) []byte {
	_, hi := kv.PrefixBounds(p)
	return hi
}
