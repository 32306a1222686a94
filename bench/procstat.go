package bench

import (
	"bufio"
	"bytes"
	"os"
	"strconv"
	"strings"
)

// ProcIO is the process's I/O counters from /proc/self/io.
//
// RChar and WChar count bytes passed to read and write system calls
// (whether or not they reached a disk), which is what kvlab's vfs
// accounting counts. ReadBytes counts only bytes fetched from the storage
// device (page-cache hits are free); WriteBytes counts bytes of pages
// dirtied for writeback, at page granularity, and
// CancelledWriteBytes the part of those that was truncated away before
// reaching the device.
type ProcIO struct {
	RChar               int64 `json:"rchar"`
	WChar               int64 `json:"wchar"`
	SyscR               int64 `json:"syscr"`
	SyscW               int64 `json:"syscw"`
	ReadBytes           int64 `json:"read_bytes"`
	WriteBytes          int64 `json:"write_bytes"`
	CancelledWriteBytes int64 `json:"cancelled_write_bytes"`
}

// readProcIO returns the counters, or false where /proc/self/io is absent.
func readProcIO() (ProcIO, bool) {
	data, err := os.ReadFile("/proc/self/io")
	if err != nil {
		return ProcIO{}, false
	}
	var p ProcIO
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		n, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		switch k {
		case "rchar":
			p.RChar = n
		case "wchar":
			p.WChar = n
		case "syscr":
			p.SyscR = n
		case "syscw":
			p.SyscW = n
		case "read_bytes":
			p.ReadBytes = n
		case "write_bytes":
			p.WriteBytes = n
		case "cancelled_write_bytes":
			p.CancelledWriteBytes = n
		}
	}
	return p, true
}

// Sub returns p - o.
func (p ProcIO) Sub(o ProcIO) ProcIO {
	return ProcIO{p.RChar - o.RChar, p.WChar - o.WChar, p.SyscR - o.SyscR, p.SyscW - o.SyscW,
		p.ReadBytes - o.ReadBytes, p.WriteBytes - o.WriteBytes, p.CancelledWriteBytes - o.CancelledWriteBytes}
}

// resetPeakRSS resets the kernel's peak resident set size of the process
// (Linux 4.0 and later), so that the next peakRSS covers one phase. It
// reports whether the reset worked.
func resetPeakRSS() bool {
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
}

// peakRSS returns the process's peak resident set size in bytes (VmHWM),
// or 0 where /proc/self/status is absent.
func peakRSS() int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			f := strings.Fields(rest)
			if len(f) == 0 {
				return 0
			}
			kb, _ := strconv.ParseInt(f[0], 10, 64)
			return kb << 10
		}
	}
	return 0
}
