package main

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/kvlab/kvlab/internal/units"
	"github.com/kvlab/kvlab/kv"
)

func newStatsCommand() *cobra.Command {
	var f dbFlags
	var format string
	cmd := &cobra.Command{
		Use:   "stats",
		Short: "Print a store's figures: shape, I/O by file kind, amplification",
		Long: `Opens the store and prints its engine's figures: for the LSM the per-level
table (files, size, score, bytes in and written, write amplification), for the
B+tree its height, pages and fill factor; then the bytes moved per file kind
since Open (the store is opened read-only: its logs are replayed in memory
and nothing is written to its directory) and the amplification figures
defined in docs/design.md.`,
		Example: `  kvlab stats --dir ./db
  kvlab stats --engine btree --dir ./db --format json`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) (err error) {
			if format != "table" && format != "json" {
				return usageErrorf("--format %q: want table or json", format)
			}
			db, err := f.open(cmd, openReadOnly)
			if err != nil {
				return err
			}
			defer closeDB(db, &err)
			st := db.Stats()
			if format == "json" {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(st)
			}
			writeStats(cmd.OutOrStdout(), st)
			return nil
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&format, "format", "table", "output format: table or json")
	return cmd
}

// writeStats renders Stats for a terminal.
func writeStats(out io.Writer, st kv.Stats) {
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	size := func(n int64) string { return units.FormatSize(n) }
	fmt.Fprintf(out, "engine %s\n", st.Engine)
	if l := st.LSM; l != nil {
		fmt.Fprintln(w, "level\tfiles\tsize\tscore\tbytes in\tbytes written\tbytes read\twrite amp\t")
		for _, lv := range l.Levels {
			fmt.Fprintf(w, "L%d\t%d\t%s\t%.2f\t%s\t%s\t%s\t%.2f\t\n", lv.Level, lv.Files, size(lv.Bytes), lv.Score,
				size(lv.BytesIn), size(lv.BytesWritten), size(lv.BytesRead), lv.WriteAmp())
		}
		w.Flush()
		fmt.Fprintf(out, "memtables: %s (%d immutable); flushes %d (%s); compactions %d (%s, %s in, %s out)\n",
			size(l.MemtableBytes), l.ImmutableMemtables, l.Flushes, size(l.FlushBytes), l.Compactions,
			time.Duration(l.CompactionNanos).Round(time.Millisecond), size(l.CompactionBytesIn), size(l.CompactionBytesOut))
		fmt.Fprintf(out, "write stalls %d (%s); tables per get %.2f; bloom checks %d, negatives %d, false positives %d\n",
			l.Stalls, time.Duration(l.StallNanos).Round(time.Millisecond), l.TablesPerGet, l.BloomChecks, l.BloomNegatives, l.BloomFalsePositives)
		fmt.Fprintf(out, "memory %s: memtable arenas %s, their filters %s, block cache %s, %d open tables' indexes %s and filters %s, WAL buffers %s\n",
			size(l.MemoryBytes), size(l.MemtableArenaBytes), size(l.MemtableFilterBytes), size(l.BlockCacheBytes),
			l.OpenTables, size(l.TableIndexBytes), size(l.TableFilterBytes), size(l.WALBufferBytes))
	}
	if b := st.BTree; b != nil {
		fmt.Fprintf(out, "height %d, page size %s; pages: %d leaf, %d branch, %d overflow, %d free; leaf fill %.1f%%\n",
			b.Height, size(int64(b.PageSize)), b.LeafPages, b.BranchPages, b.OverflowPages, b.FreePages, 100*b.FillFactor)
		fmt.Fprintf(out, "checkpoints %d (%s); pages read per op %.2f, written per op %.2f\n",
			b.Checkpoints, size(b.CheckpointBytes), b.PagesReadPerOp, b.PagesWrittenPerOp)
	}
	kinds := make([]string, 0, len(st.IO))
	for k := range st.IO {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	fmt.Fprintln(w, "file kind\twritten\tread\tsynced\twrites\treads\tsyncs\t")
	for _, k := range kinds {
		io := st.IO[k]
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%d\t%d\t%d\t\n", k, size(io.BytesWritten), size(io.BytesRead), size(io.BytesSynced), io.Writes, io.Reads, io.Syncs)
	}
	w.Flush()
	fmt.Fprintf(out, "disk %s; live data %s; cache hit ratio %.1f%%\n", size(st.DiskBytes), size(st.LiveBytes), 100*st.CacheHitRatio())
	fmt.Fprintf(out, "write amp %.2f; read amp %.2f bytes/byte, %.2f blocks/get; space amp %.2f\n",
		st.WriteAmp(), st.ReadAmp(), st.BlocksPerGet(), st.SpaceAmp())
	if len(st.Extra) > 0 {
		names := make([]string, 0, len(st.Extra))
		for k := range st.Extra {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			fmt.Fprintf(out, "%s %g\n", k, st.Extra[k])
		}
	}
}
