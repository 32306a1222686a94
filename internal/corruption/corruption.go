// Package corruption is the corruption matrix of issue 13: for every kind of
// file of both engines it damages a store — flipped bytes, zeroed ranges,
// files cut short — after a clean Close and after a crash, opens it, reads
// every key, scans, runs Check, and classifies what happened.
//
// The acceptable outcomes are:
//
//   - OpenCorrupt: Open fails with an error wrapping kv.ErrCorruption whose
//     message names the damaged file;
//   - ReadCorrupt: Open succeeds, every read returns the right value or an
//     error wrapping kv.ErrCorruption (at least one does), and Check reports
//     corruption;
//   - CheckOnly: every read is right and Check reports the damage;
//   - Harmless: every read is right and Check finds nothing: the damage hit
//     bytes no reader needs (an empty log's header cut to nothing, a stale
//     meta slot, a free page's old content...);
//   - TornTail: the one allowed loss: after a crash, damage to the newest
//     WAL cost a suffix of its writes (docs/format/wal.md), and nothing else
//     changed.
//
// Every other outcome is a failure, listed with its case: SilentLoss (a key
// missing without an error), WrongValue (a stale, wrong or resurrected
// value), CheckMissed (reads failed with corruption but Check passed),
// OpenError (Open failed with an error that is not corruption, or does not
// name the file), Panic.
//
// Run is what a test (and later a CLI) calls; Result.Table prints the
// counts by engine, state, file kind and outcome.
package corruption

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime/debug"
	"sort"
	"strings"
	"sync"

	"github.com/kvlab/kvlab/btree"
	"github.com/kvlab/kvlab/kv"
	"github.com/kvlab/kvlab/lsm"
	"github.com/kvlab/kvlab/lsm/manifest"
	"github.com/kvlab/kvlab/vfs"
)

// Outcome classifies one damaged store.
type Outcome string

// Outcomes; see the package documentation.
const (
	OpenCorrupt Outcome = "open-corrupt"
	ReadCorrupt Outcome = "read-corrupt"
	CheckOnly   Outcome = "check-only"
	Harmless    Outcome = "harmless"
	TornTail    Outcome = "torn-tail"
	SilentLoss  Outcome = "FAIL-silent-loss"
	WrongValue  Outcome = "FAIL-wrong-value"
	CheckMissed Outcome = "FAIL-check-missed"
	OpenError   Outcome = "FAIL-open-error"
	Panic       Outcome = "FAIL-panic"
)

// Failed reports whether o is a failure.
func (o Outcome) Failed() bool { return strings.HasPrefix(string(o), "FAIL") }

// Outcomes lists every outcome in table order.
var Outcomes = []Outcome{OpenCorrupt, ReadCorrupt, CheckOnly, Harmless, TornTail, SilentLoss, WrongValue, CheckMissed, OpenError, Panic}

// Damage is a way of damaging a file.
type Damage string

// Damages.
const (
	Flip     Damage = "flip"     // XOR one byte with 0xff
	Zero     Damage = "zero"     // zero 1 to 64 bytes
	Truncate Damage = "truncate" // cut the file at an offset in the region
)

var damages = []Damage{Flip, Zero, Truncate}

// File kinds.
const (
	KindCurrent    = "CURRENT"
	KindManifest   = "MANIFEST"
	KindWALNewest  = "WAL-newest"
	KindWALOlder   = "WAL-older"
	KindSSTData    = "sst-data"
	KindSSTIndex   = "sst-index"
	KindSSTFilter  = "sst-filter"
	KindSSTFooter  = "sst-footer"
	KindBTreeMeta  = "btree-meta"
	KindBTreeBr    = "btree-branch"
	KindBTreeLeaf  = "btree-leaf"
	KindBTreeOvf   = "btree-overflow"
	KindBTreeFree  = "btree-freelist"
	KindBTreeWAL   = "WAL"
	stateClean     = "clean"
	stateCrash     = "crash"
	engineLSM      = "lsm"
	engineBTree    = "btree"
	dir            = "/db"
	tailKeyPattern = "tail%06d"
)

