package sstable

// Compression selects how the writer compresses blocks.
type Compression uint8

const (
	// DefaultCompression is SnappyCompression.
	DefaultCompression Compression = iota
	// SnappyCompression compresses each block with snappy and keeps the
	// result only when it is at least 12.5 % smaller.
	SnappyCompression
	// NoCompression stores every block as is.
	NoCompression
)

// String returns "snappy" or "none", the names stored in the properties
// block.
func (c Compression) String() string {
	if c == NoCompression {
		return "none"
	}
	return "snappy"
}

func parseCompression(s string) (Compression, bool) {
	switch s {
	case "snappy":
		return SnappyCompression, true
	case "none":
		return NoCompression, true
	}
	return 0, false
}

// WriterOptions configure a Writer. A zero or negative BlockSize or
// RestartInterval means its default; note that the zero BloomBitsPerKey means
// no filter, so start from DefaultWriterOptions to get one.
type WriterOptions struct {
	// BlockSize is the uncompressed size at which a data block is closed
	// (DefaultBlockSize, 4 KiB). A block closes after the entry that
	// reaches it, so one large entry makes one large block.
	BlockSize int
	// RestartInterval is the number of entries between restart points in
	// a data block (DefaultRestartInterval, 16). Smaller intervals make
	// seeks faster and blocks larger.
	RestartInterval int
	// BloomBitsPerKey sizes the table's Bloom filter: bits per distinct
	// user key. 0 (or negative) writes no filter. DefaultBloomBitsPerKey,
	// 10, gives a false positive rate of about 0.8 %.
	BloomBitsPerKey int
	// Compression selects block compression; the zero value is snappy.
	Compression Compression
}

// DefaultWriterOptions returns the defaults: 4 KiB blocks, a restart point
// every 16 entries, a 10 bits per key Bloom filter and snappy compression.
func DefaultWriterOptions() WriterOptions {
	return WriterOptions{
		BlockSize:       DefaultBlockSize,
		RestartInterval: DefaultRestartInterval,
		BloomBitsPerKey: DefaultBloomBitsPerKey,
		Compression:     SnappyCompression,
	}
}

func (o WriterOptions) resolve() WriterOptions {
	if o.BlockSize <= 0 {
		o.BlockSize = DefaultBlockSize
	}
	if o.RestartInterval <= 0 {
		o.RestartInterval = DefaultRestartInterval
	}
	if o.BloomBitsPerKey < 0 {
		o.BloomBitsPerKey = 0
	}
	if o.Compression != NoCompression {
		o.Compression = SnappyCompression
	}
	return o
}

// ReaderOptions configure Open.
type ReaderOptions struct {
	// Cache is the block cache the reader fetches data blocks through,
	// shared by all tables of an engine. nil reads every block from the
	// file.
	Cache *Cache

	// skipChecksums makes the reader trust every checksum, so that the
	// fuzz test reaches the parsers behind them. Tests only.
	skipChecksums bool
}
