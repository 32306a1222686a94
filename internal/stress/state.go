package stress

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"sync"
)

// keyState is what the expected state knows of one key. Versions count the
// key's writes (1, 2, ...); version 0 is the initial absence. seq numbers
// are the owning writer thread's operation numbers; 0 means "older than
// this cycle", i.e. part of the durable baseline.
type keyState struct {
	// pending is the version of the write in flight, or acked when none is.
	pending    uint64
	pendingSeq uint64
	// pendingDel says the write in flight is a deletion.
	pendingDel bool
	// acked is the last acknowledged version, written by operation ackedSeq.
	acked    uint64
	ackedSeq uint64
	// lastDel is the highest version <= acked that is a deletion (0, the
	// initial absence, counts as one).
	lastDel uint64
	// synced is a version known to be durable: the last write acknowledged
	// with Sync, or one whose operation a later Sync covered.
	synced uint64
}

// inFlight reports whether a write of the key is pending.
func (s keyState) inFlight() bool { return s.pending > s.acked }

// threadState is what the expected state knows of one writer thread.
type threadState struct {
	// synced: every operation of the thread numbered <= synced was
	// acknowledged before a Sync that returned nil.
	synced uint64
	// seqBase is the first operation number of the current cycle; every
	// value in the store written before it has a smaller number.
	seqBase uint64
}

// The expected-state file: a 64-byte header, one 64-byte record per writer
// thread, one per key. Every record is written by one pwrite at a 64-byte
// aligned offset, so it never straddles a page and a SIGKILL leaves it
// either old or new; each carries a CRC all the same.
const (
	recordSize  = 64
	stateMagic  = "kvstress"
	stateFormat = 1
)

// expected is the expected state, in memory and in its file. Each key's
// writes come from one writer thread (key % threads), which calls begin
// and ack; readers call get from any thread.
type expected struct {
	f       *os.File
	keys    int
	threads int
	mu      []sync.Mutex // per key
	ks      []keyState
	tmu     []sync.Mutex // per thread: any worker may raise a watermark
	ts      []threadState
}

func newExpected(keys, threads int) *expected {
	return &expected{keys: keys, threads: threads, mu: make([]sync.Mutex, keys), ks: make([]keyState, keys),
		tmu: make([]sync.Mutex, threads), ts: make([]threadState, threads)}
}

// createExpected writes a fresh expected-state file: nothing written, every
// thread starting at operation 1.
func createExpected(path string, keys, threads int) (*expected, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return nil, fmt.Errorf("expected state: %w", err)
	}
	e := newExpected(keys, threads)
	e.f = f
	hdr := make([]byte, recordSize)
	copy(hdr, stateMagic)
	binary.LittleEndian.PutUint32(hdr[8:], stateFormat)
	binary.LittleEndian.PutUint32(hdr[12:], uint32(keys))
	binary.LittleEndian.PutUint32(hdr[16:], uint32(threads))
	if _, err := f.WriteAt(hdr, 0); err != nil {
		f.Close()
		return nil, fmt.Errorf("expected state: %w", err)
	}
	for t := range e.ts {
		e.ts[t].seqBase = 1
	}
	if err := e.writeAll(); err != nil {
		f.Close()
		return nil, err
	}
	return e, nil
}

// openExpected loads an expected-state file.
func openExpected(path string) (*expected, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("expected state: %w", err)
	}
	if len(data) < recordSize || string(data[:8]) != stateMagic || binary.LittleEndian.Uint32(data[8:]) != stateFormat {
		return nil, fmt.Errorf("expected state %s: not a format-%d expected-state file", path, stateFormat)
	}
	keys := int(binary.LittleEndian.Uint32(data[12:]))
	threads := int(binary.LittleEndian.Uint32(data[16:]))
	if want := recordSize * (1 + threads + keys); len(data) != want {
		return nil, fmt.Errorf("expected state %s: %d bytes, want %d for %d threads and %d keys", path, len(data), want, threads, keys)
	}
	e := newExpected(keys, threads)
	for t := range e.ts {
		r, err := record(data, e.threadOffset(t))
		if err != nil {
			return nil, fmt.Errorf("expected state %s: thread %d: %w", path, t, err)
		}
		e.ts[t] = threadState{synced: r[0], seqBase: r[1]}
	}
	for k := range e.ks {
		r, err := record(data, e.keyOffset(k))
		if err != nil {
			return nil, fmt.Errorf("expected state %s: key %d: %w", path, k, err)
		}
		e.ks[k] = keyState{pending: r[0], pendingSeq: r[1], pendingDel: r[2] != 0, acked: r[3], ackedSeq: r[4], lastDel: r[5], synced: r[6]}
	}
	if e.f, err = os.OpenFile(path, os.O_RDWR, 0); err != nil {
		return nil, fmt.Errorf("expected state: %w", err)
	}
	return e, nil
}