var lsmKinds = []string{KindCurrent, KindManifest, KindWALNewest, KindWALOlder, KindSSTData, KindSSTIndex, KindSSTFilter, KindSSTFooter}
var btreeKinds = []string{KindBTreeMeta, KindBTreeBr, KindBTreeLeaf, KindBTreeOvf, KindBTreeFree, KindBTreeWAL}

// Options tune Run.
type Options struct {
	// Seed makes the run reproducible.
	Seed uint64
	// Cases is the number of damaged stores per engine, state, file kind and
	// damage (default 2).
	Cases int
	// Keys is the number of keys written (default 1500).
	Keys int
	// Log, when set, receives a line per failure as it is found.
	Log io.Writer
}

// Key identifies a row of the result.
type Key struct {
	Engine, State, Kind string
}

// Result holds the counts of a Run.
type Result struct {
	Counts   map[Key]map[Outcome]int
	Absent   map[Key]int // cases skipped because the store had no such file
	Failures []string
}

// Total returns the number of cases run.
func (r *Result) Total() int {
	n := 0
	for _, m := range r.Counts {
		for _, c := range m {
			n += c
		}
	}
	return n
}

// ByOutcome sums the counts of each outcome.
func (r *Result) ByOutcome() map[Outcome]int {
	out := map[Outcome]int{}
	for _, m := range r.Counts {
		for o, c := range m {
			out[o] += c
		}
	}
	return out
}

// Table formats the counts, one row per engine, state and file kind.
func (r *Result) Table() string {
	var keys []Key
	for k := range r.Counts {
		keys = append(keys, k)
	}
	for k := range r.Absent {
		if r.Counts[k] == nil {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.Engine != b.Engine {
			return a.Engine < b.Engine
		}
		if a.State != b.State {
			return a.State < b.State
		}
		return a.Kind < b.Kind
	})
	var b strings.Builder
	fmt.Fprintf(&b, "%-6s %-6s %-15s", "engine", "state", "file kind")
	for _, o := range Outcomes {
		fmt.Fprintf(&b, " %*s", len(o), o)
	}
	fmt.Fprintf(&b, " %6s\n", "absent")
	for _, k := range keys {
		fmt.Fprintf(&b, "%-6s %-6s %-15s", k.Engine, k.State, k.Kind)
		for _, o := range Outcomes {
			fmt.Fprintf(&b, " %*d", len(o), r.Counts[k][o])
		}
		fmt.Fprintf(&b, " %6d\n", r.Absent[k])
	}
	fmt.Fprintf(&b, "%d cases, %d failures\n", r.Total(), len(r.Failures))
	return b.String()
}

func (r *Result) add(k Key, o Outcome, detail string) {
	if r.Counts[k] == nil {
		r.Counts[k] = map[Outcome]int{}
	}
	r.Counts[k][o]++
	if o.Failed() {
		r.Failures = append(r.Failures, fmt.Sprintf("%s/%s/%s: %s: %s", k.Engine, k.State, k.Kind, o, detail))
	}
}

