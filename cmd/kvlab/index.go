package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/kvlab/kvlab/bench"
	"github.com/kvlab/kvlab/internal/units"
	"github.com/kvlab/kvlab/invertedindex"
)

func newIndexCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "index",
		Short: "Build and inspect a full-text index (package invertedindex)",
		Long: `A full-text index whose postings live in a kvlab engine. "index add" builds
or extends one; "kvlab search" queries it; "index stats" describes it. The
index directory remembers its engine and analyzer.`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newIndexAddCommand(), newIndexStatsCommand())
	return cmd
}

// jsonDoc is one line of a JSON Lines input: {"id": ..., "fields": {...},
// "stored": {...}}; other string members are text fields too.
type jsonDoc struct {
	ID     string            `json:"id"`
	Fields map[string]string `json:"fields"`
	Stored map[string]string `json:"stored"`
}

// indexWriteStatsFile accumulates, across "index add" runs, the bytes the
// engine wrote to files and the key and value bytes it was given.
const indexWriteStatsFile = "write-stats.json"

type indexWriteStats struct {
	UserBytesWritten int64 `json:"user_bytes_written"`
	FileBytesWritten int64 `json:"file_bytes_written"`
	Documents        int64 `json:"documents_added"`
	TextBytes        int64 `json:"text_bytes_added"`
}

func readIndexWriteStats(dir string) indexWriteStats {
	var ws indexWriteStats
	if data, err := os.ReadFile(filepath.Join(dir, indexWriteStatsFile)); err == nil {
		_ = json.Unmarshal(data, &ws)
	}
	return ws
}

func newIndexAddCommand() *cobra.Command {
	var engine, dir, analyzer string
	var batchSize int
	var sync bool
	cmd := &cobra.Command{
		Use:   "add --dir D [--engine lsm|btree] PATH...",
		Short: "Index text files or JSON Lines documents",
		Long: `Adds documents to the index in --dir, creating it on --engine (default lsm)
if there is none. Each PATH is a file or a directory (walked recursively,
hidden entries skipped). A file ending in .jsonl or .ndjson holds one
document per line: {"id": "...", "fields": {"title": "...", "body": "..."},
"stored": {"url": "..."}} (other string members are text fields too);
any other file is one document whose ID is its path, with its content as
the text field "text" and its path as the stored field "path". Documents
whose ID exists replace the old ones. Batches are atomic.`,
		Example: `  kvlab index add --engine lsm --dir ./idx ~/notes
  kvlab index add --dir ./idx docs.jsonl`,
		Args: usageArgs(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			if dir == "" {
				return usageErrorf("--dir is required")
			}
			if batchSize <= 0 {
				return usageErrorf("--batch must be positive")
			}
			if engine != "" && engine != "lsm" && engine != "btree" {
				return usageErrorf("--engine %q: want lsm or btree", engine)
			}
			o := invertedindex.DirOptions{Engine: engine, Options: invertedindex.Options{Sync: sync}}
			if _, err := invertedindex.ReadStoreInfo(nil, dir); errors.Is(err, invertedindex.ErrNoIndex) {
				if o.Engine == "" {
					o.Engine = "lsm"
				}
				an, err := invertedindex.AnalyzerByName(analyzer)
				if err != nil {
					return &usageError{err}
				}
				o.Options.Analyzer = an
				if err := os.MkdirAll(dir, 0o755); err != nil {
					return err
				}
			} else if cmd.Flags().Changed("analyzer") {
				return usageErrorf("--analyzer applies to a new index; %s remembers its own", dir)
			}
			files, total, err := inputFiles(args)
			if err != nil {
				return err
			}
			ix, err := invertedindex.OpenDir(dir, o)
			if err != nil {
				return err
			}
			defer func() {
				if cerr := ix.Close(); err == nil {
					err = cerr
				}
			}()
			before := ix.Engine().Stats()
			prog := bench.NewTerminalProgress(os.Stderr)
			if prog != nil {
				prog.Start("indexing", total, false)
			}
			start := time.Now()
			var b invertedindex.Batch
			var done, docs, text int64
			flush := func() error {
				if b.Len() == 0 {
					return nil
				}
				err := ix.Write(&b)
				b.Reset()
				return err
			}
			add := func(d invertedindex.Document) error {
				docs++
				for _, t := range d.Fields {
					text += int64(len(t))
				}
				b.Add(d)
				if b.Len() >= batchSize {
					return flush()
				}
				return nil
			}
			for _, f := range files {
				if err := readDocs(f, add, func(n int64) {
					done += n
					if prog != nil {
						prog.Set(done)
					}
				}); err != nil {
					return err
				}
			}
			if err := flush(); err != nil {
				return err
			}
			if err := ix.Engine().Sync(); err != nil {
				return err
			}
			if prog != nil {
				prog.Finish()
			}
			el := time.Since(start)
			st := ix.Engine().Stats().Sub(before)
			ws := readIndexWriteStats(dir)
			ws.UserBytesWritten += st.UserBytesWritten
			ws.FileBytesWritten += st.TotalIO().BytesWritten
			ws.Documents += docs
			ws.TextBytes += text
			if data, err := json.MarshalIndent(ws, "", "  "); err == nil {
				_ = os.WriteFile(filepath.Join(dir, indexWriteStatsFile), append(data, '\n'), 0o644)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "indexed %d documents (%s of text) from %d files in %s: %.0f docs/s, %.2f MB/s; %d live documents\n",
				docs, units.FormatSize(text), len(files), el.Round(time.Millisecond), float64(docs)/el.Seconds(), float64(text)/1e6/el.Seconds(), ix.DocCount())
			fmt.Fprintf(cmd.OutOrStdout(), "engine %s: %s written to files for %s of keys and values (write amp %.2f, before the final flush or checkpoint at close)\n",
				st.Engine, units.FormatSize(st.TotalIO().BytesWritten), units.FormatSize(st.UserBytesWritten), st.WriteAmp())
			return nil
		},
	}
	cmd.Flags().StringVar(&engine, "engine", "", "engine of a new index: lsm (default) or btree")
	cmd.Flags().StringVar(&dir, "dir", "", "the index directory (required)")
	cmd.Flags().StringVar(&analyzer, "analyzer", "english", "analyzer of a new index: unicode, unicode+stop, unicode+stem, unicode+stop+stem (english)")
	cmd.Flags().IntVar(&batchSize, "batch", 1000, "documents per atomic batch")
	cmd.Flags().BoolVar(&sync, "sync", false, "make each batch durable before the next")
	return cmd
}