var errTornRecord = errors.New("record checksum mismatch")

// record decodes the seven fields of the record at off.
func record(data []byte, off int64) ([7]uint64, error) {
	var r [7]uint64
	b := data[off : off+recordSize]
	if binary.LittleEndian.Uint32(b[56:]) != crc32.Checksum(b[:56], castagnoli) {
		return r, errTornRecord
	}
	for i := range r {
		r[i] = binary.LittleEndian.Uint64(b[8*i:])
	}
	return r, nil
}

func (e *expected) threadOffset(t int) int64 { return int64(recordSize * (1 + t)) }
func (e *expected) keyOffset(k int) int64    { return int64(recordSize * (1 + e.threads + k)) }

// put writes one record.
func (e *expected) put(off int64, r [7]uint64) error {
	var b [recordSize]byte
	for i, v := range r {
		binary.LittleEndian.PutUint64(b[8*i:], v)
	}
	binary.LittleEndian.PutUint32(b[56:], crc32.Checksum(b[:56], castagnoli))
	if _, err := e.f.WriteAt(b[:], off); err != nil {
		return fmt.Errorf("expected state: %w", err)
	}
	return nil
}

func (e *expected) putKey(k int, s keyState) error {
	del := uint64(0)
	if s.pendingDel {
		del = 1
	}
	return e.put(e.keyOffset(k), [7]uint64{s.pending, s.pendingSeq, del, s.acked, s.ackedSeq, s.lastDel, s.synced})
}

func (e *expected) putThread(t int) error {
	s := e.ts[t]
	return e.put(e.threadOffset(t), [7]uint64{s.synced, s.seqBase})
}

// writeAll writes every record and syncs the file.
func (e *expected) writeAll() error {
	for t := range e.ts {
		if err := e.putThread(t); err != nil {
			return err
		}
	}
	for k := range e.ks {
		if err := e.putKey(k, e.ks[k]); err != nil {
			return err
		}
	}
	if err := e.f.Sync(); err != nil {
		return fmt.Errorf("expected state: %w", err)
	}
	return nil
}

// owner returns the writer thread that owns key k.
func (e *expected) owner(k int) int { return k % e.threads }

// get returns key k's state.
func (e *expected) get(k int) keyState {
	e.mu[k].Lock()
	defer e.mu[k].Unlock()
	return e.ks[k]
}

// begin records, before the engine sees it, a write of key k by operation
// seq of k's owner, and returns the version it writes.
func (e *expected) begin(k int, del bool, seq uint64) (uint64, error) {
	e.mu[k].Lock()
	defer e.mu[k].Unlock()
	s := &e.ks[k]
	if s.ackedSeq <= e.watermark(e.owner(k)) {
		s.synced = max(s.synced, s.acked)
	}
	s.pending++
	s.pendingSeq = seq
	s.pendingDel = del
	return s.pending, e.putKey(k, *s)
}

// ack records that the pending write of key k was acknowledged, with Sync
// if synced.
func (e *expected) ack(k int, synced bool) error {
	e.mu[k].Lock()
	defer e.mu[k].Unlock()
	s := &e.ks[k]
	s.acked, s.ackedSeq = s.pending, s.pendingSeq
	if s.pendingDel {
		s.lastDel = s.pending
	}
	if synced {
		s.synced = s.pending
	}
	return e.putKey(k, *s)
}

// watermark returns thread t's synced watermark.
func (e *expected) watermark(t int) uint64 {
	e.tmu[t].Lock()
	defer e.tmu[t].Unlock()
	return e.ts[t].synced
}

// syncedThrough records that every operation of thread t numbered <= seq
// is durable. Any worker may call it, for any thread.
func (e *expected) syncedThrough(t int, seq uint64) error {
	e.tmu[t].Lock()
	defer e.tmu[t].Unlock()
	if seq <= e.ts[t].synced {
		return nil
	}
	e.ts[t].synced = seq
	return e.putThread(t)
}

// close closes the file.
func (e *expected) close() error {
	if err := e.f.Close(); err != nil {
		return fmt.Errorf("expected state: %w", err)
	}
	return nil
}
