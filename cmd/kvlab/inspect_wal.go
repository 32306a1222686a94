package main

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/kvlab/kvlab/vfs"
	"github.com/kvlab/kvlab/wal"
)

// newInspectWALCommand dumps a write-ahead log: each record's position,
// length, fragments and a preview, then why the log ended.
func newInspectWALCommand() *cobra.Command {
	var skip bool
	cmd := &cobra.Command{
		Use:   "wal FILE",
		Short: "Print a write-ahead log's records and how it ends",
		Long: `Print a write-ahead log's file header, then one line per record: its
offset, its length, the fragments it is split into and a hex and ASCII
preview of its first bytes. Last comes why the log ended: cleanly, at a torn
tail (a write cut short by a crash: normal after one, and dropped by
recovery), or at corruption (damage with valid records after it).

Corruption is reported as an error and the command exits with status 1.
With --skip-corrupt the dump skips each damaged block and goes on, lists what
it skipped, and still exits with status 1. The format is specified in
docs/format/wal.md.`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return inspectWAL(cmd.OutOrStdout(), args[0], skip)
		},
	}
	cmd.Flags().BoolVar(&skip, "skip-corrupt", false, "skip damaged blocks and go on reading")
	return cmd
}

func inspectWAL(out io.Writer, name string, skip bool) error {
	f, err := vfs.Default.Open(name, vfs.KindWAL)
	if err != nil {
		return err
	}
	defer f.Close()
	size, err := f.Size()
	if err != nil {
		return err
	}
	h, err := wal.ReadHeader(f, size, name)
	if errors.Is(err, io.ErrUnexpectedEOF) {
		fmt.Fprintf(out, "file %s (%d bytes): no complete file header (cut short at creation): an empty log\n", name, size)
		return nil
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "file %s (%d bytes): format version %d, block size %d, log number %d\n\n",
		name, size, h.Version, h.BlockSize, h.LogNum)

	r, err := wal.NewReader(f, size, name, h.LogNum, wal.ReaderOptions{SkipCorrupt: skip})
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "offset\tlength\tfragments\tpreview\n")
	var records, payload int64
	var readErr error
	for {
		rec, err := r.Next()
		if err != nil {
			if !errors.Is(err, io.EOF) {
				readErr = err
			}
			break
		}
		records++
		payload += int64(len(rec))
		fmt.Fprintf(tw, "%d\t%d\t%s\t%s\n", r.Pos().Offset, len(rec), describeFragments(r.Fragments()), previewRecord(rec))
	}
	if err := tw.Flush(); err != nil {
		return err
	}

	end := r.End()
	fmt.Fprintf(out, "\n%d record(s), %d bytes of payload\n", records, payload)
	if skip {
		for _, c := range end.Corruptions {
			fmt.Fprintf(out, "skipped damage at offset %d: %s\n", c.Offset, c.Reason)
		}
	}
	if end.DroppedBytes > 0 {
		fmt.Fprintf(out, "dropped %d bytes, at least %d record(s)\n", end.DroppedBytes, end.DroppedRecords)
	}
	switch end.Reason {
	case wal.EndClean:
		fmt.Fprintf(out, "end: clean, at offset %d\n", end.Offset)
	case wal.EndTornTail:
		fmt.Fprintf(out, "end: torn tail at offset %d (%d bytes after the last whole record: a write cut short; recovery truncates them)\n",
			end.Offset, end.FileSize-end.Offset)
	case wal.EndCorrupt:
		c := end.Corruptions[len(end.Corruptions)-1]
		fmt.Fprintf(out, "end: corruption at offset %d: %s (last good record ends at %d)\n", c.Offset, c.Reason, end.Offset)
	}
	if readErr != nil {
		return readErr
	}
	if n := len(end.Corruptions); n > 0 {
		return fmt.Errorf("%s: %d damaged region(s) skipped", name, n)
	}
	return nil
}

// describeFragments names the fragments a record was split into.
func describeFragments(n int) string {
	switch n {
	case 1:
		return "1 (FULL)"
	case 2:
		return "2 (FIRST LAST)"
	}
	return fmt.Sprintf("%d (FIRST %d×MIDDLE LAST)", n, n-2)
}

// previewRecord shows a record's first 16 bytes in hex and as ASCII, with
// an ellipsis when there are more.
func previewRecord(rec []byte) string {
	const limit = 16
	p := rec[:min(len(rec), limit)]
	var hex, ascii strings.Builder
	for i, b := range p {
		if i > 0 {
			hex.WriteByte(' ')
		}
		fmt.Fprintf(&hex, "%02x", b)
		if b >= 0x20 && b < 0x7f {
			ascii.WriteByte(b)
		} else {
			ascii.WriteByte('.')
		}
	}
	more := ""
	if len(rec) > limit {
		more = "…"
	}
	return fmt.Sprintf("%-47s  |%s|%s", hex.String(), ascii.String(), more)
}