// Run runs the matrix. Its error is about the harness (a store that does
// not build); damage outcomes, failures included, are in the Result.
func Run(o Options) (*Result, error) {
	if o.Cases <= 0 {
		o.Cases = 2
	}
	if o.Keys <= 0 {
		o.Keys = 1500
	}
	res := &Result{Counts: map[Key]map[Outcome]int{}, Absent: map[Key]int{}}
	for _, engine := range []string{engineLSM, engineBTree} {
		for _, state := range []string{stateClean, stateCrash} {
			base, model, err := buildStore(engine, state, o)
			if err != nil {
				return res, fmt.Errorf("%s/%s: build: %w", engine, state, err)
			}
			kinds := lsmKinds
			if engine == engineBTree {
				kinds = btreeKinds
			}
			for ki, kind := range kinds {
				rng := rand.New(rand.NewPCG(o.Seed, uint64(ki)<<8|uint64(len(engine))<<4|uint64(len(state))))
				k := Key{engine, state, kind}
				for _, d := range damages {
					for c := 0; c < o.Cases; c++ {
						fs := base.Clone()
						name, lo, hi, ok := region(fs, engine, kind, rng)
						if !ok {
							res.Absent[k]++
							continue
						}
						desc := applyDamage(fs, name, lo, hi, d, rng)
						out, detail := evaluate(fs, engine, state, kind, name, model)
						if out.Failed() && o.Log != nil {
							fmt.Fprintf(o.Log, "%s/%s/%s: %s: %s: %s\n", engine, state, kind, desc, out, detail)
						}
						res.add(k, out, desc+": "+detail)
					}
				}
			}
		}
	}
	return res, nil
}

// ---- building the stores ----

type engineDB interface {
	kv.Engine
	kv.Checker
}

func openEngine(fs vfs.FS, engine string) (engineDB, error) {
	if engine == engineLSM {
		return lsm.Open(fs, dir, lsmOptions())
	}
	return btree.Open(fs, dir, btreeOptions())
}

func lsmOptions() lsm.Options {
	o := lsm.DefaultOptions()
	o.MemtableSize = 64 << 10
	o.MaxImmutableMemtables = 4
	o.L1TargetSize = 64 << 10
	o.LevelRatio = 2
	o.TargetFileSize = 16 << 10
	o.L0CompactionTrigger = 2
	o.L0SlowdownTrigger = 8
	o.L0StopTrigger = 12
	o.BlockSize = 512
	o.BlockCacheSize = 0
	o.MaxManifestSize = 8 << 10
	return o
}

func btreeOptions() btree.Options {
	o := btree.DefaultOptions()
	o.PageSize = 1024
	o.PoolSize = 64 << 10
	o.CheckpointSize = 1 << 30
	return o
}

// gateFS blocks the creation of tables until released, so that flushes
// stall and WALs pile up.
type gateFS struct {
	vfs.FS
	gate chan struct{}
}

func (g *gateFS) Create(name string, kind vfs.Kind) (vfs.File, error) {
	if kind == vfs.KindSSTable {
		<-g.gate
	}
	return g.FS.Create(name, kind)
}

type model map[string]string

