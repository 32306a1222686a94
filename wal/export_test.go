package wal

// Test hooks.

// FileHeaderSize and FragHeaderSize are the sizes of the file and fragment
// headers.
const (
	FileHeaderSize = fileHeaderSize
	FragHeaderSize = fragHeaderSize
	MinBlockSize   = minBlockSize
)

// SetBlockSize makes writers created with o use blocks of n bytes.
func SetBlockSize(o *Options, n int) { o.blockSize = n }

// EncodeAt returns the fragments of rec as a log with the given block size
// and log number holds them when the record starts at file offset off.
func EncodeAt(blockSize int, logNum uint64, off int64, rec []byte) []byte {
	seeds := crcSeeds(logNum)
	b, _, _ := encodeRecord(nil, &seeds, blockSize, off, rec)
	return b
}

// FileHeaderVersion returns a file header like a writer's, but naming the
// given format version, with a valid checksum.
func FileHeaderVersion(blockSize int, logNum uint64, version uint16) []byte {
	h := appendFileHeader(nil, blockSize, logNum)
	h[hdrVersionOff] = byte(version)
	h[hdrVersionOff+1] = byte(version >> 8)
	h = h[:hdrCRCOff]
	return appendCRC(h)
}
