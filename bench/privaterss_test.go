package bench

import (
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
)

// TestPrivateRSSCountsAnonymousNotMappedFiles touches 64 MiB of anonymous
// memory and then 64 MiB of a mapped file: the sampled private peak must
// grow by the first and not by the second, while VmHWM grows by both.
func TestPrivateRSSCountsAnonymousNotMappedFiles(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("needs /proc/self/statm and mmap")
	}
	const size = 64 << 20
	base, ok := readPrivateRSS()
	if !ok {
		t.Skip("no /proc/self/statm")
	}
	s := startPrivateRSS()
	anon, err := syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < size; i += 4096 {
		anon[i] = 1
	}
	s.sample()
	afterAnon := s.peak.Load()
	if err := syscall.Munmap(anon); err != nil {
		t.Fatal(err)
	}

	name := filepath.Join(t.TempDir(), "mapped")
	f, err := os.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	page := []byte{7}
	for i := int64(0); i < size; i += 4096 {
		if _, err := f.WriteAt(page, i); err != nil {
			t.Fatal(err)
		}
	}
	m, err := syscall.Mmap(int(f.Fd()), 0, size, syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Munmap(m)
	sum := 0
	for i := 0; i < size; i += 4096 {
		sum += int(m[i])
	}
	now, _ := readPrivateRSS()
	peak := s.finish()
	if afterAnon-base < size*3/4 {
		t.Errorf("private RSS grew by %d B after touching %d B of anonymous memory", afterAnon-base, size)
	}
	if now-base > size/4 {
		t.Errorf("private RSS is %d B above the start with the anonymous memory unmapped and %d B of a file mapped (sum %d)", now-base, size, sum)
	}
	if peak < afterAnon {
		t.Errorf("peak %d below a sample %d", peak, afterAnon)
	}
}