// buildStore writes the workload and returns the store, cleanly closed or
// crashed, and what it must hold.
func buildStore(engine, state string, o Options) (*vfs.MemFS, model, error) {
	rng := rand.New(rand.NewPCG(o.Seed, 99))
	mem := vfs.NewMem()
	db, err := openEngine(mem, engine)
	if err != nil {
		return nil, nil, err
	}
	m := model{}
	val := func(i int) string {
		n := 20 + rng.IntN(60)
		if rng.IntN(8) == 0 {
			n = 1200 + rng.IntN(800) // overflow pages in the B+tree
		}
		s := fmt.Sprintf("v%d.", i)
		return s + strings.Repeat(string(rune('a'+rng.IntN(26))), n-len(s))
	}
	for i := range o.Keys {
		k := fmt.Sprintf("key%06d", rng.IntN(o.Keys*2))
		v := val(i)
		if err := db.Put([]byte(k), []byte(v)); err != nil {
			return nil, nil, err
		}
		m[k] = v
	}
	// Deletes leave free pages (and a free list) in the B+tree and
	// tombstones in the LSM.
	for k := range m {
		if rng.IntN(5) == 0 {
			if err := db.Delete([]byte(k)); err != nil {
				return nil, nil, err
			}
			delete(m, k)
		}
	}
	if err := db.Close(); err != nil {
		return nil, nil, err
	}
	if state == stateClean {
		return mem, m, nil
	}

	// The crashed store: reopen, write distinct tail keys with periodic
	// syncs (with table creation held back for the LSM, so that several
	// WALs hold records), and crash keeping only synced data.
	var fs vfs.FS = mem
	var gate *gateFS
	if engine == engineLSM {
		gate = &gateFS{FS: mem, gate: make(chan struct{})}
		fs = gate
	}
	db, err = openEngine(fs, engine)
	if err != nil {
		return nil, nil, err
	}
	// About 150KB of tail: two or three memtables of lsmOptions, fewer than
	// MaxImmutableMemtables, so that writes never wait for the held-back
	// flushes.
	tail := o.Keys / 4
	vlen := max(50, 150_000/max(1, tail))
	for i := range tail {
		v := fmt.Sprintf("t%d.", i)
		v += strings.Repeat("x", vlen-len(v))
		if err := db.Write(batchOf(fmt.Sprintf(tailKeyPattern, i), v), kv.WriteOptions{Sync: i%20 == 19}); err != nil {
			return nil, nil, err
		}
	}
	crashed := mem.CrashClone(vfs.CrashOptions{})
	if gate != nil {
		close(gate.gate)
	}
	db.Close()

	// What the crashed store holds, undamaged, is the reference: the
	// crash-recovery tests establish that it is a correct prefix.
	ref, err := readStore(crashed.Clone(), engine)
	if err != nil {
		return nil, nil, fmt.Errorf("undamaged crashed store: %w", err)
	}
	for k, v := range m {
		if ref[k] != v {
			return nil, nil, fmt.Errorf("undamaged crashed store: %s = %q, want %q", k, ref[k], v)
		}
	}
	return crashed, ref, nil
}

func batchOf(k, v string) *kv.Batch {
	var b kv.Batch
	b.Put([]byte(k), []byte(v))
	return &b
}

func readStore(fs vfs.FS, engine string) (model, error) {
	db, err := openEngine(fs, engine)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	it, err := db.NewIterator(kv.IterOptions{})
	if err != nil {
		return nil, err
	}
	defer it.Close()
	m := model{}
	for ok := it.First(); ok; ok = it.Next() {
		m[string(it.Key())] = string(it.Value())
	}
	if err := it.Err(); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := db.Check(&buf); err != nil {
		return nil, err
	}
	return m, nil
}

// ---- finding the region of a file kind ----

func readFile(fs vfs.FS, name string) []byte {
	b, err := vfs.ReadFile(fs, name, vfs.KindOther)
	if err != nil {
		return nil
	}
	return b
}

