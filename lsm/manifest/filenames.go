package manifest

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/kvlab/kvlab/vfs"
)

// FileType is the type of a file in an LSM directory, as its name tells.
type FileType int

// File types.
const (
	// TypeUnknown is any name the LSM did not create.
	TypeUnknown FileType = iota
	// TypeTable is a table: 000123.sst.
	TypeTable
	// TypeLog is a write-ahead log: 000123.log.
	TypeLog
	// TypeManifest is a manifest: MANIFEST-000123.
	TypeManifest
	// TypeCurrent is the CURRENT file naming the live manifest.
	TypeCurrent
	// TypeLock is the LOCK file held while the store is open.
	TypeLock
	// TypeTemp is a temporary file: 000123.dbtmp (the new CURRENT being
	// written, numbered after its manifest). Leftovers are garbage.
	TypeTemp
)

func (t FileType) String() string {
	switch t {
	case TypeUnknown:
		return "unknown"
	case TypeTable:
		return "table"
	case TypeLog:
		return "log"
	case TypeManifest:
		return "manifest"
	case TypeCurrent:
		return "current"
	case TypeLock:
		return "lock"
	case TypeTemp:
		return "temp"
	}
	return fmt.Sprintf("FileType(%d)", int(t))
}

const (
	currentName    = "CURRENT"
	lockName       = "LOCK"
	manifestPrefix = "MANIFEST-"
	tableSuffix    = ".sst"
	logSuffix      = ".log"
	tempSuffix     = ".dbtmp"
)

// TableFileName returns the name of table fileNum in dir: dir/000123.sst.
func TableFileName(dir string, fileNum uint64) string {
	return vfs.Join(dir, fmt.Sprintf("%06d%s", fileNum, tableSuffix))
}

// LogFileName returns the name of WAL fileNum in dir: dir/000123.log.
func LogFileName(dir string, fileNum uint64) string {
	return vfs.Join(dir, fmt.Sprintf("%06d%s", fileNum, logSuffix))
}

// ManifestFileName returns the name of manifest fileNum in dir:
// dir/MANIFEST-000123.
func ManifestFileName(dir string, fileNum uint64) string {
	return vfs.Join(dir, fmt.Sprintf("%s%06d", manifestPrefix, fileNum))
}

// CurrentFileName returns the name of dir's CURRENT file.
func CurrentFileName(dir string) string { return vfs.Join(dir, currentName) }

// LockFileName returns the name of dir's LOCK file.
func LockFileName(dir string) string { return vfs.Join(dir, lockName) }

// TempFileName returns the name of temporary file fileNum in dir:
// dir/000123.dbtmp.
func TempFileName(dir string, fileNum uint64) string {
	return vfs.Join(dir, fmt.Sprintf("%06d%s", fileNum, tempSuffix))
}

// ParseFileName parses the base name of a file in an LSM directory. It
// returns the file's type and number (0 for CURRENT and LOCK); ok is false,
// with TypeUnknown, for a name the LSM does not create.
func ParseFileName(base string) (FileType, uint64, bool) {
	switch {
	case base == currentName:
		return TypeCurrent, 0, true
	case base == lockName:
		return TypeLock, 0, true
	case strings.HasPrefix(base, manifestPrefix):
		if n, ok := parseNum(base[len(manifestPrefix):]); ok {
			return TypeManifest, n, true
		}
	case strings.HasSuffix(base, tableSuffix):
		if n, ok := parseNum(base[:len(base)-len(tableSuffix)]); ok {
			return TypeTable, n, true
		}
	case strings.HasSuffix(base, logSuffix):
		if n, ok := parseNum(base[:len(base)-len(logSuffix)]); ok {
			return TypeLog, n, true
		}
	case strings.HasSuffix(base, tempSuffix):
		if n, ok := parseNum(base[:len(base)-len(tempSuffix)]); ok {
			return TypeTemp, n, true
		}
	}
	return TypeUnknown, 0, false
}

// parseNum parses a file number: decimal digits only.
func parseNum(s string) (uint64, bool) {
	if s == "" {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseUint(s, 10, 64)
	return n, err == nil
}