// inputFiles expands the paths into files and sums their sizes.
func inputFiles(paths []string) ([]string, int64, error) {
	var out []string
	var total int64
	for _, p := range paths {
		err := filepath.WalkDir(p, func(q string, e fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if q != p && strings.HasPrefix(e.Name(), ".") {
				if e.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if e.Type().IsRegular() {
				fi, err := e.Info()
				if err != nil {
					return err
				}
				out = append(out, q)
				total += fi.Size()
			}
			return nil
		})
		if err != nil {
			return nil, 0, fmt.Errorf("index add: %w", err)
		}
	}
	return out, total, nil
}

// readDocs reads the documents of one file and reports bytes consumed.
func readDocs(path string, add func(invertedindex.Document) error, progress func(int64)) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("index add: %w", err)
	}
	defer f.Close()
	if !strings.HasSuffix(path, ".jsonl") && !strings.HasSuffix(path, ".ndjson") {
		data, err := io.ReadAll(f)
		if err != nil {
			return fmt.Errorf("index add: %w", err)
		}
		progress(int64(len(data)))
		return add(invertedindex.Document{ID: path, Fields: map[string]string{"text": string(data)}, Stored: map[string]string{"path": path}})
	}
	r := bufio.NewReaderSize(f, 1<<20)
	for line := 1; ; line++ {
		data, err := r.ReadBytes('\n')
		if len(data) > 0 {
			progress(int64(len(data)))
			if s := strings.TrimSpace(string(data)); s != "" {
				d, perr := parseJSONDoc([]byte(s))
				if perr != nil {
					return fmt.Errorf("index add: %s:%d: %w", path, line, perr)
				}
				if err := add(d); err != nil {
					return err
				}
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("index add: %w", err)
		}
	}
}

