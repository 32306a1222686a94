package stress

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/kvlab/kvlab"
	"github.com/kvlab/kvlab/kv"
)

// Config is one stress run.
type Config struct {
	// Engine is the engine to stress: "lsm" or "btree" (any persistent
	// registered engine works; snapshots are exercised where supported).
	Engine string `json:"engine"`
	// Dir is the working directory; it must be empty or absent. The store
	// lives in Dir/db, the expected state in Dir/expected.state, the run's
	// configuration in Dir/run.json.
	Dir string `json:"-"`
	// Duration bounds the run.
	Duration time.Duration `json:"-"`
	// Cycles, when positive, stops a crash run after that many kills.
	Cycles int `json:"-"`
	// Seed makes the run's choices reproducible.
	Seed uint64 `json:"seed"`
	// Threads is the number of worker goroutines; each owns the keys
	// congruent to its number modulo Threads.
	Threads int `json:"threads"`
	// Keys is the size of the key space.
	Keys int `json:"keys"`
	// CrashEvery, when positive, runs the workers in a child process and
	// kills it with SIGKILL about this often (see the package
	// documentation); zero runs them in this process.
	CrashEvery time.Duration `json:"crash_every"`
	// Settings are engine options on top of the randomized ones that Run
	// chooses from Seed.
	Settings map[string]string `json:"settings"`
	// Out receives progress lines and violations as they are found; nil
	// discards them.
	Out io.Writer `json:"-"`
	// ChildCommand returns the command that runs RunChild(dir, seed) in a
	// new process; crash mode needs it. The CLI re-executes itself with a
	// hidden flag.
	ChildCommand func(dir string, seed uint64) *exec.Cmd `json:"-"`

	// wrap, when set, wraps the engine every time it is opened (tests use
	// it to inject faults). It is not carried to child processes.
	wrap func(kv.Engine) kv.Engine
}

// ErrConfig is wrapped by the errors Run returns for an unusable Config.
var ErrConfig = errors.New("stress: bad configuration")

func (c *Config) validate() error {
	info, err := kvlab.Lookup(c.Engine)
	switch {
	case err != nil:
		return fmt.Errorf("%w: %w", ErrConfig, err)
	case !info.Persistent:
		return fmt.Errorf("%w: engine %s keeps nothing across Close", ErrConfig, c.Engine)
	case c.Dir == "":
		return fmt.Errorf("%w: no directory", ErrConfig)
	case c.Threads < 1:
		return fmt.Errorf("%w: %d threads", ErrConfig, c.Threads)
	case c.Keys < c.Threads || c.Keys > 1e8:
		return fmt.Errorf("%w: %d keys (want at least one per thread, at most 10^8)", ErrConfig, c.Keys)
	case c.Duration <= 0 && (c.Cycles <= 0 || c.CrashEvery <= 0):
		return fmt.Errorf("%w: no duration (a cycle count alone bounds only a crash run)", ErrConfig)
	case c.CrashEvery < 0:
		return fmt.Errorf("%w: negative crash interval", ErrConfig)
	case c.CrashEvery > 0 && c.ChildCommand == nil:
		return fmt.Errorf("%w: crash mode needs a ChildCommand", ErrConfig)
	}
	if _, err := info.Parse(c.Settings); err != nil {
		return fmt.Errorf("%w: %w", ErrConfig, err)
	}
	return nil
}

// randomSettings picks options that keep the engine's background work
// busy on a small store: tiny memtables, tables, pages and checkpoints, so
// that flushes, compactions, splits and checkpoints happen constantly.
// Options the caller set are kept.
func randomSettings(engine string, rng *rand.Rand, fixed map[string]string) map[string]string {
	pick := func(vs ...string) string { return vs[rng.IntN(len(vs))] }
	s := map[string]string{}
	switch engine {
	case "lsm":
		trigger := 2 + rng.IntN(3)
		s["memtable-size"] = pick("64KiB", "96KiB", "128KiB", "256KiB")
		s["max-immutable-memtables"] = pick("1", "2", "3")
		s["l0-compaction-trigger"] = fmt.Sprint(trigger)
		s["l0-slowdown-trigger"] = fmt.Sprint(trigger * 3)
		s["l0-stop-trigger"] = fmt.Sprint(trigger * 4)
		s["l1-target-size"] = pick("64KiB", "128KiB", "256KiB")
		s["level-ratio"] = pick("2", "3", "4")
		s["target-file-size"] = pick("16KiB", "32KiB", "64KiB")
		s["block-size"] = pick("256B", "1KiB", "4KiB")
		s["restart-interval"] = pick("1", "4", "16")
		s["bloom-bits"] = pick("0", "4", "10")
		s["compression"] = pick("snappy", "none")
		s["block-cache"] = pick("0", "64KiB", "8MiB")
		s["max-manifest-size"] = pick("1KiB", "4KiB", "64KiB")
	case "btree":
		ps := []int{1 << 10, 2 << 10, 4 << 10}[rng.IntN(3)]
		s["page-size"] = fmt.Sprint(ps)
		s["pool-size"] = fmt.Sprint(ps * []int{16, 32, 128}[rng.IntN(3)])
		s["checkpoint-size"] = pick("16KiB", "64KiB", "256KiB")
		s["overflow-threshold"] = pick("0", "0", "100")
	}
	maps.Copy(s, fixed)
	return s
}

// FormatSettings renders settings as "engine.name=value ..." in name order.
func FormatSettings(engine string, s map[string]string) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(s)) {
		parts = append(parts, fmt.Sprintf("%s.%s=%s", engine, k, s[k]))
	}
	return strings.Join(parts, " ")
}

// Paths inside the working directory.
const (
	storeDir  = "db"
	stateFile = "expected.state"
	runFile   = "run.json"
)

func (c *Config) storePath() string { return filepath.Join(c.Dir, storeDir) }
func (c *Config) statePath() string { return filepath.Join(c.Dir, stateFile) }

// writeRunFile saves what a child needs to know about the run.
func (c *Config) writeRunFile() error {
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return fmt.Errorf("stress: %w", err)
	}
	if err := os.WriteFile(filepath.Join(c.Dir, runFile), append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("stress: %w", err)
	}
	return nil
}

// readRunFile loads the configuration a parent saved in dir.
func readRunFile(dir string) (Config, error) {
	var c Config
	b, err := os.ReadFile(filepath.Join(dir, runFile))
	if err != nil {
		return c, fmt.Errorf("stress: %w", err)
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return c, fmt.Errorf("stress: %s: %w", runFile, err)
	}
	c.Dir = dir
	return c, nil
}

// open opens the store with the run's settings.
func (c *Config) open() (kv.Engine, error) {
	db, err := kvlab.Open(c.Engine, c.storePath(), kvlab.Options{Settings: c.Settings})
	if err != nil {
		return nil, fmt.Errorf("open %s store: %w", c.Engine, err)
	}
	if c.wrap != nil {
		db = c.wrap(db)
	}
	return db, nil
}