func filesOf(fs vfs.FS, typ manifest.FileType) []uint64 {
	names, _ := fs.List(dir)
	var out []uint64
	for _, n := range names {
		if t, num, ok := manifest.ParseFileName(n); ok && t == typ {
			out = append(out, num)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// region picks the file and the byte range [lo, hi) holding a structure of
// the kind; ok is false when the store has none.
func region(fs vfs.FS, engine, kind string, rng *rand.Rand) (name string, lo, hi int64, ok bool) {
	whole := func(n string) (string, int64, int64, bool) {
		b := readFile(fs, n)
		if len(b) == 0 {
			return "", 0, 0, false
		}
		return n, 0, int64(len(b)), true
	}
	switch kind {
	case KindCurrent:
		return whole(manifest.CurrentFileName(dir))
	case KindManifest:
		num, err := manifest.ReadCurrent(fs, dir)
		if err != nil {
			return "", 0, 0, false
		}
		n, lo, hi, ok := whole(manifest.ManifestFileName(dir, num))
		if ok && rng.IntN(2) == 0 {
			lo = max(lo, hi-64) // the tail: lost edits (issue 13 item 1)
		}
		return n, lo, hi, ok
	case KindWALNewest, KindWALOlder:
		logs := filesOf(fs, manifest.TypeLog)
		i := len(logs) - 1
		if kind == KindWALOlder {
			i--
		}
		if i < 0 {
			return "", 0, 0, false
		}
		n, lo, hi, ok := whole(manifest.LogFileName(dir, logs[i]))
		if ok && rng.IntN(2) == 0 {
			lo = max(lo, hi-64) // the last record
		}
		return n, lo, hi, ok
	case KindSSTData, KindSSTIndex, KindSSTFilter, KindSSTFooter:
		tables := filesOf(fs, manifest.TypeTable)
		if len(tables) == 0 {
			return "", 0, 0, false
		}
		n := manifest.TableFileName(dir, tables[rng.IntN(len(tables))])
		b := readFile(fs, n)
		if len(b) < 64 {
			return "", 0, 0, false
		}
		f := b[len(b)-64:]
		le := binary.LittleEndian
		idxOff, idxLen := int64(le.Uint64(f[0:])), int64(le.Uint64(f[8:]))
		filOff, filLen := int64(le.Uint64(f[16:])), int64(le.Uint64(f[24:]))
		switch kind {
		case KindSSTData:
			end := idxOff
			if filLen > 0 {
				end = filOff
			}
			return n, 0, end, end > 0
		case KindSSTIndex:
			return n, idxOff, idxOff + idxLen + 5, idxLen > 0
		case KindSSTFilter:
			return n, filOff, filOff + filLen + 5, filLen > 0
		default:
			return n, int64(len(b)) - 64, int64(len(b)), true
		}
	case KindBTreeMeta:
		n := vfs.Join(dir, "btree.meta")
		b := readFile(fs, n)
		slot := newestSlot(b)
		if slot < 0 {
			return "", 0, 0, false
		}
		return n, int64(slot * 512), int64(slot*512 + 116), true
	case KindBTreeWAL:
		names, _ := fs.List(dir)
		var logs []string
		for _, n := range names {
			if strings.HasPrefix(n, "wal-") && strings.HasSuffix(n, ".log") {
				logs = append(logs, n)
			}
		}
		if len(logs) == 0 {
			return "", 0, 0, false
		}
		sort.Strings(logs)
		n, lo, hi, ok := whole(vfs.Join(dir, logs[len(logs)-1]))
		if ok && rng.IntN(2) == 0 {
			lo = max(lo, hi-64)
		}
		return n, lo, hi, ok
	case KindBTreeBr, KindBTreeLeaf, KindBTreeOvf, KindBTreeFree:
		pages := livePages(fs)
		want := map[string]byte{KindBTreeLeaf: 1, KindBTreeBr: 2, KindBTreeOvf: 3, KindBTreeFree: 4}[kind]
		list := pages.byType[want]
		if len(list) == 0 {
			return "", 0, 0, false
		}
		pg := list[rng.IntN(len(list))]
		off := int64(pg-1) * int64(pages.ps)
		return vfs.Join(dir, "btree.pages"), off, off + int64(pages.ps), true
	}
	return "", 0, 0, false
}

// newestSlot returns the meta slot with the larger checkpoint among those
// with the right magic, or -1.
func newestSlot(b []byte) int {
	best, bestCP := -1, uint64(0)
	for s := range 2 {
		if len(b) < s*512+116 || string(b[s*512:s*512+8]) != "KVLBTREE" {
			continue
		}
		if cp := binary.LittleEndian.Uint64(b[s*512+16:]); best < 0 || cp > bestCP {
			best, bestCP = s, cp
		}
	}
	return best
}

type pageMap struct {
	ps     int
	byType map[byte][]uint64
}

// livePages walks the newest checkpoint's tree and free list, following
// docs/format/btree.md, and lists the live pages by type.
func livePages(fs vfs.FS) pageMap {
	pm := pageMap{byType: map[byte][]uint64{}}
	meta := readFile(fs, vfs.Join(dir, "btree.meta"))
	slot := newestSlot(meta)
	if slot < 0 {
		return pm
	}
	le := binary.LittleEndian
	ms := meta[slot*512:]
	pm.ps = int(le.Uint32(ms[12:]))
	root, freelist, count := le.Uint64(ms[24:]), le.Uint64(ms[40:]), le.Uint64(ms[48:])
	data := readFile(fs, vfs.Join(dir, "btree.pages"))
	page := func(pg uint64) []byte {
		off := int(pg-1) * pm.ps
		if pg == 0 || pg >= count || off+pm.ps > len(data) {
			return nil
		}
		return data[off : off+pm.ps]
	}
	seen := map[uint64]bool{}
	var walk func(pg uint64, depth int)
	walk = func(pg uint64, depth int) {
		p := page(pg)
		if p == nil || seen[pg] || depth > 64 {
			return
		}
		seen[pg] = true
		pm.byType[p[0]] = append(pm.byType[p[0]], pg)
		n := int(le.Uint16(p[2:]))
		switch p[0] {
		case 2: // branch
			for i := 0; i < n && 32+2*i+2 <= len(p); i++ {
				off := int(le.Uint16(p[32+2*i:]))
				if off+8 <= len(p) {
					walk(le.Uint64(p[off:]), depth+1)
				}
			}
			walk(le.Uint64(p[16:]), depth+1)
		case 1: // leaf
			for i := 0; i < n && 32+2*i+2 <= len(p); i++ {
				off := int(le.Uint16(p[32+2*i:]))
				if off >= len(p) || p[off] != 1 {
					continue
				}
				c := p[off+1:]
				k, a := binary.Uvarint(c)
				_, b := binary.Uvarint(c[a:])
				at := a + b + int(k)
				if a > 0 && b > 0 && at+8 <= len(c) {
					ov := le.Uint64(c[at:])
					if q := page(ov); q != nil && !seen[ov] {
						seen[ov] = true
						pm.byType[3] = append(pm.byType[3], ov)
					}
				}
			}
		}
	}
	walk(root, 0)
	for pg := freelist; pg != 0 && !seen[pg]; {
		p := page(pg)
		if p == nil {
			break
		}
		seen[pg] = true
		pm.byType[4] = append(pm.byType[4], pg)
		pg = le.Uint64(p[16:])
	}
	for _, l := range pm.byType {
		sort.Slice(l, func(i, j int) bool { return l[i] < l[j] })
	}
	return pm
}

// ---- damaging ----

func applyDamage(fs vfs.FS, name string, lo, hi int64, d Damage, rng *rand.Rand) string {
	b := readFile(fs, name)
	hi = min(hi, int64(len(b)))
	if lo >= hi {
		lo = max(0, hi-1)
	}
	off := lo + rng.Int64N(max(1, hi-lo))
	var desc string
	switch d {
	case Flip:
		b[off] ^= 0xff
		desc = fmt.Sprintf("flip %s[%d]", vfs.Base(name), off)
	case Zero:
		// Start at a byte that is not zero already, if the region has one:
		// zeroing zeros (a page's free space) damages nothing.
		for try := 0; try < 200 && b[off] == 0; try++ {
			off = lo + rng.Int64N(max(1, hi-lo))
		}
		n := 1 + rng.Int64N(64)
		end := min(off+n, int64(len(b)))
		clear(b[off:end])
		desc = fmt.Sprintf("zero %s[%d:%d]", vfs.Base(name), off, end)
	case Truncate:
		b = b[:off]
		desc = fmt.Sprintf("truncate %s to %d of %d bytes", vfs.Base(name), off, hi)
	}
	f, err := fs.Create(name, vfs.KindOther)
	if err == nil {
		f.Write(b)
		f.Sync()
		f.Close()
	}
	return desc
}

// ---- evaluating ----

var panicMu sync.Mutex

// evaluate opens the damaged store and classifies the outcome.
func evaluate(fs vfs.FS, engine, state, kind, name string, want model) (out Outcome, detail string) {
	defer func() {
		if p := recover(); p != nil {
			panicMu.Lock()
			defer panicMu.Unlock()
			out, detail = Panic, fmt.Sprintf("%v\n%s", p, debug.Stack())
		}
	}()
	db, err := openEngine(fs, engine)
	if err != nil {
		if errors.Is(err, kv.ErrCorruption) && strings.Contains(err.Error(), vfs.Base(name)) {
			return OpenCorrupt, err.Error()
		}
		return OpenError, err.Error()
	}
	defer db.Close()

	keys := make([]string, 0, len(want))
	for k := range want {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	corruptReads := 0
	var missing []string
	var wrong []string
	for _, k := range keys {
		v, err := db.Get([]byte(k))
		switch {
		case err == nil && string(v) == want[k]:
		case err == nil:
			wrong = append(wrong, fmt.Sprintf("Get(%s) = %.20q, want %.20q", k, v, want[k]))
		case errors.Is(err, kv.ErrCorruption):
			corruptReads++
		case errors.Is(err, kv.ErrNotFound):
			missing = append(missing, k)
		default:
			wrong = append(wrong, fmt.Sprintf("Get(%s): %v", k, err))
		}
	}
	// A scan must see the same keys, or stop with corruption.
	if it, err := db.NewIterator(kv.IterOptions{}); err == nil {
		i := 0
		for ok := it.First(); ok; ok = it.Next() {
			k := string(it.Key())
			if _, in := want[k]; !in {
				wrong = append(wrong, fmt.Sprintf("scan found %s, which the store does not hold", k))
				break
			}
			if string(it.Value()) != want[k] {
				wrong = append(wrong, fmt.Sprintf("scan: %s = %.20q, want %.20q", k, it.Value(), want[k]))
				break
			}
			i++
		}
		if err := it.Err(); err != nil {
			if errors.Is(err, kv.ErrCorruption) {
				corruptReads++
			} else {
				wrong = append(wrong, fmt.Sprintf("scan: %v", err))
			}
		}
		it.Close()
	}
	var buf bytes.Buffer
	cerr := db.Check(&buf)
	checkSaw := errors.Is(cerr, kv.ErrCorruption)
	if cerr != nil && !checkSaw {
		wrong = append(wrong, fmt.Sprintf("Check: %v", cerr))
	}

	if len(wrong) > 0 {
		return WrongValue, strings.Join(wrong[:min(3, len(wrong))], "; ")
	}
	if len(missing) > 0 {
		if state == stateCrash && (kind == KindWALNewest || kind == KindBTreeWAL) && tornSuffix(missing, want) {
			return TornTail, fmt.Sprintf("%d tail writes lost", len(missing))
		}
		return SilentLoss, fmt.Sprintf("%d keys missing without an error, e.g. %s", len(missing), missing[0])
	}
	switch {
	case corruptReads > 0 && checkSaw:
		return ReadCorrupt, cerr.Error()
	case corruptReads > 0:
		return CheckMissed, fmt.Sprintf("%d reads failed with corruption, Check passed", corruptReads)
	case checkSaw:
		return CheckOnly, cerr.Error()
	}
	return Harmless, ""
}

// tornSuffix reports whether the missing keys are all tail keys forming a
// suffix of the tail keys the store held.
func tornSuffix(missing []string, want model) bool {
	first := -1
	for _, k := range missing {
		var i int
		if _, err := fmt.Sscanf(k, tailKeyPattern, &i); err != nil {
			return false
		}
		if first < 0 || i < first {
			first = i
		}
	}
	for k := range want {
		var i int
		if _, err := fmt.Sscanf(k, tailKeyPattern, &i); err == nil && i >= first {
			found := false
			for _, m := range missing {
				if m == k {
					found = true
					break
				}
			}
			if !found {
				return false
			}
		}
	}
	return true
}
