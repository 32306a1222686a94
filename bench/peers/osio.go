package peers

import (
	"bufio"
	"bytes"
	"os"
	"strconv"

	"github.com/kvlab/kvlab/kv"
)

// procIO is one reading of /proc/self/io (see proc(5)). ok is false where
// the file does not exist or cannot be parsed.
type procIO struct {
	rchar, wchar, syscr, syscw int64
	readBytes, writeBytes      int64
	cancelledWriteBytes        int64
	ok                         bool
}

// readProcIO reads the process's I/O counters.
func readProcIO() procIO {
	data, err := os.ReadFile("/proc/self/io")
	if err != nil {
		return procIO{}
	}
	return parseProcIO(data)
}

func parseProcIO(data []byte) procIO {
	var p procIO
	fields := map[string]*int64{
		"rchar": &p.rchar, "wchar": &p.wchar, "syscr": &p.syscr, "syscw": &p.syscw,
		"read_bytes": &p.readBytes, "write_bytes": &p.writeBytes,
		"cancelled_write_bytes": &p.cancelledWriteBytes,
	}
	found := 0
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		name, val, ok := bytes.Cut(sc.Bytes(), []byte(":"))
		if !ok {
			continue
		}
		dst := fields[string(name)]
		if dst == nil {
			continue
		}
		n, err := strconv.ParseInt(string(bytes.TrimSpace(val)), 10, 64)
		if err != nil {
			return procIO{}
		}
		*dst = n
		found++
	}
	p.ok = found == len(fields)
	return p
}

// sub returns p - o; the result is not ok unless both are.
func (p procIO) sub(o procIO) procIO {
	return procIO{
		rchar: p.rchar - o.rchar, wchar: p.wchar - o.wchar,
		syscr: p.syscr - o.syscr, syscw: p.syscw - o.syscw,
		readBytes: p.readBytes - o.readBytes, writeBytes: p.writeBytes - o.writeBytes,
		cancelledWriteBytes: p.cancelledWriteBytes - o.cancelledWriteBytes,
		ok:                  p.ok && o.ok,
	}
}

// ioBasis says which /proc/self/io counters stand for an engine's file I/O:
// the system-call counters (wchar, rchar) or, for I/O done through memory
// maps, the device counters (write_bytes, read_bytes).
type ioBasis struct {
	writeDevice bool
	readDevice  bool
}

// ioStats turns a delta of the process counters into the "peer" kind.
func (b ioBasis) ioStats(d procIO) kv.IOStats {
	var s kv.IOStats
	if !d.ok {
		return s
	}
	if b.writeDevice {
		s.BytesWritten = max(d.writeBytes-d.cancelledWriteBytes, 0)
	} else {
		s.BytesWritten, s.Writes = d.wchar, d.syscw
	}
	if b.readDevice {
		s.BytesRead = d.readBytes
	} else {
		s.BytesRead, s.Reads = d.rchar, d.syscr
	}
	return s
}

// addExtra records the raw deltas and the basis in extra.
func (b ioBasis) addExtra(extra map[string]float64, d procIO) {
	if !d.ok {
		extra["io-source-os"] = 0
		return
	}
	extra["io-source-os"] = 1
	extra["io-write-device"] = b2f(b.writeDevice)
	extra["io-read-device"] = b2f(b.readDevice)
	extra["os.rchar"] = float64(d.rchar)
	extra["os.wchar"] = float64(d.wchar)
	extra["os.syscr"] = float64(d.syscr)
	extra["os.syscw"] = float64(d.syscw)
	extra["os.read_bytes"] = float64(d.readBytes)
	extra["os.write_bytes"] = float64(d.writeBytes)
	extra["os.cancelled_write_bytes"] = float64(d.cancelledWriteBytes)
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
