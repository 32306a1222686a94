package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/kvlab/kvlab/internal/units"
	"github.com/kvlab/kvlab/trie"
	"github.com/kvlab/kvlab/trie/triebench"
)

// newSuggestCommand builds "kvlab suggest": autocomplete dictionaries in
// package trie's serialized form.
func newSuggestCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "suggest",
		Short: "Build, query and measure weighted autocomplete dictionaries (package trie)",
		Long: `suggest works with autocomplete dictionaries: a compressed radix trie of
words with weights (package trie), saved in its serialized form
(docs/format/trie.md).

  kvlab suggest build --from words.txt -o words.trie   # word<TAB>weight or word per line
  kvlab suggest query --trie words.trie app -k 5        # the 5 heaviest completions
  kvlab suggest query --trie words.trie apl --fuzzy     # allowing one typo
  kvlab suggest stats --trie words.trie
  kvlab suggest bench                                   # the trie against go-radix & co.`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newSuggestBuildCommand(), newSuggestQueryCommand(), newSuggestStatsCommand(), newSuggestBenchCommand())
	return cmd
}

func newSuggestBuildCommand() *cobra.Command {
	var from, out string
	cmd := &cobra.Command{
		Use:   "build --from FILE -o TRIE",
		Short: "Build a dictionary from a word list (word<TAB>weight or word per line; repeats add up)",
		Long: `build reads a word list — one "word<TAB>weight" or just "word" (weight 1) per
line; a word seen again adds its weight — and writes the trie's serialized
form. Each word's value is its number in order of first appearance. --from -
reads standard input.`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if from == "" || out == "" {
				return usageErrorf("build needs --from FILE and -o FILE")
			}
			in, size, err := openWordList(cmd, from)
			if err != nil {
				return err
			}
			defer in.Close()
			start := time.Now()
			t, lines, err := buildTrie(in, size, progressFor(cmd.ErrOrStderr()))
			if err != nil {
				return fmt.Errorf("build from %s: %w", from, err)
			}
			n, err := writeFileAtomic(out, t)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%d keys from %d lines in %v; wrote %s (%s, %.1f bytes/key)\n",
				t.Len(), lines, time.Since(start).Round(time.Millisecond), out, units.FormatSize(n), float64(n)/float64(max(t.Len(), 1)))
			return nil
		},
	}
	cmd.Flags().StringVar(&from, "from", "", "word list to read (- for standard input)")
	cmd.Flags().StringVarP(&out, "output", "o", "", "file to write the trie to")
	return cmd
}

// openWordList opens the word list, or standard input for "-", and
// returns its size when known (0 otherwise).
func openWordList(cmd *cobra.Command, from string) (io.ReadCloser, int64, error) {
	if from == "-" {
		return io.NopCloser(cmd.InOrStdin()), 0, nil
	}
	f, err := os.Open(from)
	if err != nil {
		return nil, 0, err
	}
	var size int64
	if fi, err := f.Stat(); err == nil {
		size = fi.Size()
	}
	return f, size, nil
}

// buildTrie reads word lines into a new trie, reporting bytes read to p
// when p is not nil.
func buildTrie(r io.Reader, size int64, p interface {
	Start(string, int64, bool)
	Set(int64)
	Finish()
}) (*trie.Trie, int, error) {
	if p != nil && size > 0 {
		p.Start("reading words (bytes)", size, false)
		defer p.Finish()
	} else {
		p = nil
	}
	t := trie.New()
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var read int64
	lines := 0
	var id uint64
	for sc.Scan() {
		line := sc.Bytes()
		lines++
		read += int64(len(line)) + 1
		if p != nil && lines%4096 == 0 {
			p.Set(read)
		}
		line = bytes.TrimSuffix(line, []byte("\r"))
		word, weight := line, uint64(1)
		if i := bytes.LastIndexByte(line, '\t'); i >= 0 {
			w, err := strconv.ParseUint(string(line[i+1:]), 10, 64)
			if err != nil {
				return nil, lines, fmt.Errorf("line %d: weight %q: %w", lines, line[i+1:], err)
			}
			word, weight = line[:i], w
		}
		if len(word) == 0 {
			continue
		}
		if !t.Contains(word) {
			t.Put(word, id)
			id++
		}
		t.AddWeight(word, weight)
	}
	if err := sc.Err(); err != nil {
		return nil, lines, err
	}
	return t, lines, nil
}

// writeFileAtomic writes t's serialized form to a temporary file beside
// path and renames it into place.
func writeFileAtomic(path string, t *trie.Trie) (int64, error) {
	b, err := t.MarshalBinary()
	if err != nil {
		return 0, err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".suggest-*")
	if err != nil {
		return 0, err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return 0, fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return 0, fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return 0, fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return 0, err
	}
	return int64(len(b)), nil
}

