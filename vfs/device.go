package vfs

import (
	"fmt"
	"io"
	"os"
	"sort"
	"sync/atomic"
	"time"
)

// DeviceModel describes a simulated storage device: what one access costs
// the caller that waits for it, and how much of the device it occupies.
// docs/device-model.md explains the model and where the profiles' figures
// come from.
type DeviceModel struct {
	// Name names the model ("nvme", "ssd", "hdd", or "custom").
	Name string
	// Latency is the access time of a random read: what a read that does
	// not continue the previous read of the same file waits before its
	// data moves (seek and rotation on a disk, flash read on an SSD).
	Latency time.Duration
	// SyncLatency is what a sync waits beside transferring the file's
	// dirty bytes: a cache flush, or a seek and a rotation on a disk.
	SyncLatency time.Duration
	// Bandwidth is the transfer rate in bytes per second.
	Bandwidth float64
	// IOPS is how many random accesses per second the device serves at
	// most, all its queues together: each access occupies the device for
	// at least 1/IOPS.
	IOPS float64
}

// The simulated devices' profiles. SSD is calibrated on the machine kvlab
// was developed on (docs/device-model.md has the commands and figures);
// NVMe and HDD are typical datasheet figures.
var (
	// DeviceNVMe is a datacenter NVMe SSD.
	DeviceNVMe = DeviceModel{Name: "nvme", Latency: 80 * time.Microsecond, SyncLatency: 30 * time.Microsecond,
		Bandwidth: 2e9, IOPS: 500_000}
	// DeviceSSD is the calibrated profile: a virtualised SSD volume.
	DeviceSSD = DeviceModel{Name: "ssd", Latency: 100 * time.Microsecond, SyncLatency: 2 * time.Millisecond,
		Bandwidth: 800e6, IOPS: 10_000}
	// DeviceHDD is a 7200 rpm disk: 8 ms to seek and rotate, 150 MB/s.
	DeviceHDD = DeviceModel{Name: "hdd", Latency: 8 * time.Millisecond, SyncLatency: 8 * time.Millisecond,
		Bandwidth: 150e6, IOPS: 125}
)

// DeviceByName returns the named profile: "nvme", "ssd" or "hdd".
func DeviceByName(name string) (DeviceModel, bool) {
	for _, m := range []DeviceModel{DeviceNVMe, DeviceSSD, DeviceHDD} {
		if m.Name == name {
			return m, true
		}
	}
	return DeviceModel{}, false
}

// Validate reports a model that cannot be simulated.
func (m DeviceModel) Validate() error {
	switch {
	case m.Latency < 0 || m.SyncLatency < 0:
		return fmt.Errorf("vfs: device %s: negative latency", m.Name)
	case !(m.Bandwidth > 0):
		return fmt.Errorf("vfs: device %s: bandwidth %g B/s: want > 0", m.Name, m.Bandwidth)
	case !(m.IOPS > 0):
		return fmt.Errorf("vfs: device %s: IOPS %g: want > 0", m.Name, m.IOPS)
	}
	return nil
}

// String describes the model in one line.
func (m DeviceModel) String() string {
	return fmt.Sprintf("%s (latency %v, sync %v, %.0f MB/s, %.0f IOPS)", m.Name, m.Latency, m.SyncLatency, m.Bandwidth/1e6, m.IOPS)
}

// transfer returns the time to move n bytes.
func (m DeviceModel) transfer(n int64) time.Duration {
	return time.Duration(float64(n) / m.Bandwidth * 1e9)
}

// slot is the least time one access occupies the device.
func (m DeviceModel) slot() time.Duration { return time.Duration(1e9 / m.IOPS) }

// DeviceStats are a Device's figures so far. Durations are modelled, on
// the Device's virtual clock, not measured.
type DeviceStats struct {
	// Busy is the time the device was occupied serving every access,
	// foreground and background: an access occupies it for its transfer
	// time, and a random access or a sync for at least 1/IOPS.
	Busy time.Duration
	// Waited is the service time charged to the callers of every access,
	// on any goroutine; Metered the part charged to goroutines holding a
	// Meter (the benchmark's clients).
	Waited, Metered time.Duration
	// RandomReads continued no previous read of their file; SeqReads did
	// (readahead serves them: transfer only).
	RandomReads, SeqReads int64
	// Syncs counts syncs; WrittenBytes the bytes written back, at a sync
	// or when a file with unsynced bytes was closed.
	Syncs, WrittenBytes int64
	// ReadBytes counts the bytes read.
	ReadBytes int64
}

// Sub returns s - o.
func (s DeviceStats) Sub(o DeviceStats) DeviceStats {
	return DeviceStats{
		Busy: s.Busy - o.Busy, Waited: s.Waited - o.Waited, Metered: s.Metered - o.Metered,
		RandomReads: s.RandomReads - o.RandomReads, SeqReads: s.SeqReads - o.SeqReads,
		Syncs: s.Syncs - o.Syncs, WrittenBytes: s.WrittenBytes - o.WrittenBytes, ReadBytes: s.ReadBytes - o.ReadBytes,
	}
}

