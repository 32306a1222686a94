package main

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/kvlab/kvlab/internal/base"
	"github.com/kvlab/kvlab/sstable"
	"github.com/kvlab/kvlab/vfs"
)

// newInspectSSTableCommand dumps an SSTable: its properties, its index and
// filter, and with --keys every entry.
func newInspectSSTableCommand() *cobra.Command {
	var keys bool
	cmd := &cobra.Command{
		Use:   "sstable FILE",
		Short: "Print an SSTable's properties, index and filter (and entries with --keys)",
		Long: `Print an SSTable's properties, its index (one block handle and separator
key per data block), its Bloom filter's size and measured bits per key, and
its compression ratio. With --keys, also every entry: its internal key
(user key, sequence number, kind) and a preview of its value.

Every block is verified against its checksum as it is read (the data blocks
only with --keys): a damaged table is reported as an error and the command
exits with status 1.`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return inspectSSTable(cmd.OutOrStdout(), args[0], keys)
		},
	}
	cmd.Flags().BoolVar(&keys, "keys", false, "print every entry")
	return cmd
}

func inspectSSTable(out io.Writer, name string, keys bool) (err error) {
	f, err := vfs.Default.Open(name, vfs.KindSSTable)
	if err != nil {
		return err
	}
	r, err := sstable.Open(f, name, 0, sstable.ReaderOptions{})
	if err != nil {
		return err
	}
	defer func() {
		if cerr := r.Close(); err == nil {
			err = cerr
		}
	}()
	p := r.Properties()
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	row := func(label, format string, args ...any) {
		fmt.Fprintf(tw, "%s\t"+format+"\n", append([]any{label}, args...)...)
	}

	row("file", "%s (%d bytes, format version %d)", name, r.Size(), r.FormatVersion())
	row("entries", "%d (%d sets, %d deletions)", p.NumEntries, p.NumEntries-p.NumDeletions, p.NumDeletions)
	if p.NumEntries > 0 {
		row("smallest key", "%s", base.Format(p.SmallestKey))
		row("largest key", "%s", base.Format(p.LargestKey))
		row("sequence numbers", "%d … %d", p.SmallestSeq, p.LargestSeq)
	}
	row("raw keys / values", "%d / %d bytes", p.RawKeySize, p.RawValueSize)
	row("data blocks", "%d, %d bytes on disk, %d bytes uncompressed", p.NumDataBlocks, p.DataSize, p.RawDataSize)
	row("compression", "%s, ratio %.2f", p.Compression, p.CompressionRatio())
	row("index block", "%d bytes", p.IndexSize)
	if bits, hashes := r.FilterParams(); bits > 0 {
		row("filter block", "%d bytes: %d bits, %d hash functions, %d distinct user keys, %.2f bits/key measured",
			p.FilterSize, bits, hashes, p.FilterKeys, float64(bits)/float64(max(p.FilterKeys, 1)))
	} else {
		row("filter block", "none")
	}
	if p.NumRangeDeletions > 0 {
		row("range deletions", "%d (%d fragments), %d bytes", p.NumRangeDeletions, r.RangeDels().Len(), p.RangeDelSize)
	}
	row("writer options", "block size %d, restart interval %d, bloom bits per key %d", p.BlockSize, p.RestartInterval, p.BloomBitsPerKey)
	if err := tw.Flush(); err != nil {
		return err
	}

	fmt.Fprintf(out, "\nindex (%d data blocks):\n", len(r.Index()))
	tw = tabwriter.NewWriter(out, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "block\toffset\tlength\t  separator\t\n")
	for i, e := range r.Index() {
		fmt.Fprintf(tw, "%d\t%d\t%d\t  %s\t\n", i, e.Offset, e.Length, base.Format(e.Separator))
	}
	if err := tw.Flush(); err != nil {
		return err
	}

	if !keys {
		return nil
	}
	if frags := r.RangeDels().Fragments(); len(frags) > 0 {
		fmt.Fprintf(out, "\nrange deletions:\n")
		for _, f := range frags {
			fmt.Fprintf(out, "[%q, %q) #%v\n", f.Start, f.End, f.Seqs)
		}
	}
	fmt.Fprintf(out, "\nentries:\n")
	it := r.NewIter(nil, nil)
	for ok := it.First(); ok; ok = it.Next() {
		if base.KindOf(it.Key()) == base.KindDelete {
			fmt.Fprintf(out, "%s\n", base.Format(it.Key()))
			continue
		}
		fmt.Fprintf(out, "%s = %s\n", base.Format(it.Key()), previewValue(it.Value()))
	}
	return it.Close()
}

// previewValue shows up to 32 bytes of a value, quoted, with its length
// when it is cut.
func previewValue(v []byte) string {
	const limit = 32
	if len(v) <= limit {
		return fmt.Sprintf("%q", v)
	}
	return fmt.Sprintf("%q… (%d bytes)", v[:limit], len(v))
}