// loadTrieFile reads and decodes a trie file.
func loadTrieFile(path string) (*trie.Trie, time.Duration, error) {
	if path == "" {
		return nil, 0, usageErrorf("--trie FILE is required")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, 0, err
	}
	start := time.Now()
	t, err := trie.Decode(b)
	if err != nil {
		return nil, 0, fmt.Errorf("load %s: %w", path, err)
	}
	return t, time.Since(start), nil
}

func newSuggestQueryCommand() *cobra.Command {
	var file string
	var k int
	var fuzzy bool
	cmd := &cobra.Command{
		Use:   "query --trie FILE PREFIX",
		Short: "Print the heaviest completions of a prefix (word<TAB>weight, heaviest first)",
		Args:  usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if k < 1 {
				return usageErrorf("-k must be at least 1")
			}
			t, _, err := loadTrieFile(file)
			if err != nil {
				return err
			}
			var res []trie.Completion
			if fuzzy {
				res = t.FuzzyTopK([]byte(args[0]), k)
			} else {
				res = t.TopK([]byte(args[0]), k)
			}
			w := bufio.NewWriter(cmd.OutOrStdout())
			for _, c := range res {
				fmt.Fprintf(w, "%s\t%d\n", c.Key, c.Weight)
			}
			return w.Flush()
		},
	}
	cmd.Flags().StringVar(&file, "trie", "", "trie file written by 'kvlab suggest build'")
	cmd.Flags().IntVarP(&k, "k", "k", 10, "number of completions")
	cmd.Flags().BoolVar(&fuzzy, "fuzzy", false, "also complete strings within one typo (edit distance 1) of the prefix")
	return cmd
}

func newSuggestStatsCommand() *cobra.Command {
	var file string
	cmd := &cobra.Command{
		Use:   "stats --trie FILE",
		Short: "Print a dictionary's keys, nodes, bytes per key and depth",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			t, load, err := loadTrieFile(file)
			if err != nil {
				return err
			}
			fi, err := os.Stat(file)
			if err != nil {
				return err
			}
			s := t.Stats()
			keys := float64(max(s.Keys, 1))
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
			fmt.Fprintf(tw, "keys\t%d\n", s.Keys)
			fmt.Fprintf(tw, "nodes\t%d (%.2f per key)\n", s.Nodes, float64(s.Nodes)/keys)
			fmt.Fprintf(tw, "label bytes\t%d\n", s.LabelBytes)
			fmt.Fprintf(tw, "file\t%s (%.1f bytes/key)\n", units.FormatSize(fi.Size()), float64(fi.Size())/keys)
			fmt.Fprintf(tw, "memory\t%s (%.1f bytes/key)\n", units.FormatSize(int64(s.ArenaBytes)), float64(s.ArenaBytes)/keys)
			fmt.Fprintf(tw, "depth\tmax %d edges, mean %.2f per key\n", s.MaxDepth, s.AvgKeyDepth)
			fmt.Fprintf(tw, "max weight\t%d\n", t.MaxWeight())
			fmt.Fprintf(tw, "load time\t%v\n", load.Round(time.Microsecond))
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&file, "trie", "", "trie file written by 'kvlab suggest build'")
	return cmd
}

func newSuggestBenchCommand() *cobra.Command {
	var keys string
	var queries, rounds, files int
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure the trie against go-radix, go-immutable-radix, a map and a sorted slice",
		Long: `bench builds every structure from the same word list — identifiers and
selectors from the Go sources under GOROOT, topped up with package-qualified
identifiers to --keys — and prints inserts/s, Get/s, prefix-walk keys/s,
TopK(10) latency for 1-, 2- and 3-byte prefixes, heap bytes per key, and the
trie's load time from its serialized form against rebuilding, with the trie's
ratio to go-radix. All in one process: on a shared machine, read the ratios.`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			n, err := units.ParseCount(keys)
			if err != nil || n < 1 {
				return usageErrorf("--keys %q: want a count such as 1M", keys)
			}
			rep, err := triebench.Run(triebench.Config{
				Keys: int(n), Queries: queries, Rounds: rounds, MaxFiles: files, Log: cmd.ErrOrStderr(),
			})
			if errors.Is(err, triebench.ErrNoGoroot) {
				return fmt.Errorf("suggest bench needs the Go distribution's sources: %w", err)
			}
			if err != nil {
				return err
			}
			return rep.Write(cmd.OutOrStdout())
		},
	}
	cmd.Flags().StringVar(&keys, "keys", "1M", "number of keys")
	cmd.Flags().IntVar(&queries, "queries", 2000, "TopK queries per prefix length")
	cmd.Flags().IntVar(&rounds, "rounds", 3, "rounds of the read phases (the best counts)")
	cmd.Flags().IntVar(&files, "max-files", 0, "read at most this many Go files (0: all)")
	return cmd
}