// Device wraps an FS and charges every read, write-back and sync the
// service time a DeviceModel gives it, on a virtual clock: nothing sleeps,
// the data still goes to the wrapped FS, and the figures say how long a
// real device would have taken.
//
// The model replaces the operating system's page cache: every ReadAt that
// reaches the Device is a device read (the engines' own caches, the block
// cache and the buffer pool, sit above it and absorb their hits). Writes
// are write-back: a Write costs its caller nothing; the dirty bytes are
// transferred, and charged, at the file's next Sync (to the caller of the
// Sync) or when the file is closed unsynced (to the device only).
//
// A goroutine that wants its own share of the charges takes a Meter: the
// benchmark's clients do, so that each operation's device time can be
// added to its measured CPU time.
type Device struct {
	base  FS
	model DeviceModel

	busy, waited                              atomic.Int64 // ns
	randomReads, seqReads, syncs, wrote, read atomic.Int64

	meters meterSet
}

var _ FS = (*Device)(nil)

// NewDevice wraps base in a simulated device. It panics on a model that
// does not Validate.
func NewDevice(base FS, m DeviceModel) *Device {
	if err := m.Validate(); err != nil {
		panic(err)
	}
	return &Device{base: base, model: m}
}

// Model returns the device's model.
func (d *Device) Model() DeviceModel { return d.model }

// Stats returns the figures so far.
func (d *Device) Stats() DeviceStats {
	return DeviceStats{
		Busy: time.Duration(d.busy.Load()), Waited: time.Duration(d.waited.Load()), Metered: time.Duration(d.meters.metered.Load()),
		RandomReads: d.randomReads.Load(), SeqReads: d.seqReads.Load(), Syncs: d.syncs.Load(),
		WrittenBytes: d.wrote.Load(), ReadBytes: d.read.Load(),
	}
}

// Meter returns a Meter for the calling goroutine: from now on, the
// service time of the accesses the goroutine makes is added to it as well
// as to the Device's totals. Release it when the goroutine is done.
func (d *Device) Meter() *Meter { return d.meters.meter() }

// charge books an access: wait is what its caller waits, occupy what the
// device spends on it.
func (d *Device) charge(wait, occupy time.Duration) {
	d.busy.Add(int64(occupy))
	if wait <= 0 {
		return
	}
	d.waited.Add(int64(wait))
	d.meters.charge(wait)
}

func (d *Device) wrap(f File, err error) (File, error) {
	if err != nil {
		return nil, err
	}
	df := &deviceFile{File: f, d: d}
	df.lastRead.Store(-1)
	return df, nil
}

// Create implements FS.
func (d *Device) Create(name string, kind Kind) (File, error) {
	return d.wrap(d.base.Create(name, kind))
}

// Open implements FS.
func (d *Device) Open(name string, kind Kind) (File, error) { return d.wrap(d.base.Open(name, kind)) }

// OpenReadWrite implements FS.
func (d *Device) OpenReadWrite(name string, kind Kind) (File, error) {
	return d.wrap(d.base.OpenReadWrite(name, kind))
}

// Remove implements FS.
func (d *Device) Remove(name string) error { return d.base.Remove(name) }

// Rename implements FS.
func (d *Device) Rename(oldname, newname string) error { return d.base.Rename(oldname, newname) }

// MkdirAll implements FS.
func (d *Device) MkdirAll(dir string) error { return d.base.MkdirAll(dir) }

// List implements FS.
func (d *Device) List(dir string) ([]string, error) { return d.base.List(dir) }

// Stat implements FS.
func (d *Device) Stat(name string) (os.FileInfo, error) { return d.base.Stat(name) }

// SyncDir implements FS: a directory sync costs a sync's latency.
func (d *Device) SyncDir(dir string) error {
	err := d.base.SyncDir(dir)
	d.syncs.Add(1)
	d.charge(d.model.SyncLatency, d.model.slot())
	return err
}

// Lock implements FS.
func (d *Device) Lock(name string) (io.Closer, error) { return d.base.Lock(name) }

type deviceFile struct {
	File
	d        *Device
	dirty    atomic.Int64 // bytes written since the last sync
	lastRead atomic.Int64 // where the previous read ended; -1: none yet
}

func (f *deviceFile) Write(p []byte) (int, error) {
	n, err := f.File.Write(p)
	f.dirty.Add(int64(n))
	return n, err
}

func (f *deviceFile) WriteAt(p []byte, off int64) (int, error) {
	n, err := f.File.WriteAt(p, off)
	f.dirty.Add(int64(n))
	return n, err
}

func (f *deviceFile) ReadAt(p []byte, off int64) (int, error) {
	n, err := f.File.ReadAt(p, off)
	m := f.d.model
	t := m.transfer(int64(len(p)))
	f.d.read.Add(int64(n))
	if f.lastRead.Swap(off+int64(len(p))) == off {
		f.d.seqReads.Add(1)
		f.d.charge(t, t)
	} else {
		f.d.randomReads.Add(1)
		f.d.charge(m.Latency+t, max(t, m.slot()))
	}
	return n, err
}

func (f *deviceFile) Sync() error {
	err := f.File.Sync()
	m := f.d.model
	n := f.dirty.Swap(0)
	t := m.transfer(n)
	f.d.syncs.Add(1)
	f.d.wrote.Add(n)
	f.d.charge(m.SyncLatency+t, t+m.slot())
	return err
}

func (f *deviceFile) Close() error {
	if n := f.dirty.Swap(0); n > 0 {
		// Written back by the OS in the background: the device pays, no
		// caller waits.
		f.d.wrote.Add(n)
		f.d.charge(0, f.d.model.transfer(n)+f.d.model.slot())
	}
	return f.File.Close()
}

// DeviceNames returns the names of the profiles, sorted.
func DeviceNames() []string {
	names := []string{DeviceNVMe.Name, DeviceSSD.Name, DeviceHDD.Name}
	sort.Strings(names)
	return names
}
