package main

import (
	"fmt"
	"io"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/kvlab/kvlab/lsm/manifest"
	"github.com/kvlab/kvlab/vfs"
	"github.com/kvlab/kvlab/wal"
)

// newInspectManifestCommand dumps an LSM manifest: each version edit, then
// the tree they build.
func newInspectManifestCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "manifest FILE",
		Short: "Print an LSM manifest's version edits and the tree they build",
		Long: `Print each version edit of an LSM manifest (MANIFEST-NNNNNN): its offset,
the log number, next file number and last sequence number it sets, and the
tables it deletes and adds per level; then the tree the edits build, level by
level. Damage is reported as an error (exit status 1). The format is
specified in docs/format/manifest.md.`,
		Example: `  kvlab inspect manifest ./db/MANIFEST-000001`,
		Args:    usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return inspectManifest(cmd.OutOrStdout(), args[0])
		},
	}
}

func inspectManifest(out io.Writer, name string) error {
	typ, num, ok := manifest.ParseFileName(filepath.Base(name))
	if !ok || typ != manifest.TypeManifest {
		return usageErrorf("%s is not named like a manifest (MANIFEST-NNNNNN)", name)
	}
	v := &manifest.Version{}
	n := 0
	end, err := wal.Replay(vfs.Default, name, num, wal.ReaderOptions{Kind: vfs.KindManifest}, func(rec []byte, pos wal.Pos) error {
		var e manifest.VersionEdit
		if err := e.Decode(rec); err != nil {
			return fmt.Errorf("edit at %d: %w", pos.Offset, err)
		}
		fmt.Fprintf(out, "edit %d at offset %d (%d bytes)", n, pos.Offset, len(rec))
		if e.Comparator != "" {
			fmt.Fprintf(out, " comparator=%s", e.Comparator)
		}
		if e.HasLogNum {
			fmt.Fprintf(out, " log=%d", e.LogNum)
		}
		if e.HasNextFileNum {
			fmt.Fprintf(out, " next-file=%d", e.NextFileNum)
		}
		if e.HasLastSeq {
			fmt.Fprintf(out, " last-seq=%d", e.LastSeq)
		}
		fmt.Fprintln(out)
		for _, d := range e.Deleted {
			fmt.Fprintf(out, "  - L%d %06d\n", d.Level, d.FileNum)
		}
		for _, a := range e.Added {
			fmt.Fprintf(out, "  + L%d %s (%d bytes, %d entries)\n", a.Level, a.Meta, a.Meta.Size, a.Meta.Entries)
		}
		nv, err := v.Apply(&e)
		if err != nil {
			return fmt.Errorf("edit at %d: %w", pos.Offset, err)
		}
		v = nv
		n++
		return nil
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\n%d edits; the manifest ends: %s at offset %d of %d\n", n, end.Reason, end.Offset, end.FileSize)
	for level := range v.Levels {
		if c := v.NumFiles(level); c > 0 {
			fmt.Fprintf(out, "L%d: %d tables, %d bytes\n", level, c, v.LevelSize(level))
		}
	}
	return nil
}