func parseJSONDoc(data []byte) (invertedindex.Document, error) {
	var jd jsonDoc
	if err := json.Unmarshal(data, &jd); err != nil {
		return invertedindex.Document{}, err
	}
	var all map[string]any
	if err := json.Unmarshal(data, &all); err != nil {
		return invertedindex.Document{}, err
	}
	d := invertedindex.Document{ID: jd.ID, Fields: jd.Fields, Stored: jd.Stored}
	if d.Fields == nil {
		d.Fields = map[string]string{}
	}
	for k, v := range all {
		if s, ok := v.(string); ok && k != "id" {
			d.Fields[k] = s
		}
	}
	if d.ID == "" {
		return d, errors.New(`no "id"`)
	}
	return d, nil
}

func newIndexStatsCommand() *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "stats --dir D",
		Short: "Print an index's documents, terms, postings and the engine's amplification",
		Long: `Scans the index in --dir and prints its documents, distinct terms, postings
(with deleted documents not yet merged away), posting chunks, the bytes of
posting keys and values per posting, and the engine's amplification: write
amplification over every "index add" so far (file bytes per key and value
byte, before each run's final flush or checkpoint), read amplification of
this scan (file bytes read per key and value byte returned), and space
amplification (file bytes per live key and value byte).`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) (err error) {
			if dir == "" {
				return usageErrorf("--dir is required")
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
			before := ix.Engine().Stats()
			s, err := ix.Census()
			if err != nil {
				return err
			}
			st := ix.Engine().Stats()
			scan := st.Sub(before)
			si, _ := invertedindex.ReadStoreInfo(nil, dir)
			ws := readIndexWriteStats(dir)
			out := cmd.OutOrStdout()
			w := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
			fmt.Fprintf(w, "engine\t%s\n", si.Engine)
			fmt.Fprintf(w, "analyzer\t%s\n", ix.Analyzer().Name())
			fmt.Fprintf(w, "documents\t%d live, %d deleted awaiting merge\n", s.Documents, s.DeletedPending)
			fmt.Fprintf(w, "text fields\t%s\n", strings.Join(ix.Fields(), ", "))
			fmt.Fprintf(w, "terms\t%d (field, term) pairs\n", s.Terms)
			fmt.Fprintf(w, "postings\t%d in %d chunks (%.1f per chunk)\n", s.Postings, s.Chunks, ratio(s.Postings, s.Chunks))
			fmt.Fprintf(w, "posting bytes\t%s keys + %s values: %.2f bytes per posting (positions included)\n",
				units.FormatSize(s.ChunkKeyBytes), units.FormatSize(s.ChunkValueBytes), ratio(s.ChunkKeyBytes+s.ChunkValueBytes, s.Postings))
			fmt.Fprintf(w, "document bytes\t%s (records: text kept for snippets, stored fields)\n", units.FormatSize(s.DocBytes))
			fmt.Fprintf(w, "disk\t%s\n", units.FormatSize(st.DiskBytes))
			if ws.UserBytesWritten > 0 {
				fmt.Fprintf(w, "write amp\t%.2f (%s to files for %s of keys and values over %d documents, %s of text added)\n",
					ratio(ws.FileBytesWritten, ws.UserBytesWritten), units.FormatSize(ws.FileBytesWritten), units.FormatSize(ws.UserBytesWritten), ws.Documents, units.FormatSize(ws.TextBytes))
			} else {
				fmt.Fprintf(w, "write amp\t- (no \"index add\" recorded)\n")
			}
			fmt.Fprintf(w, "read amp\t%.2f (this scan: %s read from files for %s returned)\n", scan.ReadAmp(), units.FormatSize(scan.TotalIO().BytesRead), units.FormatSize(scan.UserBytesRead))
			fmt.Fprintf(w, "space amp\t%.2f (%s on disk for %s of live keys and values)\n", ratio(st.DiskBytes, s.KVBytes), units.FormatSize(st.DiskBytes), units.FormatSize(s.KVBytes))
			return w.Flush()
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "", "the index directory (required)")
	return cmd
}

func ratio(a, b int64) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}
