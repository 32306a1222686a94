package vfs

import (
	"sync"
	"testing"
	"time"
)

func TestDeviceCharges(t *testing.T) {
	m := DeviceModel{Name: "test", Latency: time.Millisecond, SyncLatency: 2 * time.Millisecond, Bandwidth: 1e6, IOPS: 100}
	d := NewDevice(NewMem(), m)
	f, err := d.Create("f", KindOther)
	if err != nil {
		t.Fatal(err)
	}
	meter := d.Meter()
	defer meter.Release()
	if _, err := f.Write(make([]byte, 1000)); err != nil {
		t.Fatal(err)
	}
	if got := meter.Take(); got != 0 {
		t.Errorf("a write-back write cost its caller %v, want 0", got)
	}
	if err := f.Sync(); err != nil {
		t.Fatal(err)
	}
	// 2 ms sync latency + 1000 B at 1 MB/s = 1 ms.
	if got := meter.Take(); got != 3*time.Millisecond {
		t.Errorf("sync of 1000 dirty bytes: %v, want 3ms", got)
	}
	buf := make([]byte, 100)
	if _, err := f.ReadAt(buf, 500); err != nil {
		t.Fatal(err)
	}
	if got := meter.Take(); got != time.Millisecond+100*time.Microsecond {
		t.Errorf("random read: %v, want 1.1ms", got)
	}
	if _, err := f.ReadAt(buf, 600); err != nil {
		t.Fatal(err)
	}
	if got := meter.Take(); got != 100*time.Microsecond {
		t.Errorf("sequential read: %v, want 100µs (transfer only)", got)
	}
	s := d.Stats()
	if s.RandomReads != 1 || s.SeqReads != 1 || s.Syncs != 1 || s.WrittenBytes != 1000 {
		t.Errorf("stats %+v", s)
	}
	// Busy: sync 1ms+10ms slot, random read max(0.1ms, 10ms), sequential 0.1ms.
	if want := 21*time.Millisecond + 100*time.Microsecond; s.Busy != want {
		t.Errorf("busy %v, want %v", s.Busy, want)
	}
	if s.Metered != s.Waited {
		t.Errorf("metered %v of waited %v: every access was on the metered goroutine", s.Metered, s.Waited)
	}

	// Another goroutine's reads are charged to the device, not this meter.
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if _, err := f.ReadAt(buf, 0); err != nil {
			t.Error(err)
		}
	}()
	wg.Wait()
	if got := meter.Take(); got != 0 {
		t.Errorf("another goroutine's read charged to this meter: %v", got)
	}
	if s2 := d.Stats().Sub(s); s2.Waited != m.Latency+100*time.Microsecond || s2.Metered != 0 {
		t.Errorf("background read: %+v", s2)
	}
	// Closing a file with unsynced bytes writes them back, charging no one.
	if _, err := f.Write(make([]byte, 500)); err != nil {
		t.Fatal(err)
	}
	before := d.Stats()
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if s3 := d.Stats().Sub(before); s3.WrittenBytes != 500 || s3.Waited != 0 || s3.Busy == 0 {
		t.Errorf("close with dirty bytes: %+v", s3)
	}
}

func TestDeviceProfiles(t *testing.T) {
	for _, name := range DeviceNames() {
		m, ok := DeviceByName(name)
		if !ok || m.Validate() != nil {
			t.Errorf("profile %s: %v %v", name, ok, m.Validate())
		}
	}
	if _, ok := DeviceByName("floppy"); ok {
		t.Error("unknown profile found")
	}
	if (DeviceModel{Name: "x", Bandwidth: 0, IOPS: 1}).Validate() == nil {
		t.Error("zero bandwidth accepted")
	}
}

func TestGoroutineID(t *testing.T) {
	a := goroutineID()
	var b uint64
	done := make(chan struct{})
	go func() { b = goroutineID(); close(done) }()
	<-done
	if a == 0 || b == 0 || a == b {
		t.Errorf("goroutine ids %d, %d", a, b)
	}
}
